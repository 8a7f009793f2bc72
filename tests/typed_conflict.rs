//! A typed metric that takes the name of an instrumented function's family: `install()`
//! refuses with an error naming both places, instead of printing one family twice.

use metrics_runtime::{monitored, Counter, Error, Exporter, Metrics};

#[monitored(name = "jobs")]
fn run_job() {}

#[derive(Metrics)]
struct Jobs {
    /// Jobs, counted by hand as well.
    jobs_calls_total: Counter,
}

static JOBS: Jobs = Jobs::new();

#[test]
fn install_names_the_typed_metric_and_the_function() {
    run_job();
    JOBS.jobs_calls_total.increment();
    let error = Exporter::builder().build().unwrap_err();
    let Error::TypedConflict(conflict) = &error else {
        panic!("expected a typed conflict, got {error:?}")
    };
    assert_eq!(conflict.family, "jobs_calls_total");
    assert!(
        conflict
            .first
            .starts_with("`typed_conflict::run_job` (tests/typed_conflict.rs:"),
        "{error}"
    );
    assert_eq!(
        conflict.second,
        "Jobs::jobs_calls_total (tests/typed_conflict.rs:12)"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "metric `jobs_calls_total` is declared by {} and again by {}: one name is one family, and that one belongs to an instrumented function or to this crate; rename the typed metric with `#[metric(name = \"...\")]`",
            conflict.first, conflict.second
        )
    );
}
