use metrics_runtime::{Histogram, Metrics};

#[derive(Metrics)]
#[metric(prefix = "hub")]
struct Hub {
    /// LLM call latency, in seconds.
    #[metrics(buckets = [0.1, 1.0, 10.0])]
    llm_call_seconds: Histogram,
}

fn main() {}
