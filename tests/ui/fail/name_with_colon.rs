use metrics_runtime::monitored;

#[monitored(name = "jobs:rate")]
fn work() {}

fn main() {}
