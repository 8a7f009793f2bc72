//! `.loopback_only()` keeps the port but binds the loopback interface, whatever the address
//! asks for; and `install_exporter!()` exports `build_info` from the calling crate.

use metrics_runtime::install_exporter;
use metrics_toolkit::{expect_value, get};

#[test]
fn loopback_only_binds_127_0_0_1_and_the_macro_adds_build_info() {
    std::env::set_var("METRICS_ADDR", "0.0.0.0:0");
    let builder = metrics_runtime::Exporter::builder()
        .loopback_only()
        .process_metrics(false)
        .host_metrics(false);
    let exporter = builder
        .app(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .install()
        .unwrap();
    std::env::remove_var("METRICS_ADDR");
    let address = exporter.local_addr().unwrap();
    assert!(address.ip().is_loopback(), "{address}");
    assert_ne!(address.port(), 0);
    let text = get(address, "/metrics").body;
    let build = [
        ("name", "metrics-toolkit"),
        ("version", env!("CARGO_PKG_VERSION")),
    ];
    assert_eq!(expect_value(&text, "build_info", &build), 1.0);
    assert!(
        !text.contains("process_cpu_seconds_total"),
        "process metrics were switched off"
    );
    assert!(
        !text.contains("host_memory_total_bytes"),
        "host metrics were switched off"
    );

    // The macro is the same builder with the calling crate's name and version; a second
    // install is refused, which also shows it tried to install.
    let again = install_exporter!().unwrap_err();
    assert!(
        matches!(again, metrics_runtime::Error::AlreadyInstalled),
        "{again:?}"
    );
}
