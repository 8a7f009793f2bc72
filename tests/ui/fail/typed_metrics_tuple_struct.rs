// A metric is named after its field: a tuple struct has no field names.
use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct HubMetrics(
    /// Cache lookups.
    Counter,
);

fn main() {}
