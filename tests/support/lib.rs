//! Helpers shared by the workspace's integration tests: install the exporter on a free
//! loopback port, scrape it over real HTTP, read samples out of the exposition, and run
//! `promtool` on it.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use metrics_runtime::Exporter;

pub mod mcp;

/// The exporter of this test process, installed once on `127.0.0.1:0`.
pub fn exporter() -> &'static Exporter {
    static EXPORTER: OnceLock<Exporter> = OnceLock::new();
    EXPORTER.get_or_init(|| {
        Exporter::builder()
            .listen_address("127.0.0.1:0")
            .app(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
            .install()
            .expect("the exporter installs on a free loopback port")
    })
}

/// The address of [`exporter`]'s listener.
pub fn address() -> SocketAddr {
    exporter()
        .local_addr()
        .expect("the test exporter has a listener")
}

/// A response read over real HTTP.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// `GET http://{address}{path}`, whatever the status.
pub fn get(address: SocketAddr, path: &str) -> Response {
    request("GET", address, path)
}

/// A request with any method, whatever the status.
pub fn request(method: &str, address: SocketAddr, path: &str) -> Response {
    try_request(method, address, path)
        .unwrap_or_else(|e| panic!("{method} http://{address}{path} failed: {e}"))
}

/// A request with any method; an error when the connection or the body fails.
pub fn try_request(method: &str, address: SocketAddr, path: &str) -> Result<Response, ureq::Error> {
    try_request_accepting(method, address, path, None)
}

/// What Prometheus 2.42 sends in `Accept` when it scrapes: OpenMetrics first.
pub const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// What Prometheus 2.42 sends in `Accept` with `--enable-feature=native-histograms`: the
/// protobuf format first.
pub const PROMETHEUS_NATIVE_ACCEPT: &str = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

/// `GET http://{address}{path}` with an `Accept` header, whatever the status.
pub fn get_accepting(address: SocketAddr, path: &str, accept: Option<&str>) -> Response {
    try_request_accepting("GET", address, path, accept)
        .unwrap_or_else(|e| panic!("GET http://{address}{path} failed: {e}"))
}

/// `GET http://{address}{path}` with an `Accept` header: status, content type and the body's
/// bytes, for binary formats.
pub fn get_bytes_accepting(
    address: SocketAddr,
    path: &str,
    accept: &str,
) -> (u16, Option<String>, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let request = ureq::http::Request::builder()
        .method("GET")
        .uri(format!("http://{address}{path}"))
        .header("Accept", accept)
        .body(())
        .expect("a valid request");
    let mut response = agent
        .run(request)
        .unwrap_or_else(|e| panic!("GET http://{address}{path} failed: {e}"));
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .expect("the body reads");
    (response.status().as_u16(), content_type, body)
}

fn try_request_accepting(
    method: &str,
    address: SocketAddr,
    path: &str,
    accept: Option<&str>,
) -> Result<Response, ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("http://{address}{path}");
    let mut request = ureq::http::Request::builder().method(method).uri(&url);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    let request = request.body(()).expect("a valid request");
    let mut response = agent.run(request)?;
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string()?;
    Ok(Response {
        status,
        content_type,
        body,
    })
}

/// Builds an example of this workspace with the cargo running the tests, in the tests'
/// profile, and returns the path of its binary.
pub fn build_example(name: &str) -> std::path::PathBuf {
    let release = !cfg!(debug_assertions);
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["build", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if release {
        command.arg("--release");
    }
    let status = command.status().expect("cargo runs");
    assert!(status.success(), "building example {name} failed");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        Into::into,
    );
    let profile = if release { "release" } else { "debug" };
    target.join(profile).join("examples").join(name)
}

/// The exposition of the test exporter, scraped over HTTP.
pub fn scrape() -> String {
    let response = get(address(), "/metrics");
    assert_eq!(response.status, 200, "scrape failed: {}", response.body);
    response.body
}

/// One sample line of the exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Parses the sample lines of a text exposition (comments skipped, label values unescaped).
pub fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(parse_line)
        .collect()
}

fn parse_line(line: &str) -> Sample {
    let (name_and_labels, value) = line
        .rsplit_once(' ')
        .unwrap_or_else(|| panic!("no value in `{line}`"));
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other
            .parse()
            .unwrap_or_else(|_| panic!("bad value in `{line}`")),
    };
    let Some((name, rest)) = name_and_labels.split_once('{') else {
        return Sample {
            name: name_and_labels.to_owned(),
            labels: BTreeMap::new(),
            value,
        };
    };
    let mut labels = BTreeMap::new();
    let mut chars = rest
        .strip_suffix('}')
        .unwrap_or_else(|| panic!("unclosed labels in `{line}`"))
        .chars()
        .peekable();
    while chars.peek().is_some() {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        assert_eq!(
            chars.next(),
            Some('"'),
            "label value not quoted in `{line}`"
        );
        let mut value = String::new();
        loop {
            match chars.next() {
                Some('\\') => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(other) => value.push(other),
                    None => panic!("dangling escape in `{line}`"),
                },
                Some('"') => break,
                Some(other) => value.push(other),
                None => panic!("unterminated label value in `{line}`"),
            }
        }
        if chars.peek() == Some(&',') {
            chars.next();
        }
        labels.insert(key, value);
    }
    Sample {
        name: name.to_owned(),
        labels,
        value,
    }
}

/// The value of the one series named `name` whose labels include `labels`; `None` when there is
/// none. Panics when several series match, so a test cannot read the wrong one.
pub fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<Sample> = samples(text)
        .into_iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    assert!(
        matching.len() <= 1,
        "{} series of `{name}` match {labels:?}: {matching:#?}",
        matching.len()
    );
    matching.first().map(|s| s.value)
}

/// Like [`value`], for a series that must exist.
pub fn expect_value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    value(text, name, labels)
        .unwrap_or_else(|| panic!("no series `{name}` with {labels:?} in:\n{text}"))
}

/// Whether a tool the tests need must be present: in CI (`CI` set) a missing tool fails the
/// test instead of skipping it.
pub fn required_in_ci(tool: &str) -> bool {
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    if in_ci {
        panic!("`{tool}` is not installed, and CI must not skip this test; .ci/run installs it");
    }
    eprintln!("skipping: `{tool}` is not installed (install Debian's `prometheus` package to run this check)");
    false
}

/// Runs `promtool check metrics` on an exposition; returns its output, or `None` when promtool
/// is missing outside CI. Panics when promtool reports a problem.
pub fn promtool_check_metrics(text: &str) -> Option<String> {
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            required_in_ci("promtool");
            return None;
        }
        Err(e) => panic!("cannot run promtool: {e}"),
    };
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(text.as_bytes())
        .expect("promtool reads the exposition");
    let output = child.wait_with_output().expect("promtool runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && report.trim().is_empty(),
        "promtool check metrics found problems:\n{report}\n--- exposition ---\n{text}"
    );
    Some(report)
}

/// Runs `script` with Python, the exposition `text` on its standard input, and returns what
/// it prints; `None` when python3 with `prometheus_client` is missing outside CI. Panics when
/// the script fails, which for a parser means it refused the text.
pub fn run_python_parser(script: &str, text: &str) -> Option<String> {
    let has_parser = Command::new("python3")
        .args([
            "-c",
            "import prometheus_client.parser, prometheus_client.openmetrics.parser",
        ])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !has_parser {
        required_in_ci("python3 with prometheus_client (pip install prometheus-client)");
        return None;
    }
    let output = run_python(script, text.as_bytes(), None).unwrap_or_else(|stderr| {
        panic!("prometheus_client refused the exposition: {stderr}\n--- exposition ---\n{text}")
    });
    Some(output)
}

/// Runs `script` with Python (`pythonpath` added to its module path), `input` on its
/// standard input: what it prints, or what it wrote on stderr when it failed.
fn run_python(
    script: &str,
    input: &[u8],
    pythonpath: Option<&std::path::Path>,
) -> Result<String, String> {
    let mut command = Command::new("python3");
    command
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path) = pythonpath {
        command.env("PYTHONPATH", path);
    }
    let mut child = command.spawn().expect("python3 runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input)
        .expect("python reads the exposition");
    let output = child.wait_with_output().expect("python3 runs");
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8(output.stdout).expect("the script prints UTF-8"))
}

/// Every sample of `text` as `prometheus_client` parses it, with its family's name, type,
/// unit and HELP: with the OpenMetrics parser when `openmetrics`, else the text format's.
/// The text is decoded from bytes: `sys.stdin.read()` would turn a carriage return inside a
/// label value into a line feed.
pub fn python_samples(text: &str, openmetrics: bool) -> Option<Vec<serde_json::Value>> {
    let module = if openmetrics {
        "prometheus_client.openmetrics.parser"
    } else {
        "prometheus_client.parser"
    };
    let script = format!(
        r#"
import json, sys
from {module} import text_string_to_metric_families
text = sys.stdin.buffer.read().decode("utf-8")
for family in text_string_to_metric_families(text):
    for s in family.samples:
        exemplar = s.exemplar and {{"labels": s.exemplar.labels, "value": s.exemplar.value,
                                    "timestamp": None if s.exemplar.timestamp is None
                                                 else float(s.exemplar.timestamp)}}
        print(json.dumps({{"family": family.name, "type": family.type, "unit": family.unit,
                          "help": family.documentation, "name": s.name, "labels": s.labels,
                          "value": s.value, "exemplar": exemplar}}))
"#
    );
    run_python_parser(&script, text).map(|printed| {
        printed
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object per sample"))
            .collect()
    })
}

/// The family named `name` of [`python_protobuf_families`]' output.
pub fn pb_family<'a>(families: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    families
        .iter()
        .find(|family| family["name"] == name)
        .unwrap_or_else(|| panic!("no family {name} in {families:#?}"))
}

/// The series of a decoded family with label `name` set to `value`.
pub fn pb_series<'a>(
    family: &'a serde_json::Value,
    name: &str,
    value: &str,
) -> &'a serde_json::Value {
    family["metric"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|metric| {
            metric["label"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|label| label["name"] == name && label["value"] == value)
        })
        .unwrap_or_else(|| panic!("no series with {name}=\"{value}\" in {family:#}"))
}

/// A protobuf 64-bit integer, which the JSON mapping writes as a string; an absent field is
/// its default, 0.
pub fn pb_int(value: &serde_json::Value) -> i64 {
    if value.is_null() {
        return 0;
    }
    value
        .as_str()
        .map(|text| text.parse().expect("an integer"))
        .or_else(|| value.as_i64())
        .unwrap_or_else(|| panic!("not an integer: {value}"))
}

/// Every `MetricFamily` of a protobuf exposition (length-delimited messages), decoded by
/// Python's `protobuf` package with code that `protoc` generates from Prometheus' published
/// `metrics.proto` (`tests/support/proto/`), as JSON with the `.proto` field names (64-bit
/// integers are strings, as protobuf's JSON mapping writes them). `None` when the tools are
/// missing outside CI.
pub fn python_protobuf_families(exposition: &[u8]) -> Option<Vec<serde_json::Value>> {
    let has = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if !has("protoc", &["--version"]) {
        required_in_ci("protoc (Debian's protobuf-compiler)");
        return None;
    }
    if !has("python3", &["-c", "import google.protobuf"]) {
        required_in_ci("python3 with protobuf (pip install protobuf)");
        return None;
    }
    static GENERATED: OnceLock<std::path::PathBuf> = OnceLock::new();
    let generated = GENERATED.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("metrics-toolkit-pb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir for the generated code");
        // Generated as a top-level `metrics_pb2`: a package `io` would be the standard
        // library's.
        let proto = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/proto/io/prometheus/client"
        );
        let output = Command::new("protoc")
            .arg(format!("--python_out={}", dir.display()))
            .arg(format!("-I{proto}"))
            .arg(format!("{proto}/metrics.proto"))
            .output()
            .expect("protoc runs");
        assert!(
            output.status.success(),
            "protoc failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        dir
    });
    let script = r#"
import json, sys
from google.protobuf.internal.decoder import _DecodeVarint32
from google.protobuf.json_format import MessageToDict
import metrics_pb2
data = sys.stdin.buffer.read()
position = 0
while position < len(data):
    length, position = _DecodeVarint32(data, position)
    family = metrics_pb2.MetricFamily()
    family.ParseFromString(data[position:position + length])
    position += length
    print(json.dumps(MessageToDict(family, preserving_proto_field_name=True)))
"#;
    let output = run_python(script, exposition, Some(generated))
        .unwrap_or_else(|stderr| panic!("Python's protobuf refused the exposition: {stderr}"));
    Some(
        output
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object per family"))
            .collect(),
    )
}

/// `name` on `PATH`, like `command -v`.
pub fn on_path(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A free loopback address (a port the system just handed out and took back).
pub fn free_address() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
}

/// A process of an example server built by [`build_example`] that takes `--mcp-addr` and
/// `--metrics-addr` (`mcp_server`), on free loopback ports; killed when dropped.
pub struct ExampleServer {
    child: std::process::Child,
    /// Where its MCP endpoint listens (`/mcp`).
    pub mcp: SocketAddr,
    /// Where its metrics are served (`/metrics`).
    pub metrics: SocketAddr,
}

impl ExampleServer {
    pub fn start(binary: &std::path::Path) -> Self {
        let (mcp, metrics) = (free_address(), free_address());
        let child = Command::new(binary)
            .args(["--mcp-addr", &mcp.to_string()])
            .args(["--metrics-addr", &metrics.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the example starts");
        Self {
            child,
            mcp,
            metrics,
        }
    }

    /// Kills the process and waits for it.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ExampleServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A real Prometheus server (`prometheus` on `PATH`, Debian's package in CI) on a free loopback
/// port with a temporary data directory, stopped and removed when dropped.
pub struct PrometheusServer {
    child: std::process::Child,
    dir: std::path::PathBuf,
    /// `http://127.0.0.1:port`.
    pub base: String,
}

impl PrometheusServer {
    /// Starts Prometheus with `config` (YAML) and extra flags, and waits until it is ready;
    /// `None` when it is not installed outside CI.
    pub fn start(config: &str, flags: &[&str]) -> Option<Self> {
        let installed = Command::new("prometheus")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !installed {
            required_in_ci("prometheus");
            return None;
        }
        let port = free_address().port();
        let dir = std::env::temp_dir().join(format!(
            "metrics-toolkit-prometheus-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(dir.join("data")).expect("a temp dir");
        std::fs::write(dir.join("prometheus.yml"), config).expect("the config is written");
        let log = std::fs::File::create(dir.join("prometheus.log")).expect("a log file");
        let child = Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .args(flags)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log is shared"))
            .stderr(log)
            .spawn()
            .expect("prometheus starts");
        let server = Self {
            child,
            dir,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.wait_for("ready", std::time::Duration::from_secs(60), || {
            let response = ureq::get(format!("{}/-/ready", server.base))
                .call()
                .map_err(|e| e.to_string())?;
            (response.status() == 200)
                .then_some(())
                .ok_or_else(|| response.status().to_string())
        });
        Some(server)
    }

    /// Prometheus' log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    /// The `data` of `GET {path}?{params}` answered with `"status": "success"`.
    pub fn api(&self, path: &str, params: &[(&str, &str)]) -> Result<serde_json::Value, String> {
        let mut request = ureq::get(format!("{}{path}", self.base));
        for (key, value) in params {
            request = request.query(*key, *value);
        }
        let mut response = request.call().map_err(|e| format!("GET {path}: {e}"))?;
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        let json: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
        if json["status"] != "success" {
            return Err(body);
        }
        Ok(json["data"].clone())
    }

    /// The value of an instant query that returns one sample; `Err` while it returns none.
    pub fn single(&self, expr: &str) -> Result<f64, String> {
        let data = self.api("/api/v1/query", &[("query", expr)])?;
        match data["result"].as_array().map(Vec::as_slice) {
            Some([one]) => one["value"][1]
                .as_str()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("no value in {one}")),
            Some([]) => Err(format!("`{expr}`: no data yet")),
            _ => Err(format!("`{expr}`: {data}")),
        }
    }

    /// Calls `attempt` every 250 ms until it succeeds; panics with its last error and
    /// Prometheus' log after `limit`.
    pub fn wait_for<T>(
        &self,
        what: &str,
        limit: std::time::Duration,
        attempt: impl FnMut() -> Result<T, String>,
    ) -> T {
        poll(
            what,
            limit,
            || format!("\n--- prometheus log ---\n{}", self.log()),
            attempt,
        )
    }
}

/// Calls `attempt` every 250 ms until it succeeds; after `limit`, panics with its last error
/// followed by `context()` (the logs of the servers involved).
pub fn poll<T>(
    what: &str,
    limit: std::time::Duration,
    context: impl FnOnce() -> String,
    mut attempt: impl FnMut() -> Result<T, String>,
) -> T {
    let started = std::time::Instant::now();
    loop {
        match attempt() {
            Ok(value) => return value,
            Err(last) if started.elapsed() >= limit => {
                panic!("{what}: not within {limit:?}; last: {last}{}", context())
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(250)),
        }
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A global allocator that counts the allocations of each thread, for the tests that prove a
/// hot path allocates nothing: declare it with `#[global_allocator]` in the test binary.
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

// SAFETY: every call is passed to the system allocator unchanged; the counter is a
// thread-local `Cell` that allocates nothing.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations the calling thread made during `work`, counted by [`CountingAllocator`].
pub fn allocations_during(work: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(std::cell::Cell::get);
    work();
    ALLOCATIONS.with(std::cell::Cell::get) - before
}

// --- Grafana dashboards ---------------------------------------------------------------------------

/// Replaces Grafana's variables by concrete values: `$__rate_interval` by `1m` (4 scrape
/// intervals would be 4s here; 1m spans many samples), `$__range` by `5m`, `$__interval` by
/// `15s`, `$__range_s` by `300`, and every dashboard variable (`$module`, `${tool}`, ...) by
/// `.*`, which is what "All" means for a `label=~"$var"` matcher.
pub fn substitute_variables(expr: &str) -> String {
    let mut out = String::new();
    let mut rest = expr;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, len) = if let Some(braced) = after.strip_prefix('{') {
            let end = braced
                .find('}')
                .unwrap_or_else(|| panic!("unclosed ${{ in `{expr}`"));
            // `${var:format}`: the format does not matter for `.*`.
            let name = braced[..end].split(':').next().unwrap_or_default();
            (name, end + 2)
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        out.push_str(match name {
            "__rate_interval" => "1m",
            "__range" => "5m",
            "__range_s" => "300",
            "__interval" => "15s",
            "__interval_ms" => "15000",
            "" => "$",
            _ => ".*",
        });
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// Every panel, also the ones nested in (collapsed) rows.
pub fn walk_panels<'a>(panels: &'a serde_json::Value, out: &mut Vec<&'a serde_json::Value>) {
    for panel in panels.as_array().into_iter().flatten() {
        out.push(panel);
        walk_panels(&panel["panels"], out);
    }
}
