use metrics_runtime::monitored;

#[monitored(nmae = "jobs")]
fn work() {}

fn main() {}
