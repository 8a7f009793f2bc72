//! Settings that the background work cannot run with are refused by `install()` and `build()`,
//! naming the setting and its valid range, instead of installing an exporter whose thread then
//! panics and whose port stops answering.

use std::time::Duration;

use metrics_runtime::{Error, Exporter};
use metrics_toolkit::{expect_value, get};

#[metrics_runtime::monitored]
#[allow(dead_code)]
fn unused() {}

fn refusal(result: Result<Exporter, Error>) -> Error {
    match result {
        Ok(exporter) => panic!("installed an exporter with a bad setting: {exporter:?}"),
        Err(error) => error,
    }
}

#[test]
fn bad_settings_are_refused_and_good_ones_still_install() {
    let error = refusal(
        Exporter::builder()
            .listen_address("127.0.0.1:0")
            .collect_interval(Duration::ZERO)
            .install(),
    );
    assert!(
        matches!(
            error,
            Error::InvalidDuration {
                setting: "`collect_interval`",
                value: Duration::ZERO,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "invalid `collect_interval` of 0ns: it must be at least 200ms, the shortest interval over which this system measures CPU usage; the default is 15s"
    );
    let error = refusal(
        Exporter::builder()
            .collect_interval(Duration::from_millis(199))
            .build(),
    );
    assert_eq!(
        error.to_string(),
        "invalid `collect_interval` of 199ms: it must be at least 200ms, the shortest interval over which this system measures CPU usage; the default is 15s"
    );
    let error = refusal(
        Exporter::builder()
            .listen_address("127.0.0.1:0")
            .idle_timeout(Duration::ZERO)
            .install(),
    );
    assert_eq!(
        error.to_string(),
        "invalid `idle_timeout` of 0ns: it must be more than zero, e.g. 600s; leave it unset to keep every series"
    );
    let error = refusal(
        Exporter::builder()
            .push_gateway("http://127.0.0.1:9/metrics/job/a", Duration::ZERO)
            .build(),
    );
    assert_eq!(
        error.to_string(),
        "invalid `push_gateway` interval of 0ns: it must be more than zero, e.g. 10s"
    );
    let error = refusal(
        Exporter::builder()
            .listen_address("127.0.0.1:0")
            .global_label("service", "a")
            .global_label("service", "b")
            .install(),
    );
    assert_eq!(
        error.to_string(),
        "invalid global label `service`: it is given twice, and a series can carry a label once; give it once"
    );

    // Nothing was installed: the shortest valid interval installs, and the listener answers
    // after the collectors have run on their interval several times.
    let exporter = Exporter::builder()
        .listen_address("127.0.0.1:0")
        .collect_interval(Duration::from_millis(200))
        .global_label("service", "settings")
        .install()
        .expect("valid settings install after refused ones");
    let address = exporter.local_addr().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let scrape = get(address, "/metrics");
    assert_eq!(scrape.status, 200);
    assert_eq!(
        expect_value(
            &scrape.body,
            "function_calls_total",
            &[
                ("function", "unused"),
                ("status", "ok"),
                ("service", "settings")
            ]
        ),
        0.0
    );
    exporter.shutdown();
}
