use metrics_runtime::monitored;

#[monitored(labels(__agent = "x"))]
fn work() {}

fn main() {}
