//! Installing the exporter: addresses, errors, the environment variable, routes, shutdown.
//! One test, because a process has one recorder: its steps run in order.

use std::net::{SocketAddr, TcpListener, TcpStream};

use metrics_runtime::{install_exporter, monitored, Error, Exporter};
use metrics_toolkit::{expect_value, get, request};

#[monitored]
fn preregistered() {}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[test]
fn install_reports_errors_then_serves_and_stops() {
    // A bad address is an error, not a panic, and installs nothing.
    let error = Exporter::builder()
        .listen_address("not-an-address")
        .install()
        .unwrap_err();
    assert!(matches!(error, Error::InvalidAddress { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("invalid metrics listen address `not-an-address`: "),
        "{error}"
    );

    // A port in use is an error naming the address.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_address = taken.local_addr().unwrap();
    let error = Exporter::builder()
        .listen_address(taken_address)
        .install()
        .unwrap_err();
    assert!(
        matches!(error, Error::Bind { address, .. } if address == taken_address),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot listen for scrapes on {taken_address}: ")),
        "{error}"
    );

    // Invalid builder buckets are refused before anything is installed.
    let error = Exporter::builder()
        .default_buckets(&[1.0, 0.5])
        .listen_address("127.0.0.1:0")
        .install()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid buckets for default buckets: 0.5 follows 1, bounds must increase; give at least one finite, positive, strictly increasing bound"
    );

    // After the failures, installing still works: METRICS_ADDR is honoured.
    let address = free_port();
    std::env::set_var("METRICS_ADDR", address.to_string());
    let exporter = install_exporter().expect("installs on METRICS_ADDR");
    std::env::remove_var("METRICS_ADDR");
    assert_eq!(exporter.local_addr(), Some(address));

    // A second install is refused with a clear error.
    let error = Exporter::builder()
        .listen_address("127.0.0.1:0")
        .install()
        .unwrap_err();
    assert!(matches!(error, Error::AlreadyInstalled), "{error:?}");

    // Series of every instrumented function exist at zero before its first call.
    let response = get(address, "/metrics");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.content_type.as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let labels = [
        ("function", "preregistered"),
        ("module", "exporter"),
        ("status", "ok"),
    ];
    assert_eq!(
        expect_value(&response.body, "function_calls_total", &labels),
        0.0
    );
    preregistered();
    assert_eq!(
        expect_value(
            &get(address, "/metrics").body,
            "function_calls_total",
            &labels
        ),
        1.0
    );
    assert_eq!(exporter.render(), get(address, "/metrics").body);

    // Unknown paths and wrong methods.
    assert_eq!(get(address, "/nope").status, 404);
    assert_eq!(request("POST", address, "/metrics").status, 405);
    assert_eq!(request("HEAD", address, "/metrics").status, 200);

    // Shutdown closes the listener.
    exporter.shutdown();
    assert!(
        TcpStream::connect(address).is_err(),
        "the listener is closed after shutdown"
    );
}
