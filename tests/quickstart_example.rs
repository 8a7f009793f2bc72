//! The README's first command, run for real: the quickstart example serves `/metrics` with all
//! four families, and the exposition passes `promtool check metrics`.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use metrics_toolkit::{build_example, promtool_check_metrics, samples, try_request};

#[test]
fn quickstart_serves_all_families() {
    let address = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut child = Command::new(build_example("quickstart"))
        .args(["--for", "8"])
        .env("METRICS_ADDR", address.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the quickstart example starts");

    // Scrape once a few rounds have run (every round fetches ten pages).
    let deadline = Instant::now() + Duration::from_secs(20);
    let text = loop {
        std::thread::sleep(Duration::from_millis(200));
        if let Ok(response) = try_request("GET", address, "/metrics") {
            let fetched: f64 = samples(&response.body)
                .iter()
                .filter(|s| {
                    s.name == "function_calls_total" && s.labels["function"] == "fetch_page"
                })
                .map(|s| s.value)
                .sum();
            if fetched >= 30.0 {
                break response.body;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the quickstart did not serve metrics in time"
        );
    };
    for family in [
        "function_calls_total",
        "function_call_duration_seconds_bucket",
        "function_errors_total",
        "function_calls_in_flight",
    ] {
        assert!(
            text.lines().any(|line| line.starts_with(family)),
            "no {family} in\n{text}"
        );
    }
    assert!(text.contains("error_type=\"timeout\""), "{text}");
    // `install_exporter!()` names the program after the package that calls it.
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        text.contains(&format!(
            "build_info{{name=\"metrics-toolkit\",version=\"{version}\"}} 1\n"
        )),
        "{text}"
    );
    promtool_check_metrics(&text);

    let status = child.wait().expect("the example exits after --for");
    assert!(status.success(), "quickstart exited with {status}");
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    assert!(
        stdout.starts_with(&format!("Serving metrics on http://{address}/metrics\n")),
        "{stdout}"
    );
}
