use metrics_runtime::monitored;

#[monitored(labels("1st" = "x"))]
fn work() {}

fn main() {}
