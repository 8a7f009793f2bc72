// An id label would create a series per value.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

pub struct Uuid([u8; 16]);

#[derive(LabelSet)]
struct Labels {
    user: Uuid,
}

fn main() {}
