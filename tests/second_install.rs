//! A second install in a process that has an exporter says so, and a port in use says what
//! holds it: this process' exporter, another listener of this process, or another process.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Stdio};

use metrics_runtime::{Error, Exporter};
use metrics_toolkit::get;

/// The text the system gives for a port in use.
fn in_use() -> std::io::Error {
    std::io::Error::from_raw_os_error(libc::EADDRINUSE)
}

const CHOOSE: &str =
    "pick a free port with METRICS_ADDR or `Exporter::builder().listen_address(..)`";

const ALREADY_INSTALLED: &str = "the exporter is already installed in this process, and `metrics` allows one recorder per process: install the exporter once, at startup, and keep and reuse the returned `Exporter`";

fn install_on(address: impl std::fmt::Display) -> Result<Exporter, Error> {
    Exporter::builder()
        .listen_address(address)
        .process_metrics(false)
        .host_metrics(false)
        .install()
}

/// Run by the test below as a process of its own: holds a port until its stdin closes.
#[test]
fn hold_a_port_for_the_parent() {
    if std::env::var_os("HOLD_A_PORT").is_none() {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    println!("holding {}", listener.local_addr().unwrap().port());
    let _ = std::io::stdin().lines().count();
}

#[test]
fn each_refusal_names_what_holds_the_port() {
    // Another listener of this process holds the port, before any exporter is installed.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_address = taken.local_addr().unwrap();
    let error = install_on(taken_address).unwrap_err();
    assert!(
        matches!(error, Error::Bind { address, .. } if address == taken_address),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("cannot listen for scrapes on {taken_address}: {}; another listener of this process, not an exporter of this crate, holds the port: {CHOOSE}", in_use())
    );
    drop(taken);

    // Another process holds the port.
    let mut holder = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "hold_a_port_for_the_parent", "--nocapture"])
        .env("HOLD_A_PORT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut output = BufReader::new(holder.stdout.take().unwrap()).lines();
    let port: u16 = output
        .by_ref()
        .map(Result::unwrap)
        .find_map(|line| line.strip_prefix("holding ")?.parse().ok())
        .expect("the child reports its port");
    let error = install_on(format!("127.0.0.1:{port}")).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("cannot listen for scrapes on 127.0.0.1:{port}: {}; another process holds the port (`ss -ltnp 'sport = :{port}'` shows which): {CHOOSE}", in_use())
    );
    drop(holder.stdin.take());
    let rest: Vec<String> = output.map(Result::unwrap).collect();
    assert!(holder.wait().unwrap().success(), "{rest:?}");

    // This process' exporter holds the port: it says so, for the same address and for a
    // wildcard address on the same port.
    let exporter = install_on("127.0.0.1:0").unwrap();
    let address = exporter.local_addr().unwrap();
    for wanted in [
        address,
        SocketAddr::new([0, 0, 0, 0].into(), address.port()),
    ] {
        let error = install_on(wanted).unwrap_err();
        assert!(
            matches!(error, Error::AlreadyListening { address: live } if live == address),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("an exporter of this process already listens on {address}: install the exporter once, at startup, and keep and reuse its `Exporter` (clone `exporter.handle()` where the exposition is needed) instead of installing another")
        );
    }

    // Elsewhere, or without a listener: installed already, whatever the port.
    let error = install_on("127.0.0.1:0").unwrap_err();
    assert!(matches!(error, Error::AlreadyInstalled), "{error:?}");
    assert_eq!(error.to_string(), ALREADY_INSTALLED);
    let error = Exporter::builder().build().unwrap_err();
    assert_eq!(error.to_string(), ALREADY_INSTALLED);

    // The first exporter is untouched by the refusals.
    assert_eq!(get(address, "/metrics").status, 200);

    // Once it has shut down, its port is free, and the recorder is still installed.
    exporter.shutdown();
    let error = install_on(address).unwrap_err();
    assert_eq!(error.to_string(), ALREADY_INSTALLED);
}
