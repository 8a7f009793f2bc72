//! Typed metric families over a real scrape: every combination at zero from install, exact
//! values after updates, value sets with `other`, callback gauges that are slow, panic or
//! give no number, and the catalog.

use std::time::Duration;

use metrics_runtime::testing::Snapshot;
use metrics_runtime::{
    CallbackGauge, Counter, Gauge, Histogram, LabelSet, LabelValue, Metrics, RegisteredValue,
    ValueSet,
};
use metrics_toolkit::{expect_value, get, promtool_check_metrics, scrape, value};

#[derive(Clone, Copy, LabelValue)]
enum CacheType {
    Llm,
    Embeddings,
    Tools,
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

static AGENTS: ValueSet = ValueSet::new("agent", 4);

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
}

#[derive(Metrics)]
#[metrics(prefix = "typed")]
struct TypedMetrics {
    /// Cache lookups by cache and result.
    cache_lookups_total: Counter<CacheLookup>,
    /// Agent runs, by agent and "whether it succeeded".
    agent_runs_total: Counter<AgentRun>,
    /// Batches flushed.
    batches_total: Counter,
    /// Operations running now,
    /// by provider.
    active_operations: Gauge<Provider>,
    /// Rules active.
    rules_active: Gauge,
    /// LLM call latency.
    #[metric(buckets = [0.1, 1.0, 10.0])]
    llm_call_duration_seconds: Histogram<Provider>,
    /// Pages used today.
    daily_pages_used: CallbackGauge,
    /// Connections of the pool, computed slowly.
    slow_connections: CallbackGauge,
    /// A callback that panics.
    broken_reading: CallbackGauge,
    /// A callback that gives no number.
    not_a_number: CallbackGauge,
}

static METRICS: TypedMetrics = TypedMetrics::new();

#[test]
fn typed_families_are_exported_from_install_and_count_exactly() {
    // The panic hook runs on the callback's thread before it unwinds: with RUST_BACKTRACE
    // set, printing the broken callback's backtrace can take longer than the 250 ms a
    // callback has, and the panic would count as a timeout. Its report is left out; every
    // other panic is reported as usual.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() != Some(&"the reading is broken") {
            report(info);
        }
    }));
    metrics_toolkit::exporter();
    AGENTS.register(["planner", "coder"]).unwrap();

    // Zero from install: 3 x 2 cache combinations, (2 agents + other) x 2 runs.
    let text = scrape();
    for cache in ["llm", "embeddings", "tools"] {
        for result in ["hit", "miss"] {
            assert_eq!(
                value(
                    &text,
                    "typed_cache_lookups_total",
                    &[("cache_type", cache), ("result", result)]
                ),
                Some(0.0),
                "{text}"
            );
        }
    }
    for agent in ["planner", "coder", "other"] {
        for succeeded in ["true", "false"] {
            assert_eq!(
                value(
                    &text,
                    "typed_agent_runs_total",
                    &[("agent_id", agent), ("succeeded", succeeded)]
                ),
                Some(0.0),
                "{text}"
            );
        }
    }
    assert_eq!(value(&text, "typed_batches_total", &[]), Some(0.0));
    assert_eq!(
        value(
            &text,
            "typed_llm_call_duration_seconds_count",
            &[("provider", "tools")]
        ),
        Some(0.0)
    );
    assert!(text.contains("# HELP typed_active_operations Operations running now, by provider.\n"));
    assert!(text.contains(
        "# HELP typed_agent_runs_total Agent runs, by agent and \"whether it succeeded\".\n"
    ));
    assert!(text.contains("# TYPE typed_llm_call_duration_seconds histogram\n"));

    // Updates.
    let before = Snapshot::take();
    let llm_hit = CacheLookup {
        cache_type: CacheType::Llm,
        result: CacheResult::Hit,
    };
    for _ in 0..7 {
        METRICS.cache_lookups_total.with(llm_hit).increment();
    }
    METRICS
        .cache_lookups_total
        .with(CacheLookup {
            cache_type: CacheType::Tools,
            result: CacheResult::Miss,
        })
        .increment_by(5);
    let planner = AGENTS.get("planner");
    let stranger = AGENTS.get("stranger");
    assert_eq!(stranger.as_str(), "other");
    METRICS
        .agent_runs_total
        .with(AgentRun {
            agent_id: planner,
            succeeded: true,
        })
        .increment();
    METRICS
        .agent_runs_total
        .with(AgentRun {
            agent_id: stranger,
            succeeded: false,
        })
        .increment_by(2);
    METRICS.batches_total.increment();
    // Another `metrics` user cannot write into a typed family.
    metrics::counter!("typed_batches_total").increment(100);
    metrics::gauge!("typed_llm_call_duration_seconds_count").set(3.0);
    let embeddings = Provider {
        name: CacheType::Embeddings,
    };
    let held = METRICS.active_operations.with(embeddings).track();
    let _also = METRICS.active_operations.with(embeddings).track();
    drop(held);
    METRICS.rules_active.set(12.5);
    METRICS.rules_active.increment(2.0);
    METRICS.rules_active.decrement(0.5);
    for seconds in [0.05, 0.5, 5.0, 50.0] {
        METRICS
            .llm_call_duration_seconds
            .with(embeddings)
            .observe(seconds);
    }
    METRICS.daily_pages_used.set_callback(|| 321.0);
    METRICS.slow_connections.set_callback(|| {
        std::thread::sleep(Duration::from_secs(2));
        4.0
    });
    METRICS
        .broken_reading
        .set_callback(|| panic!("the reading is broken"));
    METRICS.not_a_number.set_callback(|| f64::NAN);

    let text = scrape();
    let llm = [("cache_type", "llm"), ("result", "hit")];
    assert_eq!(expect_value(&text, "typed_cache_lookups_total", &llm), 7.0);
    let tools = [("cache_type", "tools"), ("result", "miss")];
    assert_eq!(
        expect_value(&text, "typed_cache_lookups_total", &tools),
        5.0
    );
    let untouched = [("cache_type", "embeddings"), ("result", "hit")];
    assert_eq!(
        expect_value(&text, "typed_cache_lookups_total", &untouched),
        0.0
    );
    let planner_ok = [("agent_id", "planner"), ("succeeded", "true")];
    assert_eq!(
        expect_value(&text, "typed_agent_runs_total", &planner_ok),
        1.0
    );
    let other_failed = [("agent_id", "other"), ("succeeded", "false")];
    assert_eq!(
        expect_value(&text, "typed_agent_runs_total", &other_failed),
        2.0
    );
    assert_eq!(
        expect_value(
            &text,
            "metrics_runtime_label_values_overflow_total",
            &[("set", "agent")]
        ),
        1.0
    );
    assert_eq!(expect_value(&text, "typed_batches_total", &[]), 1.0);
    assert_eq!(
        text.matches("# TYPE typed_batches_total ").count(),
        1,
        "{text}"
    );
    assert_eq!(
        expect_value(
            &text,
            "metrics_runtime_foreign_series_dropped_total",
            &[("reason", "metrics_runtime_family")]
        ),
        2.0
    );
    let provider = [("provider", "embeddings")];
    assert_eq!(
        expect_value(&text, "typed_active_operations", &provider),
        1.0
    );
    assert_eq!(expect_value(&text, "typed_rules_active", &[]), 14.0);
    let bucket = |le: &str| {
        expect_value(
            &text,
            "typed_llm_call_duration_seconds_bucket",
            &[("provider", "embeddings"), ("le", le)],
        )
    };
    assert_eq!(
        [bucket("0.1"), bucket("1"), bucket("10"), bucket("+Inf")],
        [1.0, 2.0, 3.0, 4.0]
    );
    assert_eq!(
        expect_value(&text, "typed_llm_call_duration_seconds_sum", &provider),
        55.55
    );
    assert_eq!(expect_value(&text, "typed_daily_pages_used", &[]), 321.0);
    // Slow, panicking and NaN callbacks leave their series out and are counted.
    for (family, present) in [
        ("typed_slow_connections", false),
        ("typed_broken_reading", false),
        ("typed_not_a_number", false),
    ] {
        assert_eq!(
            value(&text, family, &[]).is_some(),
            present,
            "{family}\n{text}"
        );
    }
    let failures = |family: &str, reason: &str| {
        expect_value(
            &text,
            "metrics_runtime_callback_failures_total",
            &[("family", family), ("reason", reason)],
        )
    };
    assert_eq!(failures("typed_slow_connections", "timeout"), 1.0);
    assert_eq!(failures("typed_broken_reading", "panic"), 1.0);
    assert_eq!(failures("typed_not_a_number", "not_finite"), 1.0);
    assert_eq!(failures("typed_daily_pages_used", "timeout"), 0.0);
    promtool_check_metrics(&text);

    // The testing helpers read typed families too.
    let delta = Snapshot::take().since(&before);
    assert_eq!(delta.counter("typed_cache_lookups_total", &llm), 7);
    assert_eq!(
        delta.histogram_count("typed_llm_call_duration_seconds", &provider),
        4
    );

    // The catalog lists every typed family with its labels and values.
    let catalog: serde_json::Value =
        serde_json::from_str(&get(metrics_toolkit::address(), "/catalog").body).unwrap();
    let runs = catalog["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "typed_agent_runs_total")
        .expect("typed_agent_runs_total in /catalog");
    assert_eq!(runs["kind"], "counter");
    assert_eq!(
        runs["labels"],
        serde_json::json!([
            {"name": "agent_id", "values": ["planner", "coder", "other"]},
            {"name": "succeeded", "values": ["false", "true"]},
        ])
    );
}
