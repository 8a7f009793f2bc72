use metrics_runtime::monitored;

#[monitored(buckets = [0.1, 0.5, 0.25, 1.0])]
fn work() {}

fn main() {}
