// Every mistake of a group is reported at once.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group {
    lookups: Counter,
    /// Agents.
    agents_total: Gauge,
    /// Latency.
    #[metric(buckets = [2.0, 1.0])]
    request_latency: Histogram,
}

fn main() {}
