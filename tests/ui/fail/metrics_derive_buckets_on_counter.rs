// Buckets are for histograms.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Lookups.
    #[metric(buckets = [1.0])]
    lookups_total: Counter,
}

fn main() {}
