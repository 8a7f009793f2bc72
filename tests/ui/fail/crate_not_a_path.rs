use metrics_runtime::monitored;

#[monitored(crate = "not a path")]
fn work() {}

fn main() {}
