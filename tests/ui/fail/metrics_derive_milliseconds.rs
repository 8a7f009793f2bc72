// Base units: seconds, not milliseconds.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Request latency.
    request_duration_milliseconds: Histogram,
}

fn main() {}
