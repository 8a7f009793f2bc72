// The default buckets are seconds; a size histogram needs its own.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Payload sizes.
    payload_size_bytes: Histogram,
}

fn main() {}
