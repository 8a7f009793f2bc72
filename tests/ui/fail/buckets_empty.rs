use metrics_runtime::monitored;

#[monitored(buckets = [])]
fn work() {}

fn main() {}
