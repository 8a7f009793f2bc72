use metrics_runtime::monitored;

#[monitored(name = "my-jobs")]
fn work() {}

fn main() {}
