use metrics_runtime::monitored;

#[monitored(name = jobs)]
fn work() {}

fn main() {}
