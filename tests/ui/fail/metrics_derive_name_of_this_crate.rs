// `function_calls_total` is a family of `#[monitored]`.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Calls.
    function_calls_total: Counter,
}

fn main() {}
