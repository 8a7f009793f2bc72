//! Two functions that share `name = "jobs"` but not their labels: `install()` refuses with an
//! error naming both, instead of exporting a family whose series disagree.

use metrics_runtime::{Error, Exporter};

mod ingest {
    use metrics_runtime::monitored;

    #[monitored(name = "jobs", labels(queue = "ingest"))]
    pub fn run() {}
}

mod export {
    use metrics_runtime::monitored;

    #[monitored(name = "jobs", labels(queue = "export", priority = "high"))]
    pub fn run() {}
}

#[test]
fn install_names_both_functions_of_a_conflicting_family() {
    ingest::run();
    export::run();
    let error = Exporter::builder().build().unwrap_err();
    let Error::Conflict(conflict) = &error else {
        panic!("expected a conflict, got {error:?}")
    };
    let message = error.to_string();
    assert_eq!(conflict.family, "jobs_calls_total", "{message}");
    let mut sites = [conflict.first.as_str(), conflict.second.as_str()];
    sites.sort();
    assert!(
        sites[0].starts_with("`family_conflict::export::run` (tests/family_conflict.rs:"),
        "{message}"
    );
    assert!(
        sites[1].starts_with("`family_conflict::ingest::run` (tests/family_conflict.rs:"),
        "{message}"
    );
    assert!(
        conflict.detail.starts_with("label names differ: ["),
        "{message}"
    );
    assert!(
        message.starts_with(&format!(
            "metric family `{}` is declared differently by ",
            conflict.family
        )),
        "{message}"
    );
    assert!(message.ends_with("give both functions the same labels and buckets, or give one of them another `name = \"...\"`"), "{message}");
}
