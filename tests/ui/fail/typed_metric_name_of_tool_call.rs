// `mcp_tool_calls_total` is written by `#[tool_call]` itself: a typed metric cannot take it.
use metrics_runtime::{Counter, Metrics};

#[derive(Metrics)]
struct HubMetrics {
    /// Tool calls.
    mcp_tool_calls_total: Counter,
}

fn main() {}
