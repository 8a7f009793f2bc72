use metrics_runtime::monitored;

#[monitored(labels(job = "batch"))]
fn work() {}

fn main() {}
