use metrics_runtime::monitored;

#[monitored(name = "jobs_count")]
fn work() {}

fn main() {}
