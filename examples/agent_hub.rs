//! Domain metrics declared once as typed Rust: those of an MCP hub (caches, LLM calls,
//! retries, code execution, operations per agent) and of an agent platform (agents, runs,
//! events per store, notifications, a daily page quota, rules, database connections).
//!
//! Runs one fixed round of simulated work, so every value is known, then serves `/metrics`:
//!
//! ```text
//! cargo run --example agent_hub                  # serves until Ctrl-C
//! cargo run --example agent_hub -- --for 5       # stops after 5 seconds
//! METRICS_ADDR=127.0.0.1:9100 cargo run --example agent_hub
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use metrics_runtime::{
    install_exporter, CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics,
    RegisteredValue, ValueSet,
};

// ----- Label values: fixed sets, known when the code is written.

#[derive(Clone, Copy, LabelValue)]
enum CacheType {
    Llm,
    Embeddings,
    ToolResults,
}

#[derive(Clone, Copy, LabelValue)]
enum Provider {
    Openai,
    Anthropic,
}

#[derive(Clone, Copy, LabelValue)]
enum Model {
    Small,
    Large,
}

#[derive(Clone, Copy, LabelValue)]
enum Service {
    Llm,
    Search,
}

#[derive(Clone, Copy, LabelValue)]
enum Attempt {
    First,
    Second,
    Third,
}

#[derive(Clone, Copy, LabelValue)]
enum Outcome {
    Success,
    Failure,
    Timeout,
}

#[derive(Clone, Copy, LabelValue)]
enum EventType {
    OrderCreated,
    PriceChanged,
}

#[derive(Clone, Copy, LabelValue)]
enum Channel {
    Slack,
    Email,
}

// ----- Label values known at start-up: ids from the configuration, with a hard cap.

/// Agent ids, from the configuration; anything else is `other`.
static AGENTS: ValueSet = ValueSet::new("agent_id", 16);
/// Store ids, from the configuration.
static STORES: ValueSet = ValueSet::new("store_id", 64);

// ----- Label sets: one struct per combination of labels.

#[derive(Clone, Copy, LabelSet)]
struct Cache {
    cache_type: CacheType,
}

#[derive(Clone, Copy, LabelSet)]
struct LlmCall {
    provider: Provider,
    model: Model,
}

#[derive(Clone, Copy, LabelSet)]
struct LlmProvider {
    provider: Provider,
}

#[derive(Clone, Copy, LabelSet)]
struct Retry {
    service: Service,
    attempt: Attempt,
}

#[derive(Clone, Copy, LabelSet)]
struct RetriedService {
    service: Service,
}

#[derive(Clone, Copy, LabelSet)]
struct Execution {
    status: Outcome,
}

#[derive(Clone, Copy, LabelSet)]
struct AgentLabel {
    #[label(values = AGENTS)]
    agent: RegisteredValue,
}

#[derive(Clone, Copy, LabelSet)]
struct AgentRun {
    #[label(values = AGENTS)]
    agent_id: RegisteredValue,
    status: Outcome,
}

#[derive(Clone, Copy, LabelSet)]
struct StoreEvent {
    event_type: EventType,
    #[label(values = STORES)]
    store_id: RegisteredValue,
}

#[derive(Clone, Copy, LabelSet)]
struct Notification {
    channel: Channel,
    delivered: bool,
}

// ----- The metrics, declared once.

#[derive(Metrics)]
#[metrics(prefix = "hub")]
struct HubMetrics {
    /// Cache lookups that found a value, by cache.
    cache_hits_total: Counter<Cache>,
    /// Cache lookups that found nothing, by cache.
    cache_misses_total: Counter<Cache>,
    /// Calls to LLM APIs, by provider and model.
    llm_api_calls_total: Counter<LlmCall>,
    /// Latency of LLM API calls, by provider.
    #[metric(buckets = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0])]
    llm_call_duration_seconds: Histogram<LlmProvider>,
    /// Retries of calls to other services, by service and attempt.
    retries_total: Counter<Retry>,
    /// Calls that failed after their last retry, by service.
    retries_exhausted_total: Counter<RetriedService>,
    /// Code executions, by outcome.
    code_executions_total: Counter<Execution>,
    /// Operations running now, by agent.
    active_operations: Gauge<AgentLabel>,
}

#[derive(Metrics)]
#[metrics(prefix = "bgw")]
struct PlatformMetrics {
    /// Agents running now.
    active_agents: Gauge,
    /// Agent runs, by agent and outcome.
    agent_runs_total: Counter<AgentRun>,
    /// Events created, by type and store.
    events_created_total: Counter<StoreEvent>,
    /// Notifications sent, by channel and whether they were delivered.
    notifications_sent_total: Counter<Notification>,
    /// Pages used today, read from the quota store at each scrape.
    daily_pages_used: CallbackGauge,
    /// Pages allowed per day.
    daily_pages_cap: CallbackGauge,
    /// Rules currently active.
    rules_active: Gauge,
    /// Database connections in use, read from the pool at each scrape.
    database_connections_active: CallbackGauge,
}

static HUB: HubMetrics = HubMetrics::new();
static PLATFORM: PlatformMetrics = PlatformMetrics::new();

/// Pages used today, as a quota store would keep them.
static PAGES_USED: AtomicU64 = AtomicU64::new(0);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let run_for = parse_duration_flag()?;
    // Ids known at start-up, as if read from the configuration.
    AGENTS.register(["planner", "coder", "reviewer"])?;
    STORES.register(["berlin", "lisbon"])?;

    let exporter = install_exporter!()?;
    let address = exporter.local_addr().expect("the exporter listens");

    PLATFORM
        .daily_pages_used
        .set_callback(|| PAGES_USED.load(Ordering::Relaxed) as f64);
    PLATFORM.daily_pages_cap.set_callback(|| 500.0);
    PLATFORM.database_connections_active.set_callback(|| 3.0);

    simulate_one_round().await;

    println!("Serving metrics on http://{address}/metrics");
    println!(
        "Try:  curl -s http://127.0.0.1:{}/metrics | grep -E '^(hub|bgw)_'",
        address.port()
    );
    match run_for {
        Some(limit) => tokio::time::sleep(limit).await,
        None => tokio::signal::ctrl_c().await?,
    }
    Ok(())
}

/// One round of work with fixed counts: the test of this example checks them.
async fn simulate_one_round() {
    let planner = AGENTS.get("planner");
    let coder = AGENTS.get("coder");
    // Not in the configuration: recorded as `other`, and counted.
    let unknown = AGENTS.get("visitor");

    // The planner looks things up: 3 LLM cache hits, 1 miss, 2 embedding misses.
    {
        let _operation = HUB
            .active_operations
            .with(AgentLabel { agent: planner })
            .track();
        let llm = Cache {
            cache_type: CacheType::Llm,
        };
        HUB.cache_hits_total.with(llm).increment_by(3);
        HUB.cache_misses_total.with(llm).increment();
        HUB.cache_misses_total
            .with(Cache {
                cache_type: CacheType::Embeddings,
            })
            .increment_by(2);
    }

    // Two LLM calls to the large OpenAI model, one to the small Anthropic model.
    for (provider, model, seconds) in [
        (Provider::Openai, Model::Large, 1.5),
        (Provider::Openai, Model::Large, 0.25),
        (Provider::Anthropic, Model::Small, 40.0),
    ] {
        HUB.llm_api_calls_total
            .with(LlmCall { provider, model })
            .increment();
        HUB.llm_call_duration_seconds
            .with(LlmProvider { provider })
            .observe(seconds);
    }

    // The search service needs two retries, then gives up.
    for attempt in [Attempt::First, Attempt::Second] {
        HUB.retries_total
            .with(Retry {
                service: Service::Search,
                attempt,
            })
            .increment();
    }
    HUB.retries_exhausted_total
        .with(RetriedService {
            service: Service::Search,
        })
        .increment();

    // Code execution: 4 successes, 1 timeout.
    let executions = |status| HUB.code_executions_total.with(Execution { status });
    executions(Outcome::Success).increment_by(4);
    executions(Outcome::Timeout).increment();

    // Agent runs: the coder stays active; the planner succeeds twice; the unknown agent fails.
    // An operation still running when scraped (`track()` guards end with their scope).
    HUB.active_operations
        .with(AgentLabel { agent: coder })
        .increment(1.0);
    PLATFORM.active_agents.set(2.0);
    let runs = |agent_id, status| {
        PLATFORM
            .agent_runs_total
            .with(AgentRun { agent_id, status })
    };
    runs(planner, Outcome::Success).increment_by(2);
    runs(unknown, Outcome::Failure).increment();

    // Events per store, notifications per channel.
    let event = |event_type, store| {
        PLATFORM.events_created_total.with(StoreEvent {
            event_type,
            store_id: STORES.get(store),
        })
    };
    event(EventType::OrderCreated, "berlin").increment_by(5);
    event(EventType::PriceChanged, "lisbon").increment();
    let notifications = |channel, delivered| {
        PLATFORM
            .notifications_sent_total
            .with(Notification { channel, delivered })
    };
    notifications(Channel::Slack, true).increment_by(3);
    notifications(Channel::Email, false).increment();

    PLATFORM.rules_active.set(7.0);
    PAGES_USED.store(120, Ordering::Relaxed);
    tokio::task::yield_now().await;
}

/// `--for SECONDS`: stop after that long (the default is to run until Ctrl-C).
fn parse_duration_flag() -> Result<Option<Duration>, String> {
    let mut args = std::env::args().skip(1);
    let mut run_for = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--for" => {
                let value = args.next().ok_or("--for needs a number of seconds")?;
                let seconds: f64 = value
                    .parse()
                    .map_err(|_| format!("--for takes seconds, not `{value}`"))?;
                run_for = Some(Duration::from_secs_f64(seconds));
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: agent_hub [--for SECONDS]"
                ))
            }
        }
    }
    Ok(run_for)
}
