// Names starting with `metrics_runtime_` are this crate's self-metrics.
use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
#[metrics(prefix = "metrics_runtime")]
struct HubMetrics {
    /// Restarts.
    restarts_total: Counter,
}

fn main() {}
