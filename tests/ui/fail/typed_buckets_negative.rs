// Bucket bounds must be positive.
use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct HubMetrics {
    /// Request latency.
    #[metric(buckets = [-1.0, 1.0])]
    request_duration_seconds: Histogram,
}

fn main() {}
