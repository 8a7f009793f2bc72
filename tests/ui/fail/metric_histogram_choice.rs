use metrics_runtime::{Counter, Histogram, Metrics};

#[derive(Metrics)]
struct Service {
    /// Uploads, in bytes.
    #[metric(histogram = native, buckets = [100.0, 1000.0])]
    upload_bytes: Histogram,
    /// Requests.
    #[metric(histogram = native)]
    requests_total: Counter,
    /// Latency.
    #[metric(histogram = nativ)]
    latency_seconds: Histogram,
}

fn main() {}
