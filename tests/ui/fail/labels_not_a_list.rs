use metrics_runtime::monitored;

#[monitored(labels = "agent")]
fn work() {}

fn main() {}
