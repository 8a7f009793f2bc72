// A renamed label must still be a valid name.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Clone, Copy, LabelValue)]
enum Cache {
    Llm,
    Tools,
}

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    #[label(rename = "cache-type")]
    cache: Cache,
}

fn main() {}
