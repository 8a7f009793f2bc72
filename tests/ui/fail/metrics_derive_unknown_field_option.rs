// A typo in a `#[metric]` option.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Latency.
    #[metric(bukets = [0.1, 1.0])]
    call_duration_seconds: Histogram,
}

fn main() {}
