// Colons are for recording rules.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Lookups.
    #[metric(name = "cache:lookups_total")]
    lookups_total: Counter,
}

fn main() {}
