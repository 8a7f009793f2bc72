// A float label would create a series per value.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    ratio: f64,
}

fn main() {}
