//! Typed labels in a real scrape: dynamic enum labels, `error_type` variant names, and static
//! label values that need escaping, round-tripped through a parser and promtool.

use metrics_runtime::{monitored, ErrorLabel, LabelValue};
use metrics_toolkit::{expect_value, promtool_check_metrics, samples, scrape};

#[derive(Clone, Copy, Debug, LabelValue)]
enum Region {
    EuWest,
    UsEast,
    #[label(rename = "ap")]
    AsiaPacific,
}

#[derive(Clone, Copy, Debug, LabelValue)]
enum Tier {
    Free,
    Paid,
}

#[derive(Debug, thiserror::Error, ErrorLabel)]
enum SyncError {
    #[error("conflict on {0}")]
    VersionConflict(u64),
    #[error("remote is gone")]
    RemoteGone,
}

#[monitored(labels(region = region, tier = tier))]
async fn sync_account(region: Region, tier: Tier, fail: u8) -> Result<(), SyncError> {
    tokio::task::yield_now().await;
    match fail {
        1 => Err(SyncError::VersionConflict(7)),
        2 => Err(SyncError::RemoteGone),
        _ => Ok(()),
    }
}

#[monitored(labels(note = "say \"hi\"\\ then\nnewline — ünïcode ✓"))]
fn odd_label() {}

#[tokio::test]
async fn dynamic_enum_labels_and_error_variants_in_a_scrape() {
    metrics_toolkit::exporter();
    let plan = [
        (Region::EuWest, Tier::Paid, 0),
        (Region::EuWest, Tier::Paid, 0),
        (Region::EuWest, Tier::Paid, 1),
        (Region::UsEast, Tier::Free, 2),
        (Region::AsiaPacific, Tier::Free, 0),
    ];
    for (region, tier, fail) in plan {
        let _ = sync_account(region, tier, fail).await;
    }
    let text = scrape();
    let calls = |region, tier, status| {
        let labels = [
            ("function", "sync_account"),
            ("region", region),
            ("tier", tier),
            ("status", status),
        ];
        expect_value(&text, "function_calls_total", &labels)
    };
    assert_eq!(calls("eu_west", "paid", "ok"), 2.0);
    assert_eq!(calls("eu_west", "paid", "error"), 1.0);
    assert_eq!(calls("us_east", "free", "error"), 1.0);
    assert_eq!(calls("ap", "free", "ok"), 1.0);
    // Combinations never called exist at zero: 3 regions x 2 tiers x 4 statuses.
    assert_eq!(calls("ap", "paid", "ok"), 0.0);
    let series = samples(&text)
        .into_iter()
        .filter(|s| s.name == "function_calls_total" && s.labels["function"] == "sync_account")
        .count();
    assert_eq!(series, 3 * 2 * 4);

    let errors = |region, tier, error_type| {
        let labels = [
            ("function", "sync_account"),
            ("region", region),
            ("tier", tier),
            ("error_type", error_type),
        ];
        expect_value(&text, "function_errors_total", &labels)
    };
    assert_eq!(errors("eu_west", "paid", "version_conflict"), 1.0);
    assert_eq!(errors("us_east", "free", "remote_gone"), 1.0);
    let in_flight = [
        ("function", "sync_account"),
        ("region", "eu_west"),
        ("tier", "paid"),
    ];
    assert_eq!(
        expect_value(&text, "function_calls_in_flight", &in_flight),
        0.0
    );
    // Unused combinations have no series of their own yet; the exposition shows them at zero
    // in every family, histogram buckets included, and promtool accepts it.
    let unused = [
        ("function", "sync_account"),
        ("region", "ap"),
        ("tier", "paid"),
    ];
    assert_eq!(
        expect_value(&text, "function_calls_in_flight", &unused),
        0.0
    );
    assert_eq!(
        expect_value(&text, "function_call_duration_seconds_count", &unused),
        0.0
    );
    let count_of = |text: &str, name: &str| {
        samples(text)
            .into_iter()
            .filter(|s| s.name == name && s.labels["function"] == "sync_account")
            .count()
    };
    assert_eq!(
        count_of(&text, "function_call_duration_seconds_bucket"),
        3 * 2 * 12
    );
    assert_eq!(count_of(&text, "function_calls_in_flight"), 3 * 2);
    promtool_check_metrics(&text);

    // A combination used after a scrape takes over from its zeros: counted once, no duplicate.
    sync_account(Region::AsiaPacific, Tier::Paid, 0)
        .await
        .unwrap();
    let text = scrape();
    let paid = [
        ("function", "sync_account"),
        ("region", "ap"),
        ("tier", "paid"),
        ("status", "ok"),
    ];
    assert_eq!(expect_value(&text, "function_calls_total", &paid), 1.0);
    assert_eq!(count_of(&text, "function_calls_total"), 3 * 2 * 4);
    assert_eq!(
        count_of(&text, "function_call_duration_seconds_count"),
        3 * 2
    );
    assert_eq!(
        expect_value(&text, "function_call_duration_seconds_count", &unused),
        1.0
    );
    promtool_check_metrics(&text);
}

#[test]
fn label_values_with_quotes_backslashes_and_newlines_round_trip() {
    metrics_toolkit::exporter();
    odd_label();
    let text = scrape();
    assert!(
        text.contains(r#"note="say \"hi\"\\ then\nnewline — ünïcode ✓""#),
        "escaped in the exposition:\n{text}"
    );
    let parsed = samples(&text)
        .into_iter()
        .find(|s| {
            s.name == "function_calls_total"
                && s.labels.get("function").map(String::as_str) == Some("odd_label")
                && s.labels["status"] == "ok"
        })
        .expect("the series is there");
    assert_eq!(
        parsed.labels["note"],
        "say \"hi\"\\ then\nnewline — ünïcode ✓"
    );
    assert_eq!(parsed.value, 1.0);
    promtool_check_metrics(&text);
}
