// A typo in a `#[metrics]` option.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
#[metrics(prefx = "hub")]
struct Group {
    /// Lookups.
    lookups_total: Counter,
}

fn main() {}
