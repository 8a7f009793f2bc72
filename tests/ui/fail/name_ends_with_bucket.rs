use metrics_runtime::monitored;

#[monitored(name = "jobs_bucket")]
fn work() {}

fn main() {}
