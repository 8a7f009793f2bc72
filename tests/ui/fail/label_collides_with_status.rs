use metrics_runtime::monitored;

#[monitored(labels(status = "ok"))]
fn work() {}

fn main() {}
