// At least one bucket bound.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Latency.
    #[metric(buckets = [])]
    call_duration_seconds: Histogram,
}

fn main() {}
