use metrics_runtime::monitored;

#[monitored(name = "")]
fn work() {}

fn main() {}
