// The histogram writes the sample `request_duration_seconds_count`: a gauge of that name collides.
use metrics_runtime::{Gauge, Histogram, Metrics};

#[derive(Metrics)]
struct HubMetrics {
    /// Request latency.
    request_duration_seconds: Histogram,
    /// Requests timed so far.
    request_duration_seconds_count: Gauge,
}

fn main() {}
