// Two fields, one metric name.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
#[metrics(prefix = "hub")]
struct Group {
    /// Lookups.
    lookups_total: Counter,
    /// Lookups again.
    #[metric(name = "hub_lookups_total")]
    other_total: Counter,
}

fn main() {}
