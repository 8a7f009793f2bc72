// A `RegisteredValue` names its set.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    agent: RegisteredValue,
}

fn main() {}
