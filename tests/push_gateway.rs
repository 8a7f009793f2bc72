//! Push mode for batch jobs: the exposition is `PUT` to a Pushgateway address on an interval
//! and once more at shutdown. A tiny HTTP receiver in the test records what arrives.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use metrics_runtime::{monitored, Exporter};
use metrics_toolkit::{expect_value, promtool_check_metrics};

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Pushed {
    method: String,
    path: String,
    content_type: String,
    body: String,
}

/// Accepts connections forever, answering 200 to every request and recording it.
fn start_receiver() -> (String, Arc<Mutex<Vec<Pushed>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/metrics/job/nightly_import/instance/test",
        listener.local_addr().unwrap()
    );
    let pushes = Arc::new(Mutex::new(Vec::new()));
    let recorded = pushes.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let recorded = recorded.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut parts = request_line.split_whitespace();
                    let (method, path) = (
                        parts.next().unwrap_or_default().to_owned(),
                        parts.next().unwrap_or_default().to_owned(),
                    );
                    let (mut length, mut content_type) = (0usize, String::new());
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        let header = header.trim_end();
                        if header.is_empty() {
                            break;
                        }
                        let (name, value) = header.split_once(':').unwrap();
                        match name.to_ascii_lowercase().as_str() {
                            "content-length" => length = value.trim().parse().unwrap(),
                            "content-type" => content_type = value.trim().to_owned(),
                            _ => {}
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let body = String::from_utf8(body).unwrap();
                    recorded.lock().unwrap().push(Pushed {
                        method,
                        path,
                        content_type,
                        body,
                    });
                    let stream = reader.get_mut();
                    stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                        .unwrap();
                }
            });
        }
    });
    (url, pushes)
}

#[monitored]
fn import_row(row: u32) -> Result<u32, std::num::TryFromIntError> {
    u8::try_from(row).map(u32::from)
}

#[test]
fn pushes_on_an_interval_and_a_last_time_at_shutdown() {
    let (url, pushes) = start_receiver();
    let exporter = Exporter::builder()
        .push_gateway(url.clone(), Duration::from_millis(200))
        .process_metrics(false)
        .host_metrics(false)
        .build()
        .expect("installs without a listener");
    assert_eq!(exporter.local_addr(), None);

    for row in [1, 2, 300] {
        let _ = import_row(row);
    }
    // Wait for an interval push that carries these calls.
    let deadline = Instant::now() + Duration::from_secs(15);
    let calls = [("function", "import_row"), ("status", "ok")];
    loop {
        let latest = pushes.lock().unwrap().last().cloned();
        if let Some(push) = latest.filter(|p| {
            metrics_toolkit::value(&p.body, "function_calls_total", &calls) == Some(2.0)
        }) {
            assert_eq!(push.method, "PUT");
            assert_eq!(push.path, "/metrics/job/nightly_import/instance/test");
            assert_eq!(
                push.content_type,
                "text/plain; version=0.0.4; charset=utf-8"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no push with the calls arrived: {:?}",
            pushes.lock().unwrap().len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // More work, then shutdown: the last push has the final values, without waiting for the
    // next interval.
    for row in [4, 5, 600, 700] {
        let _ = import_row(row);
    }
    let before_shutdown = pushes.lock().unwrap().len();
    exporter.shutdown();
    let pushed = pushes.lock().unwrap().clone();
    assert!(pushed.len() > before_shutdown, "shutdown pushed once more");
    let last = &pushed.last().unwrap().body;
    assert_eq!(expect_value(last, "function_calls_total", &calls), 4.0);
    let errors = [
        ("function", "import_row"),
        ("error_type", "TryFromIntError"),
    ];
    assert_eq!(expect_value(last, "function_errors_total", &errors), 3.0);
    assert_eq!(expect_value(last, "metrics_push_failures_total", &[]), 0.0);
    promtool_check_metrics(last);
}
