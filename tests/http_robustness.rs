//! The listener under load and abuse: 200 concurrent scrapes while instrumented functions run
//! on every core (no count lost), malformed requests, and clients that stall mid-request.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use metrics_runtime::monitored;
use metrics_toolkit::{address, expect_value, samples, scrape, try_request};

#[monitored]
fn busy_work(i: u64) -> u64 {
    i.wrapping_mul(2654435761) >> 7
}

#[test]
fn two_hundred_concurrent_scrapes_while_every_core_works() {
    metrics_toolkit::exporter();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    const CALLS: u64 = 50_000;
    let calls = [("function", "busy_work"), ("status", "ok")];

    let work: Vec<_> = (0..workers)
        .map(|_| std::thread::spawn(|| (0..CALLS).fold(0u64, |acc, i| acc ^ busy_work(i))))
        .collect();
    let scrapers: Vec<_> = (0..200)
        .map(|_| {
            std::thread::spawn(move || {
                let response =
                    try_request("GET", address(), "/metrics").expect("every scrape is answered");
                assert_eq!(response.status, 200);
                // Every scrape is a complete, parseable exposition with a count no higher
                // than what will be called in total.
                let seen = metrics_toolkit::value(&response.body, "function_calls_total", &calls)
                    .unwrap_or(0.0);
                assert!(seen <= (workers * CALLS) as f64);
                samples(&response.body).len()
            })
        })
        .collect();
    for scraper in scrapers {
        assert!(scraper.join().expect("scraper thread") > 0);
    }
    for worker in work {
        worker.join().unwrap();
    }

    let text = scrape();
    assert_eq!(
        expect_value(&text, "function_calls_total", &calls),
        (workers * CALLS) as f64
    );
    let histogram = [("function", "busy_work")];
    assert_eq!(
        expect_value(&text, "function_call_duration_seconds_count", &histogram),
        (workers * CALLS) as f64
    );
    assert_eq!(
        expect_value(&text, "function_calls_in_flight", &histogram),
        0.0
    );
}

fn raw_exchange(bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn malformed_requests_get_400_and_the_listener_keeps_serving() {
    metrics_toolkit::exporter();
    for garbage in [
        &b"\x00\x01\x02 definitely not http\r\n\r\n"[..],
        b"GET /metrics HTTP/9.9\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
    ] {
        let response = raw_exchange(garbage);
        assert!(
            response.is_empty()
                || response.starts_with("HTTP/1.1 400")
                || response.starts_with("HTTP/1.1 505"),
            "unexpected answer to {:?}: {response}",
            String::from_utf8_lossy(garbage)
        );
    }
    let huge_header = format!(
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let response = raw_exchange(huge_header.as_bytes());
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 431"),
        "{response}"
    );
    assert_eq!(
        try_request("GET", address(), "/metrics").unwrap().status,
        200
    );
}

#[test]
fn stalled_clients_do_not_block_scrapes() {
    metrics_toolkit::exporter();
    // Fifty clients that send half a request line and then nothing.
    let stalled: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut stream = TcpStream::connect(address()).unwrap();
            stream.write_all(b"GET /metr").unwrap();
            stream
        })
        .collect();
    // Each connection is served on its own task: scrapes are answered while they stall.
    for _ in 0..5 {
        assert_eq!(
            try_request("GET", address(), "/metrics").unwrap().status,
            200
        );
    }
    drop(stalled);
}
