use metrics_runtime::monitored;

#[monitored(labels(error_type = "none"))]
fn work() {}

fn main() {}
