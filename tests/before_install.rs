//! A function that ran before the exporter was installed still reports after it: its call
//! site notices the new recorder instead of keeping the no-op handles it first got.

use metrics_runtime::monitored;
use metrics_toolkit::{expect_value, scrape};

#[monitored]
fn early_work(n: u32) -> Result<u32, std::fmt::Error> {
    if n == 0 {
        Err(std::fmt::Error)
    } else {
        Ok(n)
    }
}

#[monitored]
async fn early_async_work() {}

#[tokio::test]
async fn calls_after_install_are_recorded_even_when_the_function_ran_before() {
    // Before any recorder exists, calls go to the facade's no-op recorder: not counted.
    for n in [1, 0, 2] {
        let _ = early_work(n);
    }
    early_async_work().await;

    metrics_toolkit::exporter();
    for n in [3, 0, 4, 5] {
        let _ = early_work(n);
    }
    early_async_work().await;

    let text = scrape();
    let labels = |status| {
        [
            ("function", "early_work"),
            ("module", "before_install"),
            ("status", status),
        ]
    };
    assert_eq!(
        expect_value(&text, "function_calls_total", &labels("ok")),
        3.0
    );
    assert_eq!(
        expect_value(&text, "function_calls_total", &labels("error")),
        1.0
    );
    let async_ok = [
        ("function", "early_async_work"),
        ("module", "before_install"),
        ("status", "ok"),
    ];
    assert_eq!(expect_value(&text, "function_calls_total", &async_ok), 1.0);
    let in_flight = [("function", "early_work"), ("module", "before_install")];
    assert_eq!(
        expect_value(&text, "function_calls_in_flight", &in_flight),
        0.0
    );
}
