//! Two functions that name one objective with different targets: `install()` refuses with an
//! error naming both and their targets, since they would share series with two targets.

use metrics_runtime::{Error, Exporter};

mod checkout {
    use metrics_runtime::monitored;

    #[monitored(objective(name = "payments", success = 99.9))]
    pub fn charge() {}
}

mod refunds {
    use metrics_runtime::monitored;

    #[monitored(objective(name = "payments", success = 99.0, latency = 0.25, latency_target = 95))]
    pub fn refund() {}
}

#[test]
fn install_refuses_an_objective_declared_twice_differently() {
    checkout::charge();
    refunds::refund();
    let error = Exporter::builder().build().unwrap_err();
    let Error::ObjectiveConflict {
        objective,
        first_targets,
        second_targets,
        first,
        second,
        ..
    } = &error
    else {
        panic!("expected an objective conflict, got {error:?}")
    };
    assert_eq!(objective, "payments");
    let mut declared = [
        (first.as_str(), first_targets.as_str()),
        (second.as_str(), second_targets.as_str()),
    ];
    declared.sort();
    assert!(
        declared[0]
            .0
            .starts_with("`objective_conflict::checkout::charge` (tests/objective_conflict.rs:"),
        "{error}"
    );
    assert_eq!(declared[0].1, "success 99.9%");
    assert!(
        declared[1]
            .0
            .starts_with("`objective_conflict::refunds::refund` (tests/objective_conflict.rs:"),
        "{error}"
    );
    assert_eq!(declared[1].1, "success 99%, latency 0.25 s at 95%");
    assert!(
        error
            .to_string()
            .contains("declare it once as a `const Objective`"),
        "{error}"
    );
}
