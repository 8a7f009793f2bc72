use metrics_runtime::monitored;

#[monitored(name = "jobs", name = "tasks")]
fn work() {}

fn main() {}
