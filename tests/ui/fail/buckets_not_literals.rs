use metrics_runtime::monitored;

const LIMIT: f64 = 1.0;

#[monitored(buckets = [0.5, LIMIT])]
fn work() {}

fn main() {}
