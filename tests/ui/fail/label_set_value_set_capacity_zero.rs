// A value set holds at least one value.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

static AGENTS: ValueSet = ValueSet::new("agent", 0);

fn main() {}
