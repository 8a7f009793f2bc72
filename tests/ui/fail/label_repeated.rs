use metrics_runtime::monitored;

#[monitored(labels(agent = "crawler", agent = "indexer"))]
fn work() {}

fn main() {}
