//! Every accepted form of `#[derive(LabelSet)]` and `#[derive(Metrics)]`: prefixes with and
//! without a trailing `_`, no prefix, `name =`, `rename`, raw identifiers, buckets, the four
//! kinds, `()` labels, `bool` and value-set labels, and `crate = "..."` on both derives.

use metrics_runtime::{
    metric_families, CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics,
    RegisteredValue, ValueSet,
};

// The crate under another name, as after `[dependencies] my_metrics = { package = ... }`.
use metrics_runtime as my_metrics;

#[derive(Clone, Copy, LabelValue)]
enum CacheType {
    Llm,
    Embeddings,
}

#[derive(Clone, Copy, LabelValue)]
enum CacheResult {
    Hit,
    Miss,
}

#[derive(Clone, Copy, LabelSet)]
struct CacheLookup {
    cache_type: CacheType,
    result: CacheResult,
}

static AGENTS: ValueSet = ValueSet::new("typed_pass_agent", 4);

#[derive(Clone, Copy, LabelSet)]
struct AgentRun {
    #[label(values = AGENTS)]
    agent_id: RegisteredValue,
    succeeded: bool,
}

#[derive(Clone, Copy, LabelSet)]
struct Provider {
    #[label(rename = "provider")]
    name: CacheType,
    /// A raw identifier is the label `type`.
    r#type: CacheResult,
}

#[derive(Clone, Copy, LabelSet)]
#[label(crate = "my_metrics")]
struct Renamed {
    cache_type: CacheType,
}

/// Prefix without a trailing `_`.
#[derive(Metrics)]
#[metrics(prefix = "typed_pass")]
struct PassMetrics {
    /// Cache lookups by cache and result.
    cache_lookups_total: Counter<CacheLookup>,
    /// Agent runs, by agent and whether it succeeded.
    agent_runs_total: Counter<AgentRun>,
    /// Batches flushed.
    batches_total: Counter<()>,
    /// Operations running now, by provider.
    active_operations: Gauge<Provider>,
    /// Rules active.
    rules_active: Gauge,
    /// LLM call latency.
    #[metric(buckets = [0.1, 1.0, 10.0])]
    llm_call_duration_seconds: Histogram<Provider>,
    /// Queue wait, default buckets.
    queue_wait_seconds: Histogram,
    /// Size of request payloads.
    #[metric(buckets = [1024, 65536.0, 1048576])]
    payload_size_bytes: Histogram,
    /// Pages used today.
    daily_pages_used: CallbackGauge,
    /// Pages used today, by cache.
    pages_by_cache: CallbackGauge<Renamed>,
    /// A name of its own, without the prefix.
    #[metric(name = "typed_pass_other_lookups_total")]
    lookups_total: Counter,
}

/// Prefix with a trailing `_`, and the crate renamed.
#[derive(Metrics)]
#[metrics(prefix = "typed_pass_b_", crate = "my_metrics")]
struct TrailingPrefix {
    /// Retries.
    retries_total: Counter<Renamed>,
}

/// No prefix at all.
#[derive(Metrics)]
pub struct NoPrefix {
    /// Documented over
    ///
    /// two lines.
    typed_pass_plain_total: Counter,
}

static METRICS: PassMetrics = PassMetrics::new();
static TRAILING: TrailingPrefix = TrailingPrefix::new();
static PLAIN: NoPrefix = NoPrefix::new();

fn main() {
    AGENTS.register(["planner", "coder"]).unwrap();

    let lookup = CacheLookup {
        cache_type: CacheType::Llm,
        result: CacheResult::Hit,
    };
    METRICS.cache_lookups_total.with(lookup).increment();
    METRICS
        .agent_runs_total
        .with(AgentRun {
            agent_id: AGENTS.get("coder"),
            succeeded: true,
        })
        .increment_by(2);
    METRICS.batches_total.increment();
    let provider = Provider {
        name: CacheType::Embeddings,
        r#type: CacheResult::Miss,
    };
    {
        let _running = METRICS.active_operations.with(provider).track();
    }
    METRICS.rules_active.set(3.0);
    METRICS.llm_call_duration_seconds.with(provider).observe(0.4);
    drop(METRICS.queue_wait_seconds.start_timer());
    METRICS.payload_size_bytes.observe(2048.0);
    METRICS.daily_pages_used.set_callback(|| 12.0);
    METRICS.pages_by_cache.set_callback_with(
        Renamed {
            cache_type: CacheType::Llm,
        },
        || 1.0,
    );
    METRICS.lookups_total.increment();
    TRAILING
        .retries_total
        .with(Renamed {
            cache_type: CacheType::Embeddings,
        })
        .increment();
    PLAIN.typed_pass_plain_total.increment();
    let _default = PassMetrics::default();

    let families = metric_families();
    let family = |name: &str| {
        families
            .iter()
            .find(|family| family.name == name)
            .unwrap_or_else(|| panic!("no family {name}: {families:#?}"))
    };
    assert_eq!(family("typed_pass_cache_lookups_total").kind, "counter");
    assert_eq!(
        family("typed_pass_cache_lookups_total").labels,
        [
            ("cache_type", vec!["llm", "embeddings"]),
            ("result", vec!["hit", "miss"])
        ]
    );
    assert_eq!(
        family("typed_pass_agent_runs_total").labels,
        [
            ("agent_id", vec!["planner", "coder", "other"]),
            ("succeeded", vec!["false", "true"])
        ]
    );
    assert_eq!(family("typed_pass_batches_total").labels, []);
    assert_eq!(family("typed_pass_active_operations").kind, "gauge");
    assert_eq!(
        family("typed_pass_active_operations")
            .labels
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>(),
        ["provider", "type"]
    );
    assert_eq!(family("typed_pass_rules_active").help, "Rules active.");
    assert_eq!(family("typed_pass_llm_call_duration_seconds").kind, "histogram");
    assert_eq!(
        family("typed_pass_llm_call_duration_seconds").buckets,
        [0.1, 1.0, 10.0]
    );
    assert_eq!(
        family("typed_pass_queue_wait_seconds").buckets,
        metrics_runtime::DEFAULT_BUCKETS
    );
    assert_eq!(
        family("typed_pass_payload_size_bytes").buckets,
        [1024.0, 65536.0, 1048576.0]
    );
    assert_eq!(family("typed_pass_daily_pages_used").kind, "gauge");
    assert_eq!(family("typed_pass_pages_by_cache").kind, "gauge");
    family("typed_pass_other_lookups_total");
    assert!(families.iter().all(|family| family.name != "typed_pass_lookups_total"));
    assert_eq!(family("typed_pass_b_retries_total").kind, "counter");
    assert_eq!(
        family("typed_pass_plain_total").help,
        "Documented over two lines."
    );
}
