//! The production settings of the exporter, over real HTTP: metrics path, global labels,
//! prefix, build info, process and host metrics, health, catalog, allowed scrapers, idle
//! timeout, routes. One exporter per process, so one test walks through them in order.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use metrics_runtime::{monitored, set_health, Exporter, LabelValue};
use metrics_toolkit::{expect_value, get, promtool_check_metrics, request, samples, value};

#[derive(Clone, Copy, LabelValue)]
enum Shard {
    A,
    B,
}

#[monitored(labels(shard = shard))]
fn handle(shard: Shard) -> u8 {
    match shard {
        Shard::A => 1,
        Shard::B => 2,
    }
}

#[monitored]
fn steady() {}

/// A GET sent from another loopback address than 127.0.0.1, to be a disallowed peer.
fn get_from(source: &str, address: SocketAddr, path: &str) -> String {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(&source.parse::<SocketAddr>().unwrap().into())
        .unwrap();
    socket.connect(&address.into()).unwrap();
    let mut stream: TcpStream = socket.into();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn production_settings_over_http() {
    let exporter = Exporter::builder()
        .listen_address("127.0.0.1:0")
        .metrics_path("/prom")
        .global_label("service", "checkout")
        .prefix("shop_")
        .app("checkout-service", "1.2.3")
        .allow_scraper("127.0.0.1/32")
        .idle_timeout(Duration::from_millis(1500))
        .collect_interval(Duration::from_millis(200))
        .family_buckets("function_call_duration_seconds", &[0.5, 5.0])
        .install()
        .expect("installs");
    let address = exporter.local_addr().unwrap();
    // Another crate using the `metrics` facade directly.
    metrics::describe_counter!("jobs_enqueued_total", "Jobs put on a queue.");
    metrics::counter!("jobs_enqueued_total", "queue" => "mail").increment(4);
    handle(Shard::A);
    handle(Shard::A);
    steady();

    // The metrics path moved; the old one is unknown.
    assert_eq!(get(address, "/metrics").status, 404);
    let response = get(address, "/prom");
    assert_eq!(response.status, 200);
    let text = response.body;

    // Prefix on this crate's families, global labels everywhere, other metrics unprefixed.
    let shard_a = [
        ("service", "checkout"),
        ("function", "handle"),
        ("shard", "a"),
        ("status", "ok"),
    ];
    assert_eq!(
        expect_value(&text, "shop_function_calls_total", &shard_a),
        2.0
    );
    assert_eq!(
        value(&text, "function_calls_total", &[("function", "handle")]),
        None
    );
    assert_eq!(
        expect_value(
            &text,
            "jobs_enqueued_total",
            &[("service", "checkout"), ("queue", "mail")]
        ),
        4.0
    );
    // Per-family buckets from the builder win over the defaults.
    let les: Vec<String> = samples(&text)
        .into_iter()
        .filter(|s| {
            s.name == "shop_function_call_duration_seconds_bucket"
                && s.labels["function"] == "steady"
        })
        .map(|s| s.labels["le"].clone())
        .collect();
    assert_eq!(les, ["0.5", "5", "+Inf"]);

    // build_info, and process metrics under their standard names.
    let build = [
        ("service", "checkout"),
        ("name", "checkout-service"),
        ("version", "1.2.3"),
    ];
    assert_eq!(expect_value(&text, "shop_build_info", &build), 1.0);
    let process = |name| expect_value(&text, name, &[("service", "checkout")]);
    let start = process("process_start_time_seconds");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        start > now - 3600.0 && start <= now + 1.0,
        "process_start_time_seconds {start} vs now {now}"
    );
    assert!(process("process_resident_memory_bytes") > 1e6);
    assert!(process("process_virtual_memory_bytes") >= process("process_resident_memory_bytes"));
    assert!(process("process_cpu_seconds_total") >= 0.0);
    let open_fds = process("process_open_fds");
    assert!(
        open_fds >= 3.0 && open_fds <= process("process_max_fds"),
        "open fds {open_fds}"
    );
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let threads_now: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let threads = process("process_threads");
    assert!(
        threads >= 2.0 && (threads - threads_now).abs() <= 8.0,
        "threads {threads} vs {threads_now} now"
    );
    assert!(text.contains("# TYPE process_cpu_seconds_total counter\n"));

    // Host metrics: ratios from 0 to 1, used below total, the loopback interface counted.
    let host = |name| expect_value(&text, &format!("shop_{name}"), &[("service", "checkout")]);
    let cpu = host("host_cpu_usage_ratio");
    assert!((0.0..=1.0).contains(&cpu), "cpu ratio {cpu}");
    assert!(host("host_memory_used_bytes") > 0.0);
    assert!(host("host_memory_used_bytes") <= host("host_memory_total_bytes"));
    assert!(host("host_uptime_seconds") > 0.0);
    // Every mounted file system the host lists (containers list their overlay root).
    let mounts: Vec<String> = samples(&text)
        .into_iter()
        .filter(|s| s.name == "shop_host_disk_total_bytes")
        .map(|s| s.labels["mount"].clone())
        .collect();
    assert!(!mounts.is_empty(), "no file system listed");
    for mount in &mounts {
        let labels = [("mount", mount.as_str())];
        let total = expect_value(&text, "shop_host_disk_total_bytes", &labels);
        let used = expect_value(&text, "shop_host_disk_used_bytes", &labels);
        assert!(
            total > 0.0 && (0.0..=total).contains(&used),
            "{mount}: {used} of {total}"
        );
    }
    let lo = [("interface", "lo")];
    assert!(
        expect_value(&text, "shop_host_network_received_bytes_total", &lo) > 0.0,
        "scrapes went over lo"
    );
    promtool_check_metrics(&text);

    // Health: 200 while all components are healthy, 503 once one is not.
    set_health("database", true);
    let health = get(address, "/health");
    assert_eq!(
        (health.status, health.content_type.as_deref()),
        (200, Some("application/json"))
    );
    assert_eq!(
        health.body,
        r#"{"components":{"database":"healthy"},"status":"healthy"}"#
    );
    set_health("payments_api", false);
    let health = get(address, "/health");
    assert_eq!(health.status, 503);
    assert_eq!(
        health.body,
        r#"{"components":{"database":"healthy","payments_api":"unhealthy"},"status":"unhealthy"}"#
    );
    let text = get(address, "/prom").body;
    assert_eq!(
        expect_value(
            &text,
            "shop_service_health",
            &[("component", "payments_api")]
        ),
        0.0
    );
    assert_eq!(
        expect_value(&text, "shop_service_health", &[("component", "database")]),
        1.0
    );

    // The catalog lists this binary's instrumented functions with prefixed metric names.
    let catalog: serde_json::Value = serde_json::from_str(&get(address, "/catalog").body).unwrap();
    let functions = catalog["functions"].as_array().unwrap();
    let handle_entry = functions
        .iter()
        .find(|f| f["function"] == "handle")
        .expect("handle is in the catalog");
    assert_eq!(handle_entry["module"], "production");
    assert_eq!(handle_entry["kind"], "monitored");
    assert_eq!(
        handle_entry["metrics"]["calls"],
        "shop_function_calls_total"
    );
    assert_eq!(
        handle_entry["labels"],
        serde_json::json!(["function", "module", "shard"])
    );
    assert!(handle_entry["location"]
        .as_str()
        .unwrap()
        .starts_with("tests/production.rs:"));
    assert!(functions.iter().any(|f| f["function"] == "steady"));

    // Routes: wrong methods, unknown paths, and a peer that is not allowed.
    assert_eq!(request("POST", address, "/prom").status, 405);
    assert_eq!(request("DELETE", address, "/health").status, 405);
    assert_eq!(get(address, "/nothing").status, 404);
    let forbidden = get_from("127.0.0.2:0", address, "/prom");
    assert!(
        forbidden.starts_with("HTTP/1.1 403 Forbidden\r\n"),
        "{forbidden}"
    );
    assert!(
        forbidden.ends_with("forbidden: 127.0.0.2 may not scrape this exporter\n"),
        "{forbidden}"
    );

    // Idle timeout: the shard B series (never called, unchanged) disappears; shard A stays
    // while it is used; series without labels from arguments never expire.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        handle(Shard::A);
        let text = get(address, "/prom").body;
        let b_present = value(
            &text,
            "shop_function_calls_total",
            &[("shard", "b"), ("status", "ok")],
        )
        .is_some();
        if !b_present {
            assert!(value(
                &text,
                "shop_function_calls_total",
                &[("shard", "a"), ("status", "ok")]
            )
            .is_some());
            assert!(value(
                &text,
                "shop_function_calls_total",
                &[("function", "steady"), ("status", "ok")]
            )
            .is_some());
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "shard b never expired"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    // It comes back when it is used again.
    handle(Shard::B);
    let text = get(address, "/prom").body;
    assert_eq!(
        expect_value(
            &text,
            "shop_function_calls_total",
            &[("shard", "b"), ("status", "ok")]
        ),
        1.0
    );

    exporter.shutdown();
}
