//! Blocks measured with `track()` and `track!`, scraped over HTTP: the same four families and
//! outcome rules as `#[monitored]`.

use std::time::Duration;

use metrics_runtime::{classify, track, ErrorLabel};
use metrics_toolkit::{expect_value, scrape};

#[derive(Debug, ErrorLabel)]
enum FetchError {
    Throttled,
}

fn calls(text: &str, function: &str, status: &str) -> f64 {
    expect_value(
        text,
        "function_calls_total",
        &[
            ("module", "agent"),
            ("function", function),
            ("status", status),
        ],
    )
}

#[tokio::test]
async fn tracked_blocks_record_calls_errors_panics_and_cancellations() {
    metrics_toolkit::exporter();

    // The guard form, with the outcome classified at the call site.
    for fail in [false, true, false] {
        let guard = track("agent", "plan");
        let result: Result<u8, FetchError> = if fail {
            Err(FetchError::Throttled)
        } else {
            Ok(1)
        };
        guard.finish(classify!(&result));
    }
    track("agent", "plan").ok();
    track("agent", "plan").error("gave_up");

    // The macro around a block: `?` leaves the block, and its value is classified (its type
    // must be known inside the block, as for a closure).
    for input in ["12", "x"] {
        let parsed = metrics_runtime::track!("agent", "parse", {
            let n: u32 = input.parse()?;
            Ok::<_, std::num::ParseIntError>(n + 1)
        });
        assert_eq!(parsed.is_ok(), input == "12");
    }

    // Around an async block: completion, and a drop before completion.
    let fetched = metrics_runtime::track!("agent", "fetch", async {
        tokio::task::yield_now().await;
        Ok::<_, std::io::Error>("page")
    })
    .await;
    assert_eq!(fetched.unwrap(), "page");
    let abandoned = tokio::time::timeout(
        Duration::from_millis(5),
        metrics_runtime::track!("agent", "fetch", async {
            std::future::pending::<()>().await
        }),
    )
    .await;
    assert!(abandoned.is_err());

    // A panic inside a tracked block.
    let explode = std::hint::black_box(true);
    let panicked = std::panic::catch_unwind(|| {
        metrics_runtime::track!("agent", "act", {
            if explode {
                panic!("tool exploded");
            }
            1u8
        })
    });
    assert!(panicked.is_err());

    let text = scrape();
    assert_eq!(calls(&text, "plan", "ok"), 3.0);
    assert_eq!(calls(&text, "plan", "error"), 2.0);
    let errors = |function, error_type| {
        expect_value(
            &text,
            "function_errors_total",
            &[
                ("module", "agent"),
                ("function", function),
                ("error_type", error_type),
            ],
        )
    };
    assert_eq!(errors("plan", "throttled"), 1.0);
    assert_eq!(errors("plan", "gave_up"), 1.0);
    assert_eq!(calls(&text, "parse", "ok"), 1.0);
    assert_eq!(errors("parse", "ParseIntError"), 1.0);
    assert_eq!(calls(&text, "fetch", "ok"), 1.0);
    assert_eq!(calls(&text, "fetch", "cancelled"), 1.0);
    assert_eq!(calls(&text, "act", "panic"), 1.0);
    for function in ["plan", "parse", "fetch", "act"] {
        let in_flight = [("module", "agent"), ("function", function)];
        assert_eq!(
            expect_value(&text, "function_calls_in_flight", &in_flight),
            0.0
        );
    }
    // Tracked blocks are in the catalog.
    let catalog = metrics_runtime::catalog();
    let plan = catalog
        .iter()
        .find(|e| e.module == "agent" && e.function == "plan")
        .unwrap();
    assert_eq!(plan.kind, "track");
}
