// A prefix must be a valid name.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
#[metrics(prefix = "my-hub")]
struct Group {
    /// Lookups.
    lookups_total: Counter,
}

fn main() {}
