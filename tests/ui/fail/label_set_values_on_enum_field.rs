// `values = SET` is for `RegisteredValue` fields.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

static AGENTS: ValueSet = ValueSet::new("agent", 8);

#[derive(Clone, Copy, LabelValue)]
enum Cache {
    Llm,
    Tools,
}

#[derive(Clone, Copy, LabelSet)]
struct Labels {
    #[label(values = AGENTS)]
    cache: Cache,
}

fn main() {}
