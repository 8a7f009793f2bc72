use metrics_runtime::monitored;

#[monitored(buckets = 0.5)]
fn work() {}

fn main() {}
