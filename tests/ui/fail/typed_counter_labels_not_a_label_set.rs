// A counter's labels are a `#[derive(LabelSet)]` struct: a `LabelValue` enum alone is not one.
use metrics_runtime::{Counter, LabelValue, Metrics};

#[derive(Clone, Copy, LabelValue)]
enum Tier {
    Free,
    Pro,
}

#[derive(Metrics)]
struct HubMetrics {
    /// Requests, by tier.
    requests_total: Counter<Tier>,
}

fn main() {}
