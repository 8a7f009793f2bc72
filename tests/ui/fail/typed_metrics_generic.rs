// A group of metrics is declared once, for the whole program: it cannot be generic.
use metrics_runtime::{Counter, LabelSet, Metrics};

#[derive(Metrics)]
struct HubMetrics<L: LabelSet> {
    /// Cache lookups.
    cache_lookups_total: Counter<L>,
}

fn main() {}
