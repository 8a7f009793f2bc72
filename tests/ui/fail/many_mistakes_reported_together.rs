use metrics_runtime::monitored;

#[monitored(nmae = "jobs", buckets = [1.0, 0.5], labels(status = "x", "bad-name" = "y"))]
fn work() {}

fn main() {}
