// A field's type must list its values (`LabelValue` derive).
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Clone, Copy)]
pub struct Region;

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    region: Region,
}

fn main() {}
