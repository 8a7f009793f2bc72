//! Native histograms in a real Prometheus (Debian's 2.42, `--enable-feature=native-histograms`,
//! which scrapes in the protobuf format): 10,000 durations from a log-normal distribution
//! between 50 µs and 5 s go into a typed histogram with no bucket configuration; Prometheus'
//! `histogram_count` and `histogram_sum` read them back exactly, and `histogram_quantile` is
//! within 5% of the exact quantiles. The test prints, for the README, the error of the classic
//! default buckets on the same data, estimated the way `histogram_quantile` does.
//!
//! The same Prometheus keeps only the native histogram of a series that has both, so the
//! deploy kit's latency recording rules and dashboard panels read the native series where the
//! classic `_bucket` ones are missing: each must give a value for a `#[monitored]` function and
//! a `#[tool_call]` tool here.

use std::path::Path;
use std::time::Duration;

use metrics_runtime::{monitored, tool_call, Histogram, Metrics, DEFAULT_BUCKETS};
use metrics_toolkit::{substitute_variables, walk_panels, PrometheusServer};

#[derive(Metrics)]
#[metrics(prefix = "e2e")]
struct Service {
    /// Request latency, in seconds.
    request_seconds: Histogram,
}

static SERVICE: Service = Service::new();

/// 10,000 log-normal durations, clamped to 50 µs..5 s; deterministic.
fn durations() -> Vec<f64> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut uniform = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        ((state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let (low, high) = (50e-6f64, 5.0f64);
    // The median in the middle of the range in log scale, 3 sigma to either end.
    let mu = (low.ln() + high.ln()) / 2.0;
    let sigma = (high.ln() - low.ln()) / 6.0;
    (0..10_000)
        .map(|_| {
            // Box-Muller.
            let normal = (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos();
            (mu + sigma * normal).exp().clamp(low, high)
        })
        .collect()
}

/// The q-quantile of sorted values, as the nearest rank.
fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// What `histogram_quantile` gives on classic buckets: linear interpolation inside the bucket
/// of the rank; in `+Inf`, the highest finite bound.
fn classic_quantile(bounds: &[f64], values: &[f64], q: f64) -> f64 {
    let count = values.len() as f64;
    let rank = q * count;
    let mut below = 0.0;
    let mut lower = 0.0;
    for &bound in bounds {
        let cumulative = values.iter().filter(|&&v| v <= bound).count() as f64;
        if cumulative >= rank {
            return lower + (bound - lower) * (rank - below) / (cumulative - below);
        }
        below = cumulative;
        lower = bound;
    }
    bounds[bounds.len() - 1]
}

#[test]
fn prometheus_reads_native_histograms_with_accurate_quantiles() {
    let address = metrics_toolkit::address();
    let values = durations();
    let mut sum = 0.0;
    for &value in &values {
        SERVICE.request_seconds.observe(value);
        sum += value;
    }
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/prometheus/rules/recording.yml");
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
         rule_files: [\"{}\"]\n\
         scrape_configs:\n  - job_name: native\n    static_configs:\n      - targets: [\"{address}\"]\n",
        rules.display()
    );
    let Some(prometheus) =
        PrometheusServer::start(&config, &["--enable-feature=native-histograms"])
    else {
        return;
    };
    let series = "e2e_request_seconds{job=\"native\"}";
    let count = prometheus.wait_for(
        "the native series",
        std::time::Duration::from_secs(60),
        || prometheus.single(&format!("histogram_count({series})")),
    );
    assert_eq!(count, 10_000.0);
    assert_eq!(
        prometheus
            .single(&format!("histogram_sum({series})"))
            .unwrap(),
        sum,
        "the sum, to the last bit"
    );
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    println!("| quantile | exact | native (schema 3) | error | classic default buckets | error |");
    println!("|---|---:|---:|---:|---:|---:|");
    for q in [0.5, 0.9, 0.99] {
        let exact = exact_quantile(&sorted, q);
        let native = prometheus
            .single(&format!("histogram_quantile({q}, {series})"))
            .unwrap();
        let classic = classic_quantile(DEFAULT_BUCKETS, &sorted, q);
        let error = |estimate: f64| (estimate - exact) / exact;
        println!(
            "| {q} | {exact:.6} s | {native:.6} s | {:+.1}% | {classic:.6} s | {:+.1}% |",
            100.0 * error(native),
            100.0 * error(classic)
        );
        assert!(
            error(native).abs() < 0.05,
            "q={q}: native {native} vs exact {exact}"
        );
    }
    kit_reads_the_native_series(&prometheus);
}

#[monitored]
fn native_step() {
    std::thread::sleep(Duration::from_millis(2));
}

#[tool_call(server = "native-e2e", tool = "lookup")]
fn native_lookup() {
    std::thread::sleep(Duration::from_millis(2));
}

/// The kit's latency rules and panels, on series that exist only as native histograms.
fn kit_reads_the_native_series(prometheus: &PrometheusServer) {
    // Calls across several scrapes, so that `rate()` sees them.
    for _ in 0..4 {
        for _ in 0..10 {
            native_step();
            native_lookup();
        }
        std::thread::sleep(Duration::from_millis(1100));
    }
    let classic = prometheus
        .api(
            "/api/v1/series",
            &[("match[]", "function_call_duration_seconds_bucket")],
        )
        .unwrap();
    assert_eq!(classic, serde_json::json!([]), "no classic buckets stored");
    for rule in [
        "function_module:function_call_duration_seconds:p99_5m{function=\"native_step\"}",
        "server_tool:mcp_tool_call_duration_seconds:p50_5m{tool=\"lookup\"}",
    ] {
        let value = prometheus.wait_for(rule, Duration::from_secs(30), || prometheus.single(rule));
        assert!((0.002..0.5).contains(&value), "{rule} = {value}");
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/grafana/dashboards");
    let mut checked = 0;
    for file in ["overview.json", "functions.json", "mcp-tools.json"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let dashboard: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut panels = Vec::new();
        walk_panels(&dashboard["panels"], &mut panels);
        for panel in panels {
            for target in panel["targets"].as_array().into_iter().flatten() {
                let expr = target["expr"].as_str().unwrap_or_default();
                if !(expr.contains("histogram_quantile") || expr.contains("_sum")) {
                    continue;
                }
                let concrete = substitute_variables(expr);
                let data = prometheus
                    .api("/api/v1/query", &[("query", &concrete)])
                    .unwrap_or_else(|e| panic!("{file} {:?}: {e}", panel["title"]));
                assert!(
                    data["result"].as_array().is_some_and(|r| !r.is_empty()),
                    "{file} panel {:?}: no data from `{concrete}`",
                    panel["title"]
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 17, "the latency panels: 15 quantiles and 2 means");
}
