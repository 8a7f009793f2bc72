use metrics_runtime::monitored;

#[monitored(labels(function = "other"))]
fn work() {}

fn main() {}
