// `_total` is for counters, callback gauges too.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Pages.
    daily_pages_total: CallbackGauge,
}

fn main() {}
