use metrics_runtime::monitored;

#[monitored(buckets = [-1.0, 1.0])]
fn work() {}

fn main() {}
