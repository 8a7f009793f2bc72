use metrics_runtime::monitored;

#[monitored(labels(le = "1"))]
fn work() {}

fn main() {}
