// `name` is given twice on one field: which one is meant is unclear, so it is refused.
use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct HubMetrics {
    /// Cache lookups.
    #[metric(name = "hub_lookups_total", name = "hub_cache_lookups_total")]
    cache_lookups_total: Counter,
}

fn main() {}
