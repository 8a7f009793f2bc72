use metrics_runtime::monitored;

#[monitored(name = "__jobs")]
fn work() {}

fn main() {}
