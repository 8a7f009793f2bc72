// `_total` is for counters.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    /// Agents.
    active_agents_total: Gauge,
}

fn main() {}
