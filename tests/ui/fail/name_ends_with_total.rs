use metrics_runtime::monitored;

#[monitored(name = "jobs_total")]
fn work() {}

fn main() {}
