use metrics_runtime::monitored;

#[monitored(labels(shard = 3))]
fn work() {}

fn main() {}
