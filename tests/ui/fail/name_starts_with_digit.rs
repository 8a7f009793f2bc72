use metrics_runtime::monitored;

#[monitored(name = "1jobs")]
fn work() {}

fn main() {}
