// A `String` label would create a series per value.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Clone, LabelSet)]
struct Labels {
    agent_id: String,
}

fn main() {}
