// A group is declared once for the program: no generics.
#![allow(unused_imports, dead_code)]
use metrics_runtime::{CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue, ValueSet};

#[derive(Metrics)]
struct Group<T> {
    /// Lookups.
    lookups_total: Counter,
    marker: std::marker::PhantomData<T>,
}

fn main() {}
