//! The typed-metrics example, run for real: `examples/agent_hub.rs` does one fixed round of
//! work, and its `/metrics`, scraped over HTTP, holds exactly those counts, every label
//! combination it never touched at zero, and HELP from the doc comments; promtool and Python's
//! `prometheus_client` read it, and `/catalog` lists the typed families.

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};

use metrics_toolkit::{
    build_example, expect_value, promtool_check_metrics, python_samples, try_request,
};

#[test]
fn agent_hub_serves_its_typed_metrics_exactly() {
    let address = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut child = Command::new(build_example("agent_hub"))
        .args(["--for", "60"])
        .env("METRICS_ADDR", address.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the agent_hub example starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let _child = KillOnDrop(child);

    // The example prints where it serves once its round of work is done.
    // The pipe stays open while the test runs: the example prints more.
    let mut stdout = BufReader::new(stdout);
    let mut first = String::new();
    stdout
        .read_line(&mut first)
        .expect("the example prints its address");
    assert_eq!(
        first,
        format!("Serving metrics on http://{address}/metrics\n")
    );
    let text = try_request("GET", address, "/metrics")
        .expect("the example serves /metrics")
        .body;

    // MCP hub.
    let exact = |name: &str, labels: &[(&str, &str)], expected: f64| {
        assert_eq!(
            expect_value(&text, name, labels),
            expected,
            "{name} {labels:?}"
        );
    };
    exact("hub_cache_hits_total", &[("cache_type", "llm")], 3.0);
    exact(
        "hub_cache_hits_total",
        &[("cache_type", "tool_results")],
        0.0,
    );
    exact("hub_cache_misses_total", &[("cache_type", "llm")], 1.0);
    exact(
        "hub_cache_misses_total",
        &[("cache_type", "embeddings")],
        2.0,
    );
    exact(
        "hub_llm_api_calls_total",
        &[("provider", "openai"), ("model", "large")],
        2.0,
    );
    exact(
        "hub_llm_api_calls_total",
        &[("provider", "anthropic"), ("model", "small")],
        1.0,
    );
    exact(
        "hub_llm_api_calls_total",
        &[("provider", "anthropic"), ("model", "large")],
        0.0,
    );
    let openai = [("provider", "openai")];
    exact("hub_llm_call_duration_seconds_count", &openai, 2.0);
    exact("hub_llm_call_duration_seconds_sum", &openai, 1.75);
    exact(
        "hub_llm_call_duration_seconds_bucket",
        &[("provider", "openai"), ("le", "0.5")],
        1.0,
    );
    exact(
        "hub_llm_call_duration_seconds_bucket",
        &[("provider", "anthropic"), ("le", "30")],
        0.0,
    );
    exact(
        "hub_llm_call_duration_seconds_bucket",
        &[("provider", "anthropic"), ("le", "60")],
        1.0,
    );
    exact(
        "hub_retries_total",
        &[("service", "search"), ("attempt", "first")],
        1.0,
    );
    exact(
        "hub_retries_total",
        &[("service", "search"), ("attempt", "second")],
        1.0,
    );
    exact(
        "hub_retries_total",
        &[("service", "search"), ("attempt", "third")],
        0.0,
    );
    exact("hub_retries_exhausted_total", &[("service", "search")], 1.0);
    exact("hub_retries_exhausted_total", &[("service", "llm")], 0.0);
    exact("hub_code_executions_total", &[("status", "success")], 4.0);
    exact("hub_code_executions_total", &[("status", "timeout")], 1.0);
    exact("hub_code_executions_total", &[("status", "failure")], 0.0);
    exact("hub_active_operations", &[("agent", "planner")], 0.0);
    exact("hub_active_operations", &[("agent", "coder")], 1.0);
    exact("hub_active_operations", &[("agent", "other")], 0.0);

    // Agent platform.
    exact("bgw_active_agents", &[], 2.0);
    exact(
        "bgw_agent_runs_total",
        &[("agent_id", "planner"), ("status", "success")],
        2.0,
    );
    exact(
        "bgw_agent_runs_total",
        &[("agent_id", "other"), ("status", "failure")],
        1.0,
    );
    exact(
        "bgw_agent_runs_total",
        &[("agent_id", "reviewer"), ("status", "timeout")],
        0.0,
    );
    exact(
        "bgw_events_created_total",
        &[("event_type", "order_created"), ("store_id", "berlin")],
        5.0,
    );
    exact(
        "bgw_events_created_total",
        &[("event_type", "price_changed"), ("store_id", "lisbon")],
        1.0,
    );
    exact(
        "bgw_events_created_total",
        &[("event_type", "price_changed"), ("store_id", "other")],
        0.0,
    );
    exact(
        "bgw_notifications_sent_total",
        &[("channel", "slack"), ("delivered", "true")],
        3.0,
    );
    exact(
        "bgw_notifications_sent_total",
        &[("channel", "email"), ("delivered", "false")],
        1.0,
    );
    exact("bgw_daily_pages_used", &[], 120.0);
    exact("bgw_daily_pages_cap", &[], 500.0);
    exact("bgw_rules_active", &[], 7.0);
    exact("bgw_database_connections_active", &[], 3.0);
    // The visitor was not in the configuration.
    exact(
        "metrics_runtime_label_values_overflow_total",
        &[("set", "agent_id")],
        1.0,
    );

    // Series per family: every combination, touched or not.
    let lines = |prefix: &str| text.lines().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(lines("bgw_agent_runs_total{"), 4 * 3);
    assert_eq!(lines("bgw_events_created_total{"), 2 * 3);
    assert_eq!(lines("hub_llm_call_duration_seconds_bucket{"), 2 * 9);
    assert!(
        text.contains("# HELP hub_cache_hits_total Cache lookups that found a value, by cache.\n")
    );
    assert!(text.contains("# TYPE hub_llm_call_duration_seconds histogram\n"));
    promtool_check_metrics(&text);

    if let Some(samples) = python_samples(&text, false) {
        let python = |name: &str, labels: serde_json::Value| {
            samples
                .iter()
                .find(|s| s["name"] == name && s["labels"] == labels)
                .and_then(|s| s["value"].as_f64())
        };
        assert_eq!(
            python(
                "bgw_agent_runs_total",
                serde_json::json!({"agent_id": "planner", "status": "success"})
            ),
            Some(2.0)
        );
        assert_eq!(
            python(
                "hub_llm_call_duration_seconds_sum",
                serde_json::json!({"provider": "openai"})
            ),
            Some(1.75)
        );
        let help = samples
            .iter()
            .find(|s| s["family"] == "bgw_daily_pages_used")
            .map(|s| s["help"].clone());
        assert_eq!(
            help,
            Some(serde_json::json!(
                "Pages used today, read from the quota store at each scrape."
            ))
        );
    }

    // The catalog lists the typed families with their labels and values.
    let catalog: serde_json::Value = serde_json::from_str(
        &try_request("GET", address, "/catalog")
            .expect("/catalog answers")
            .body,
    )
    .unwrap();
    let runs = catalog["metrics"]
        .as_array()
        .expect("a list of typed metrics")
        .iter()
        .find(|m| m["name"] == "bgw_agent_runs_total")
        .expect("bgw_agent_runs_total in /catalog");
    assert_eq!(runs["kind"], "counter");
    assert_eq!(runs["help"], "Agent runs, by agent and outcome.");
    assert_eq!(
        runs["labels"],
        serde_json::json!([
            {"name": "agent_id", "values": ["planner", "coder", "reviewer", "other"]},
            {"name": "status", "values": ["success", "failure", "timeout"]},
        ])
    );
}

/// Stops the example however the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}
