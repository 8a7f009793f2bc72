//! Quickstart: three instrumented functions doing simulated async work, with successes,
//! errors, panics and cancellations, and the exporter serving `/metrics`.
//!
//! ```text
//! cargo run --release --example quickstart            # runs until Ctrl-C
//! cargo run --release --example quickstart -- --for 5 # stops after 5 seconds
//! METRICS_ADDR=127.0.0.1:9100 cargo run --release --example quickstart
//! ```

use std::time::Duration;

use metrics_runtime::{install_exporter, monitored, ErrorLabel, LabelValue};

/// Why a fetch failed; `error_type` is the variant name in snake_case.
#[derive(Debug, thiserror::Error, ErrorLabel)]
enum FetchError {
    #[error("the upstream did not answer in time")]
    Timeout,
    #[error("page {0} does not exist")]
    NotFound(u64),
}

/// A bounded label taken from an argument.
#[derive(Clone, Copy, LabelValue)]
enum Priority {
    Low,
    High,
}

/// Fetches a page: usually fine, sometimes slow, sometimes an error.
#[monitored]
async fn fetch_page(id: u64) -> Result<String, FetchError> {
    tokio::time::sleep(Duration::from_millis(5 + id % 40)).await;
    match id % 10 {
        7 => Err(FetchError::Timeout),
        9 => Err(FetchError::NotFound(id)),
        _ => Ok(format!("<html>page {id}</html>")),
    }
}

/// Parses a page; sync, with a static and a dynamic label.
#[monitored(labels(stage = "parse", priority = priority))]
fn parse_page(html: &str, priority: Priority) -> Result<usize, std::num::ParseIntError> {
    let digits: String = html.chars().filter(char::is_ascii_digit).collect();
    let _ = matches!(priority, Priority::High);
    digits.parse::<usize>()
}

/// A job that panics now and then; the panic is counted and in-flight goes back down.
#[monitored]
async fn flaky_job(round: u64) -> u64 {
    tokio::task::yield_now().await;
    if round % 13 == 12 {
        panic!("simulated crash in round {round}");
    }
    round
}

/// Work that is sometimes abandoned by a timeout: counted as `cancelled`.
#[monitored]
async fn slow_lookup(round: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(if round.is_multiple_of(5) {
        500
    } else {
        10
    }))
    .await;
    round
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let run_for = parse_duration_flag()?;
    let exporter = install_exporter!()?;
    let address = exporter.local_addr().expect("the exporter listens");
    println!("Serving metrics on http://{address}/metrics");
    println!(
        "Try:  curl -s http://127.0.0.1:{}/metrics | grep '^function_'",
        address.port()
    );
    // Keep the simulated panics to one line each.
    std::panic::set_hook(Box::new(|info| eprintln!("(simulated) {info}")));

    let started = tokio::time::Instant::now();
    let mut round = 0u64;
    while run_for.is_none_or(|limit| started.elapsed() < limit) {
        let mut fetches = tokio::task::JoinSet::new();
        for id in round * 10..round * 10 + 10 {
            fetches.spawn(fetch_page(id));
        }
        while let Some(fetched) = fetches.join_next().await {
            if let Ok(html) = fetched? {
                let priority = if round.is_multiple_of(2) {
                    Priority::High
                } else {
                    Priority::Low
                };
                let _ = parse_page(&html, priority);
            }
        }
        let _ = tokio::spawn(flaky_job(round)).await;
        let _ = tokio::time::timeout(Duration::from_millis(100), slow_lookup(round)).await;
        round += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("Ran {round} rounds; exiting.");
    Ok(())
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
                    "unknown argument `{other}`; usage: quickstart [--for SECONDS]"
                ))
            }
        }
    }
    Ok(run_for)
}
