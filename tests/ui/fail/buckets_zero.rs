use metrics_runtime::monitored;

#[monitored(buckets = [0, 1])]
fn work() {}

fn main() {}
