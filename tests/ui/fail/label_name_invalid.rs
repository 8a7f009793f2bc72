use metrics_runtime::monitored;

#[monitored(labels("my-label" = "x"))]
fn work() {}

fn main() {}
