// Every accepted form of the typed derives, used.

use metrics_runtime::{
    CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue,
    ValueSet,
};

static AGENTS: ValueSet = ValueSet::new("agent", 16);

#[derive(Clone, Copy, LabelValue)]
enum Status {
    Ok,
    #[label(rename = "failed")]
    Error,
}

#[derive(Clone, Copy, LabelSet)]
struct Run {
    #[label(values = AGENTS)]
    agent_id: RegisteredValue,
    status: Status,
    #[label(rename = "retried")]
    r#again: bool,
}

#[derive(Clone, Copy, LabelSet)]
#[label(crate = "metrics_runtime")]
struct Empty {}

#[derive(Metrics)]
#[metrics(prefix = "pass_")]
pub struct Agents {
    /// Agent runs.
    runs_total: Counter<Run>,
    /// Nothing labelled.
    empty_total: Counter<Empty>,
    /// Agents running now.
    pub(crate) active_agents: Gauge,
    /// Run latency.
    #[metric(buckets = [0.5, 1, 2.5])]
    run_duration_seconds: Histogram<Run>,
    /// Payload sizes.
    #[metric(name = "pass_payload_size_bytes", buckets = [100.0, 1000.0])]
    payload: Histogram,
    /// Pages used today.
    daily_pages_used: CallbackGauge,
}

#[derive(Metrics)]
#[metrics(prefix = "pass_other", crate = "metrics_runtime")]
struct Other {
    /// Ticks.
    ticks_total: Counter,
}

static AGENT_METRICS: Agents = Agents::new();
static OTHER: Other = Other::new();

fn main() {
    AGENTS.register(["planner"]).unwrap();
    let run = Run {
        agent_id: AGENTS.get("planner"),
        status: Status::Error,
        r#again: true,
    };
    AGENT_METRICS.runs_total.with(run).increment();
    AGENT_METRICS.empty_total.with(Empty {}).increment_by(2);
    let _active = AGENT_METRICS.active_agents.track();
    AGENT_METRICS.run_duration_seconds.with(run).observe(0.7);
    AGENT_METRICS.payload.observe(512.0);
    AGENT_METRICS.daily_pages_used.set_callback(|| 1.0);
    OTHER.ticks_total.increment();
    let default = Other::default();
    default.ticks_total.increment();
    let names: Vec<_> = metrics_runtime::metric_families().into_iter().map(|f| f.name).collect();
    assert!(names.contains(&"pass_runs_total") && names.contains(&"pass_other_ticks_total"));
}
