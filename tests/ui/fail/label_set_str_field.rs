// A `&'static str` label has no list of values.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    agent_id: &'static str,
}

fn main() {}
