// `_total` is for counters: a histogram's name must not end in it.
use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
struct HubMetrics {
    /// Tokens per request.
    #[metric(buckets = [10.0, 100.0, 1000.0])]
    request_tokens_total: Histogram,
}

fn main() {}
