use metrics_runtime::monitored;

#[monitored(buckets = [1.0, 1e999])]
fn work() {}

fn main() {}
