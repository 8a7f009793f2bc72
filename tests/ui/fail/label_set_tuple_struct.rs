// Label names come from field names.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Clone, Copy, LabelValue)]
enum Cache {
    Llm,
    Tools,
}

#[derive(Clone, Copy, LabelSet)]
struct Labels(Cache);

fn main() {}
