// Prometheus uses base units: `_millis` (as in `Duration::as_millis`) should be `_seconds`.
use metrics_runtime::{Gauge, Metrics};

#[derive(Metrics)]
struct HubMetrics {
    /// Time between two polls.
    poll_interval_millis: Gauge,
}

fn main() {}
