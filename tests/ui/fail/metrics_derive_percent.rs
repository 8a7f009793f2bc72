// Ratios go from 0 to 1, not percent.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// CPU.
    cpu_usage_percent: Gauge,
}

fn main() {}
