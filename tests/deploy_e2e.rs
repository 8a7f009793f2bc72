//! `deploy/` against a real Prometheus: the example MCP server runs in process on free loopback
//! ports next to the exporter, rmcp's own client calls its tools with known counts and a known
//! error share, and a real `prometheus` (Debian's package) scrapes it every second with the
//! rule files of `deploy/prometheus/rules/` loaded. Through Prometheus' HTTP API the test then
//! proves that the target is up, the counters read back exactly what was sent, the recording
//! rules give the expected rates and ratios, `ToolHighErrorRatio` fires for the failing tool
//! and never for the healthy one, and every PromQL expression of the Grafana dashboards in
//! `deploy/grafana/dashboards/` parses and returns data, and a call traced with OpenTelemetry
//! leaves its trace ID as an exemplar on its bucket in Prometheus' exemplar storage. A second
//! test runs `deploy/check.sh`.

#[allow(dead_code)]
#[path = "../examples/mcp_server.rs"]
mod mcp_server;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use metrics_runtime::monitored;
use metrics_toolkit::mcp::{call, connect, text, Client};
use metrics_toolkit::{free_address, on_path, required_in_ci, substitute_variables, walk_panels};
use rmcp::service::{Peer, RoleClient};
use serde_json::{json, Value};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The `server` label of the example's tools (the package name).
const SERVER: &str = "metrics-toolkit";
/// The scrape job of the test's Prometheus configuration, as in deploy/prometheus/prometheus.yml.
const JOB: &str = "metrics-runtime";
/// Every tool of the example server.
const TOOLS: [&str; 5] = ["divide", "echo", "lookup", "sleep", "validate"];
/// Every value of `status`; each series exists at zero from the start.
const STATUSES: [&str; 4] = ["ok", "error", "panic", "cancelled"];
/// One call of each steady tool per tick while the alert builds up.
const TICK: Duration = Duration::from_millis(200);
/// How often Prometheus is asked again while waiting for something.
const POLL: Duration = Duration::from_millis(500);

/// Dashboard expressions that may legitimately return no data in this setup: (dashboard file,
/// panel title, reason). They must still parse. Keep this list tiny and justified.
const MAY_BE_EMPTY: &[(&str, &str, &str)] = &[
    (
        "host-process.json",
        "Container CPU",
        "no cAdvisor in the test: container metrics come from cAdvisor in docker-compose",
    ),
    (
        "host-process.json",
        "Container memory",
        "no cAdvisor in the test: container metrics come from cAdvisor in docker-compose",
    ),
    (
        "host-process.json",
        "Container network",
        "no cAdvisor in the test: container metrics come from cAdvisor in docker-compose",
    ),
];

// --- Function traffic, so that the `function_*` dashboards have data --------------------------

/// Parses a quantity; fails on anything but digits (`error_type="ParseIntError"`). Its objective
/// gives the Objectives dashboard and `rules/objectives.yml` data: both SLIs, 5 ms being one of
/// the default bounds.
#[monitored(objective(
    name = "quantities",
    success = 99.0,
    latency = 0.005,
    latency_target = 99
))]
fn parse_quantity(text: &str) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

/// Takes far longer than the caller waits: always `cancelled`.
#[monitored]
async fn slow_step() {
    tokio::time::sleep(Duration::from_secs(30)).await;
}

// --- What the test sent ------------------------------------------------------------------------

/// Calls sent, per (family, name, status), counted by the traffic as each call completes.
#[derive(Debug)]
struct Sent {
    calls: BTreeMap<(&'static str, &'static str), AtomicU64>,
}

impl Sent {
    fn new() -> Self {
        let mut calls = BTreeMap::new();
        for tool in TOOLS.iter().chain(["parse_quantity", "slow_step"].iter()) {
            for status in STATUSES {
                calls.insert((*tool, status), AtomicU64::new(0));
            }
        }
        Self { calls }
    }

    fn add(&self, name: &'static str, status: &'static str) {
        self.calls[&(name, status)].fetch_add(1, Ordering::SeqCst);
    }

    fn get(&self, name: &str, status: &str) -> u64 {
        self.calls
            .iter()
            .find(|((n, s), _)| *n == name && *s == status)
            .map_or(0, |(_, count)| count.load(Ordering::SeqCst))
    }
}

/// A burst of one-off calls (lookup, validate, sleep, the cancelled function), then `echo` and
/// `divide` (every other one by zero) and `parse_quantity` (every fourth one fails) once per
/// [`TICK`] until `stop` is cancelled. Every call is checked and counted in `sent`.
async fn drive_traffic(client: Peer<RoleClient>, sent: Arc<Sent>, stop: CancellationToken) {
    // lookup: 2 known keys, 3 unknown (a result flagged is_error): error share 3/5.
    for key in ["rust", "cobol", "mcp", "fortran", "lisp"] {
        let result = call(&client, "lookup", json!({ "key": key }))
            .await
            .unwrap();
        let unknown = !["rust", "mcp"].contains(&key);
        assert_eq!(
            result.is_error == Some(true),
            unknown,
            "lookup {key}: {result:?}"
        );
        sent.add("lookup", if unknown { "error" } else { "ok" });
    }
    // validate: 1 fine, 2 protocol errors.
    for email in ["a@example.com", "nobody", "still-nobody"] {
        let result = call(&client, "validate", json!({ "email": email })).await;
        if email.contains('@') {
            result.unwrap();
            sent.add("validate", "ok");
        } else {
            let error = result.unwrap_err();
            assert!(error.to_string().contains("needs an `@`"), "{error}");
            sent.add("validate", "error");
        }
    }
    // sleep: 2 calls of 30 ms.
    for _ in 0..2 {
        let result = call(&client, "sleep", json!({ "millis": 30 }))
            .await
            .unwrap();
        assert_eq!(text(&result), "slept 30 ms");
        sent.add("sleep", "ok");
    }
    // One cancelled function call.
    let timed_out = tokio::time::timeout(Duration::from_millis(20), slow_step()).await;
    assert!(timed_out.is_err(), "slow_step finished early");
    sent.add("slow_step", "cancelled");

    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for i in 0u64.. {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => {}
        }
        let echoed = call(&client, "echo", json!({ "text": format!("hi {i}") }))
            .await
            .unwrap();
        assert_eq!(text(&echoed), format!("hi {i}"));
        sent.add("echo", "ok");

        let by_zero = i % 2 == 0;
        let divisor = if by_zero { 0.0 } else { 2.0 };
        let divided = call(
            &client,
            "divide",
            json!({ "dividend": 7.0, "divisor": divisor }),
        )
        .await
        .unwrap();
        assert_eq!(divided.is_error == Some(true), by_zero, "{divided:?}");
        sent.add("divide", if by_zero { "error" } else { "ok" });

        let input = if i % 4 == 3 { "twelve" } else { "12" };
        let parsed = parse_quantity(input);
        assert_eq!(parsed.is_err(), i % 4 == 3, "{parsed:?}");
        sent.add(
            "parse_quantity",
            if parsed.is_ok() { "ok" } else { "error" },
        );
    }
}

// --- Prometheus, its HTTP API and the cleanup --------------------------------------------------

/// Everything the test starts, stopped and removed on drop, also when an assertion fails.
struct Harness {
    dir: PathBuf,
    log: PathBuf,
    prometheus: Option<Child>,
    runtime: Option<tokio::runtime::Runtime>,
    /// Stops the MCP server (and, through its child token, its sessions).
    shutdown: CancellationToken,
    /// Stops the traffic.
    stop_traffic: CancellationToken,
    traffic: Option<JoinHandle<()>>,
}

impl Harness {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "metrics-toolkit-deploy-e2e-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(dir.join("data")).expect("the temp dir is created");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        Self {
            log: dir.join("prometheus.log"),
            dir,
            prometheus: None,
            runtime: Some(runtime),
            shutdown: CancellationToken::new(),
            stop_traffic: CancellationToken::new(),
            traffic: None,
        }
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("the runtime runs")
    }

    fn prometheus_log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_else(|e| format!("(no log: {e})"))
    }

    /// Panics with Prometheus' log when it exited, or when the traffic ended by itself (a
    /// failed call): waiting any longer would only end in a timeout.
    fn check_alive(&mut self) {
        if let Some(child) = self.prometheus.as_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                self.prometheus = None;
                panic!(
                    "prometheus exited early ({status}); its log:\n{}",
                    self.prometheus_log()
                );
            }
        }
        if self.traffic.as_ref().is_some_and(JoinHandle::is_finished) {
            let traffic = self.traffic.take().expect("checked");
            match self.runtime().block_on(traffic) {
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                other => panic!("the traffic ended before it was stopped: {other:?}"),
            }
        }
    }

    /// SIGTERM, up to 15 s for a clean exit, then SIGKILL.
    fn stop_prometheus(&mut self) -> Option<ExitStatus> {
        let mut child = self.prometheus.take()?;
        let terminated = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if terminated {
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                match child.try_wait() {
                    Ok(Some(status)) => return Some(status),
                    Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                    Err(_) => break,
                }
            }
            eprintln!("prometheus did not stop within 15 s of SIGTERM; sending SIGKILL");
        }
        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.stop_traffic.cancel();
        self.shutdown.cancel();
        let had_prometheus = self.prometheus.is_some();
        self.stop_prometheus();
        if std::thread::panicking() && had_prometheus {
            eprintln!(
                "--- prometheus log ({}) ---\n{}--- end of prometheus log ---",
                self.log.display(),
                self.prometheus_log()
            );
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("could not remove {}: {e}", self.dir.display());
        }
    }
}

/// Prometheus' HTTP API.
struct Api {
    base: String,
    agent: ureq::Agent,
}

impl Api {
    fn new(port: u16) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        Self {
            base: format!("http://127.0.0.1:{port}"),
            agent,
        }
    }

    /// `GET {path}?{params}`; the status and body, or why the request failed.
    fn get_raw(&self, path: &str, params: &[(&str, &str)]) -> Result<(u16, String), String> {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        for (key, value) in params {
            request = request.query(*key, *value);
        }
        let mut response = request
            .call()
            .map_err(|e| format!("GET {path} failed: {e}"))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("GET {path}: reading the body failed: {e}"))?;
        Ok((status, body))
    }

    /// The `data` of an API answer with `"status": "success"`; otherwise what came back.
    fn get(&self, path: &str, params: &[(&str, &str)]) -> Result<Value, String> {
        let (status, body) = self.get_raw(path, params)?;
        let json: Value = serde_json::from_str(&body)
            .map_err(|e| format!("GET {path} {params:?}: HTTP {status}, not JSON ({e}): {body}"))?;
        if json["status"] != "success" {
            return Err(format!("GET {path} {params:?}: HTTP {status}: {body}"));
        }
        Ok(json["data"].clone())
    }

    /// An instant query at the current time; the samples of its vector result (a scalar or
    /// string result is returned as one sample without labels).
    fn query(&self, expr: &str) -> Result<Vec<Value>, String> {
        let data = self.get("/api/v1/query", &[("query", expr)])?;
        match data["resultType"].as_str() {
            Some("vector" | "matrix") => Ok(data["result"].as_array().cloned().unwrap_or_default()),
            Some("scalar" | "string") => Ok(vec![json!({ "metric": {}, "value": data["result"] })]),
            other => Err(format!(
                "`{expr}`: unexpected result type {other:?}: {data}"
            )),
        }
    }

    /// The alerts Prometheus currently holds (pending and firing).
    fn alerts(&self) -> Result<Vec<Value>, String> {
        let data = self.get("/api/v1/alerts", &[])?;
        Ok(data["alerts"].as_array().cloned().unwrap_or_default())
    }
}

fn sample_value(sample: &Value) -> f64 {
    let value = &sample["value"][1];
    value
        .as_str()
        .and_then(|v| match v {
            "NaN" => Some(f64::NAN),
            "+Inf" => Some(f64::INFINITY),
            "-Inf" => Some(f64::NEG_INFINITY),
            other => other.parse().ok(),
        })
        .unwrap_or_else(|| panic!("no value in sample {sample}"))
}

fn label<'a>(sample: &'a Value, name: &str) -> &'a str {
    sample["metric"][name].as_str().unwrap_or_default()
}

/// The single sample `expr` returns; `Err` while there is none.
fn single(api: &Api, expr: &str) -> Result<f64, String> {
    let result = api.query(expr)?;
    match result.as_slice() {
        [one] => Ok(sample_value(one)),
        [] => Err(format!("`{expr}` returned no data yet")),
        many => panic!("`{expr}` returned {} samples: {many:#?}", many.len()),
    }
}

/// Calls `attempt` every [`POLL`] until it succeeds; panics with its last error after `limit`.
fn poll<T>(
    harness: &mut Harness,
    what: &str,
    limit: Duration,
    mut attempt: impl FnMut() -> Result<T, String>,
) -> T {
    let started = Instant::now();
    loop {
        harness.check_alive();
        match attempt() {
            Ok(value) => {
                eprintln!("  {what}: after {:.1} s", started.elapsed().as_secs_f64());
                return value;
            }
            Err(last) if started.elapsed() >= limit => {
                panic!("{what}: not reached within {limit:?}; last answer: {last}")
            }
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

fn is_tool_alert(alert: &Value, tool: &str) -> bool {
    alert["labels"]["alertname"] == "ToolHighErrorRatio" && alert["labels"]["tool"] == tool
}

// --- The Grafana dashboards ----------------------------------------------------------------------

/// The label values a dashboard variable must offer in this test, where known.
fn expected_variable_values(name: &str) -> Vec<String> {
    match name {
        "server" => vec![SERVER.to_owned()],
        "tool" => TOOLS.iter().map(|t| (*t).to_owned()).collect(),
        "module" => vec![module_path!().to_owned()],
        "function" => vec!["parse_quantity".to_owned(), "slow_step".to_owned()],
        "objective" => vec!["quantities".to_owned()],
        _ => Vec::new(),
    }
}

/// Runs every panel target's PromQL and every template variable query of every dashboard;
/// returns the problems found and how many expressions ran.
fn check_dashboards(api: &Api) -> (Vec<String>, usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/grafana/dashboards");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no dashboards in {}", dir.display());

    let mut problems = Vec::new();
    let mut checked = 0;
    let mut skips_used = BTreeSet::new();
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let dashboard: Value = serde_json::from_str(
            &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{file}: {e}")),
        )
        .unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));

        // Template variables. `label_values(<selector>, <label>)` is a Grafana function, not
        // PromQL: Grafana answers it with the label values API, and so does this test.
        for variable in dashboard["templating"]["list"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let name = variable["name"].as_str().unwrap_or_default();
            if variable["type"] != "query" {
                continue; // custom / interval / datasource variables hold no PromQL.
            }
            let query = variable["query"]["query"]
                .as_str()
                .or_else(|| variable["query"].as_str())
                .unwrap_or_default();
            let where_ = format!("{file} variable ${name} `{query}`");
            checked += 1;
            let Some(args) = query
                .trim()
                .strip_prefix("label_values(")
                .and_then(|q| q.strip_suffix(')'))
            else {
                problems.push(format!(
                    "{where_}: not label_values(...), which this test does not know how to run"
                ));
                continue;
            };
            let (selector, label_name) = match args.rsplit_once(',') {
                Some((selector, label_name)) => (Some(selector.trim()), label_name.trim()),
                None => (None, args.trim()),
            };
            let selector = selector.map(substitute_variables);
            let params: Vec<(&str, &str)> =
                selector.iter().map(|s| ("match[]", s.as_str())).collect();
            match api.get(&format!("/api/v1/label/{label_name}/values"), &params) {
                Err(e) => problems.push(format!("{where_}: {e}")),
                Ok(values) => {
                    let values: BTreeSet<String> = values
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect();
                    let missing: Vec<String> = expected_variable_values(name)
                        .into_iter()
                        .filter(|v| !values.contains(v))
                        .collect();
                    if values.is_empty() || !missing.is_empty() {
                        problems.push(format!(
                            "{where_}: offers {values:?}, missing {missing:?} (selector {selector:?})"
                        ));
                    }
                }
            }
        }

        let mut panels = Vec::new();
        walk_panels(&dashboard["panels"], &mut panels);
        for panel in panels {
            let title = panel["title"].as_str().unwrap_or_default();
            for target in panel["targets"].as_array().into_iter().flatten() {
                let Some(expr) = target["expr"].as_str() else {
                    problems.push(format!("{file} panel {title:?}: a target without expr"));
                    continue;
                };
                checked += 1;
                let concrete = substitute_variables(expr);
                let where_ = format!(
                    "{file} panel {title:?} target {}: `{concrete}`",
                    target["refId"].as_str().unwrap_or("?")
                );
                match api.query(&concrete) {
                    Err(e) => problems.push(format!("{where_}: {e}")),
                    Ok(result) if result.is_empty() => {
                        let skip = MAY_BE_EMPTY
                            .iter()
                            .find(|(f, t, _)| *f == file && *t == title);
                        match skip {
                            Some((_, _, reason)) => {
                                skips_used.insert((file.clone(), title.to_owned()));
                                eprintln!("  allowed empty: {where_} ({reason})");
                            }
                            None => problems.push(format!("{where_}: no data")),
                        }
                    }
                    Ok(_) => {}
                }
            }
        }
    }
    for (file, title, _) in MAY_BE_EMPTY {
        if !skips_used.contains(&((*file).to_owned(), (*title).to_owned())) {
            eprintln!(
                "  note: {file} panel {title:?} is in MAY_BE_EMPTY but had data; \
                 remove it from the list"
            );
        }
    }
    (problems, checked)
}

// --- The tests -----------------------------------------------------------------------------------

#[test]
fn deploy_kit_works_against_a_real_prometheus() {
    let Some(prometheus_bin) = on_path("prometheus") else {
        required_in_ci("prometheus");
        return;
    };
    let started = Instant::now();
    let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/prometheus/rules");

    // The exporter and the MCP server, on free loopback ports.
    install_tracing();
    metrics_toolkit::exporter();
    let metrics_addr = metrics_toolkit::address();
    metrics_runtime::set_health("tools", true);
    let mut harness = Harness::new();
    let listener = harness
        .runtime()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a free loopback port for MCP");
    let mcp_addr = listener.local_addr().unwrap();
    let serving = harness
        .runtime()
        .spawn(mcp_server::serve_mcp(listener, harness.shutdown.clone()));

    // Prometheus, with the deploy/ rule files and one job scraping the exporter every second.
    let mut rule_files: Vec<PathBuf> = std::fs::read_dir(&rules_dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", rules_dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yml"))
        .collect();
    rule_files.sort();
    assert!(
        rule_files.len() >= 3,
        "expected recording.yml, thresholds.yml and alerts.yml in {}, found {rule_files:?}",
        rules_dir.display()
    );
    let rule_lines: String = rule_files
        .iter()
        .map(|path| format!("  - {}\n", json!(path.to_string_lossy())))
        .collect();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
         rule_files:\n{rule_lines}\
         scrape_configs:\n  - job_name: {JOB}\n    static_configs:\n      - targets: [\"{metrics_addr}\"]\n"
    );
    let config_path = harness.dir.join("prometheus.yml");
    std::fs::write(&config_path, &config).expect("the config is written");
    let port = free_address().port();
    let log = File::create(&harness.log).expect("the log file is created");
    // Prometheus 2.42 has no flag for the delay before the first scrape: service discovery
    // and the scrape manager both batch updates every 5 s, so the first scrape comes ~5-10 s
    // after start.
    let child = Command::new(&prometheus_bin)
        .arg(format!("--config.file={}", config_path.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            harness.dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--web.enable-lifecycle")
        // Exemplars of the OpenMetrics scrape, for `/api/v1/query_exemplars`.
        .arg("--enable-feature=exemplar-storage")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("the log file is shared"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", prometheus_bin.display()));
    harness.prometheus = Some(child);
    let api = Api::new(port);
    eprintln!(
        "prometheus on 127.0.0.1:{port} scraping {metrics_addr}, MCP on {mcp_addr}, dir {}",
        harness.dir.display()
    );
    poll(
        &mut harness,
        "prometheus ready",
        Duration::from_secs(60),
        || match api.get_raw("/-/ready", &[])? {
            (200, _) => Ok(()),
            (status, body) => Err(format!("HTTP {status}: {body}")),
        },
    );

    // The rule files load without errors: every group and rule healthy.
    let rules = poll(
        &mut harness,
        "rules loaded",
        Duration::from_secs(30),
        || {
            let data = api.get("/api/v1/rules", &[])?;
            let groups = data["groups"].as_array().cloned().unwrap_or_default();
            let rules: Vec<Value> = groups
                .iter()
                .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
                .collect();
            if rules.is_empty() || rules.iter().any(|r| r["health"] == "unknown") {
                return Err(format!("not every rule evaluated yet: {data}"));
            }
            Ok(rules)
        },
    );
    let unhealthy: Vec<&Value> = rules.iter().filter(|r| r["health"] != "ok").collect();
    assert!(unhealthy.is_empty(), "rules with errors: {unhealthy:#?}");
    let groups = api
        .get("/api/v1/rules", &[])
        .expect("the rules API answers");
    let loaded: BTreeSet<String> = groups["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["file"].as_str().map(str::to_owned))
        .collect();
    let configured: BTreeSet<String> = rule_files
        .iter()
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
    assert_eq!(loaded, configured, "rule files with groups in prometheus");

    // up{job="metrics-runtime"} is 1.
    let up = format!("up{{job=\"{JOB}\"}}");
    let up_value = poll(
        &mut harness,
        "target scraped",
        Duration::from_secs(60),
        || single(&api, &up),
    );
    assert_eq!(up_value, 1.0, "{up}");

    // The client and the traffic; the counters are at zero in Prometheus before the first call.
    let client: Client = harness.runtime().block_on(connect(mcp_addr));
    let sent = Arc::new(Sent::new());
    harness.traffic = Some(harness.runtime().spawn(drive_traffic(
        client.peer().clone(),
        Arc::clone(&sent),
        harness.stop_traffic.clone(),
    )));

    // ToolHighErrorRatio fires for divide (half of its calls fail) after its `for: 30s`, and
    // never appears for echo (no failures) on the way.
    let firing = poll(
        &mut harness,
        "ToolHighErrorRatio firing for divide",
        Duration::from_secs(90),
        || {
            let alerts = api.alerts()?;
            let echo: Vec<&Value> = alerts.iter().filter(|a| is_tool_alert(a, "echo")).collect();
            assert!(
                echo.is_empty(),
                "ToolHighErrorRatio for echo, which never fails: {echo:#?}"
            );
            alerts
                .iter()
                .find(|a| is_tool_alert(a, "divide") && a["state"] == "firing")
                .cloned()
                .ok_or_else(|| format!("alerts: {}", json!(alerts)))
        },
    );
    assert_eq!(firing["labels"]["server"], SERVER, "{firing:#}");
    assert_eq!(firing["labels"]["severity"], "warning", "{firing:#}");
    let alerts = api.alerts().expect("the alerts API answers");
    for (tool, alert) in [
        ("echo", "ToolHighErrorRatio"),
        ("sleep", "ToolHighErrorRatio"),
    ] {
        assert!(
            !alerts.iter().any(|a| is_tool_alert(a, tool)),
            "{alert} for {tool}, which never fails: {alerts:#?}"
        );
    }
    for absent in [
        "ThresholdRulesMissing",
        "TargetDown",
        "JobDown",
        "ServiceUnhealthy",
    ] {
        assert!(
            !alerts.iter().any(|a| a["labels"]["alertname"] == absent),
            "{absent} should not be pending or firing: {alerts:#?}"
        );
    }

    // The recording rules, while the traffic still runs.
    let tool_rule = |rule: &str, tool: &str| {
        let expr = format!("{rule}{{server=\"{SERVER}\",tool=\"{tool}\"}}");
        single(&api, &expr).unwrap_or_else(|e| panic!("{e}"))
    };
    for tool in ["echo", "divide"] {
        let rate = tool_rule("server_tool:mcp_tool_calls:rate5m", tool);
        assert!(
            rate > 0.0,
            "server_tool:mcp_tool_calls:rate5m of {tool} is {rate}"
        );
        let p95 = tool_rule("server_tool:mcp_tool_call_duration_seconds:p95_5m", tool);
        assert!(
            p95.is_finite() && p95 > 0.0,
            "server_tool:mcp_tool_call_duration_seconds:p95_5m of {tool} is {p95}"
        );
    }
    let ratio = |tool| tool_rule("server_tool:mcp_tool_errors:ratio_rate5m", tool);
    let divide_ratio = ratio("divide");
    assert!(
        (divide_ratio - 0.5).abs() <= 0.15,
        "error ratio of divide is {divide_ratio}, half of its calls failed"
    );
    assert_eq!(ratio("echo"), 0.0, "error ratio of echo");
    // lookup had its 5 calls (3 failing) in one burst after the first scrape: every series of
    // lookup starts at 0 inside the 5m window and all share the scrape timestamps, so `rate()`
    // extrapolates each by the same factor and the ratio of the rates is exactly 3/5.
    let lookup_ratio = ratio("lookup");
    assert!(
        (lookup_ratio - 0.6).abs() < 1e-9,
        "error ratio of lookup is {lookup_ratio}, 3 of its 5 calls failed"
    );
    let division_by_zero = single(
        &api,
        &format!(
            "server_tool_error_type:mcp_tool_errors:rate5m\
             {{server=\"{SERVER}\",tool=\"divide\",error_type=\"division_by_zero\"}}"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        division_by_zero > 0.0,
        "division_by_zero rate {division_by_zero}"
    );
    let function_ratio = single(
        &api,
        "function_module:function_errors:ratio_rate5m{function=\"parse_quantity\"}",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        (function_ratio - 0.25).abs() <= 0.15,
        "error ratio of parse_quantity is {function_ratio}, a quarter of its calls failed"
    );
    assert_eq!(
        single(&api, "metrics_runtime:threshold:tool_error_ratio")
            .unwrap_or_else(|e| panic!("{e}")),
        0.05
    );

    // Every dashboard expression, with the traffic still running.
    let (problems, checked) = check_dashboards(&api);
    eprintln!("  dashboards: {checked} expressions run");
    assert!(
        problems.is_empty(),
        "{} of {checked} dashboard expressions failed:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );

    // Stop the traffic; then Prometheus' latest samples are exactly what was sent.
    harness.stop_traffic.cancel();
    let traffic = harness.traffic.take().expect("the traffic runs");
    harness
        .runtime()
        .block_on(traffic)
        .expect("the traffic ran without a failed call");
    let by_tool_status = format!(
        "sum by (tool, status) (mcp_tool_calls_total{{job=\"{JOB}\",server=\"{SERVER}\"}})"
    );
    let read = |expr: &str, keys: &[&str]| -> Result<BTreeMap<Vec<String>, f64>, String> {
        Ok(api
            .query(expr)?
            .iter()
            .map(|s| {
                let key = keys.iter().map(|k| label(s, k).to_owned()).collect();
                (key, sample_value(s))
            })
            .collect())
    };
    let expected: BTreeMap<Vec<String>, f64> = TOOLS
        .iter()
        .flat_map(|tool| {
            STATUSES.map(|status| {
                (
                    vec![(*tool).to_owned(), status.to_owned()],
                    sent.get(tool, status) as f64,
                )
            })
        })
        .collect();
    poll(
        &mut harness,
        "exact tool counts in prometheus",
        Duration::from_secs(30),
        || {
            let got = read(&by_tool_status, &["tool", "status"])?;
            if got == expected {
                Ok(())
            } else {
                Err(format!("`{by_tool_status}` is {got:?}, sent {expected:?}"))
            }
        },
    );
    let per_tool = read(
        &format!("sum by (tool) (mcp_tool_calls_total{{job=\"{JOB}\",server=\"{SERVER}\"}})"),
        &["tool"],
    )
    .expect("the query runs");
    let expected_per_tool: BTreeMap<Vec<String>, f64> = TOOLS
        .iter()
        .map(|tool| {
            let total: u64 = STATUSES.iter().map(|status| sent.get(tool, status)).sum();
            (vec![(*tool).to_owned()], total as f64)
        })
        .collect();
    assert_eq!(per_tool, expected_per_tool, "calls per tool");
    let divide_errors = sent.get("divide", "error");
    assert!(
        divide_errors >= 10,
        "only {divide_errors} failing divide calls were sent"
    );
    assert_eq!(
        per_tool[&vec!["divide".to_owned()]],
        (divide_errors + sent.get("divide", "ok")) as f64
    );
    let errors = read(
        &format!("sum by (tool, error_type) (mcp_tool_errors_total{{job=\"{JOB}\"}})"),
        &["tool", "error_type"],
    )
    .expect("the query runs");
    let key = |a: &str, b: &str| vec![a.to_owned(), b.to_owned()];
    let expected_errors = BTreeMap::from([
        (key("divide", "division_by_zero"), divide_errors as f64),
        (key("lookup", "tool_error"), 3.0),
        (key("validate", "invalid_params"), 2.0),
    ]);
    assert_eq!(
        errors, expected_errors,
        "mcp_tool_errors_total by tool and error_type"
    );
    let functions = read(
        &format!("sum by (function, status) (function_calls_total{{job=\"{JOB}\"}})"),
        &["function", "status"],
    )
    .expect("the query runs");
    let mut expected_functions: BTreeMap<Vec<String>, f64> = ["parse_quantity", "slow_step"]
        .iter()
        .flat_map(|function| {
            STATUSES.map(|status| (key(function, status), sent.get(function, status) as f64))
        })
        .collect();
    // The example's `divide` tool calls the `#[monitored]` function `quotient` once per call.
    for status in STATUSES {
        expected_functions.insert(key("quotient", status), sent.get("divide", status) as f64);
        // Exported at zero from install; called once, after this check.
        expected_functions.insert(key("traced_request", status), 0.0);
    }
    assert_eq!(
        functions, expected_functions,
        "function_calls_total by function and status"
    );
    assert_eq!(
        single(
            &api,
            &format!("service_health{{job=\"{JOB}\",component=\"tools\"}}")
        )
        .unwrap_or_else(|e| panic!("{e}")),
        1.0
    );

    // Exemplars: the bucket of a traced call carries its trace into Prometheus.
    let traced = traced_request();
    let (le, value, span_id) = poll(
        &mut harness,
        "the traced call's exemplar in Prometheus",
        Duration::from_secs(30),
        || find_exemplar(&api, "traced_request", &traced.0),
    );
    assert_eq!(span_id, traced.1, "the span of the call");
    let bounds = metrics_runtime::DEFAULT_BUCKETS;
    let upper = bounds.iter().position(|b| le_text(*b) == le);
    match upper {
        Some(at) => {
            assert!(value <= bounds[at], "{value} in le={le}");
            assert!(
                at == 0 || value > bounds[at - 1],
                "{value} above the bucket below le={le}"
            );
        }
        None => {
            assert_eq!(le, "+Inf");
            assert!(value > bounds[bounds.len() - 1]);
        }
    }
    eprintln!("  exemplar: trace {} in le={le}, {value} s", traced.0);

    // Shut down: the client, the MCP server, Prometheus (SIGTERM), the temp dir.
    harness
        .runtime()
        .block_on(async { tokio::time::timeout(Duration::from_secs(10), client.cancel()).await })
        .expect("the client closes within 10 s")
        .expect("the client closes cleanly");
    harness.shutdown.cancel();
    harness
        .runtime()
        .block_on(async { tokio::time::timeout(Duration::from_secs(10), serving).await })
        .expect("the MCP server stops within 10 s")
        .expect("the MCP server task did not panic")
        .expect("the MCP server stopped cleanly");
    let status = harness.stop_prometheus().expect("prometheus was running");
    eprintln!("  prometheus stopped: {status}");
    let dir = harness.dir.clone();
    drop(harness);
    assert!(!dir.exists(), "{} was not removed", dir.display());
    eprintln!(
        "deploy e2e: {} tool calls sent, whole test {:.1} s",
        sent.calls
            .iter()
            .filter(|((name, _), _)| TOOLS.contains(name))
            .map(|(_, count)| count.load(Ordering::SeqCst))
            .sum::<u64>(),
        started.elapsed().as_secs_f64()
    );
}

// --- Exemplars ---------------------------------------------------------------------------------

/// An OpenTelemetry tracing subscriber for this process, so that traced calls have trace IDs.
fn install_tracing() {
    use opentelemetry::trace::TracerProvider as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("deploy-e2e")));
    tracing::subscriber::set_global_default(subscriber).expect("the first subscriber");
}

/// A call measured inside its own span; its trace and span IDs.
#[monitored]
#[tracing::instrument]
fn traced_request() -> (String, String) {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    std::thread::sleep(Duration::from_millis(20));
    let context = tracing::Span::current().context();
    let span = context.span();
    let ids = span.span_context();
    (ids.trace_id().to_string(), ids.span_id().to_string())
}

/// `le` as the exposition writes it.
fn le_text(bound: f64) -> String {
    format!("{bound}")
}

/// The exemplar with `trace_id` on `function`'s duration buckets, from Prometheus' exemplar
/// storage: the bucket's `le`, the exemplar's value and its `span_id`.
fn find_exemplar(
    api: &Api,
    function: &str,
    trace_id: &str,
) -> Result<(String, f64, String), String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let query = format!("function_call_duration_seconds_bucket{{function=\"{function}\"}}");
    let data = api.get(
        "/api/v1/query_exemplars",
        &[
            ("query", &query),
            ("start", &(now - 600).to_string()),
            ("end", &(now + 60).to_string()),
        ],
    )?;
    for series in data.as_array().into_iter().flatten() {
        for exemplar in series["exemplars"].as_array().into_iter().flatten() {
            if exemplar["labels"]["trace_id"] == trace_id {
                let value = exemplar["value"]
                    .as_str()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| format!("no value in {exemplar}"))?;
                return Ok((
                    series["seriesLabels"]["le"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    value,
                    exemplar["labels"]["span_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                ));
            }
        }
    }
    Err(format!("no exemplar with trace_id {trace_id} yet: {data}"))
}

#[test]
fn deploy_check_script_passes() {
    for tool in ["promtool", "amtool"] {
        if on_path(tool).is_none() {
            required_in_ci(tool);
            return;
        }
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/check.sh");
    let output = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{} failed ({}):\n{report}",
        script.display(),
        output.status
    );
    assert!(report.contains("OK: all checks passed"), "{report}");
}

#[test]
fn grafana_variables_are_substituted() {
    assert_eq!(
        substitute_variables(
            r#"sum(rate(x{module=~"$module", tool=~"${tool}", f=~"${function:regex}"}[$__rate_interval]))"#
        ),
        r#"sum(rate(x{module=~".*", tool=~".*", f=~".*"}[1m]))"#
    );
    assert_eq!(
        substitute_variables("increase(x[$__range]) / $__interval_ms"),
        "increase(x[5m]) / 15000"
    );
    assert_eq!(substitute_variables("up"), "up");
}
