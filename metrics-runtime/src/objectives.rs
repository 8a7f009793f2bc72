//! Service level objectives declared on functions: `#[monitored(objective = ...)]`.
//!
//! A function with an objective also counts its calls into the objective's own series, labelled
//! by the objective's name only: `objective_calls_total`, `objective_errors_total` (calls that
//! ended in `error` or `panic`) and, with a latency target, `objective_latency_good_total` (calls
//! that took at most the threshold); `cancelled` calls count in none. The targets are gauges:
//! `objective_target_ratio{sli="success"|"latency"}` and `objective_latency_threshold_seconds`.
//! One static rule file (`deploy/prometheus/rules/objectives.yml`) turns them into error-budget
//! burn rates for every objective of every service, whatever family its functions record into,
//! and summed over instances; functions that share an objective share its budget.

/// A service level objective: the share of calls that succeed, and/or the share that finish
/// within a latency threshold, as percentages. Declared once as a `const` and named on each
/// function it covers, or written inline in the attribute.
///
/// ```
/// use metrics_runtime::{monitored, Objective};
///
/// // 99.9% of calls succeed; 99% finish within 250 ms (a bound of the default buckets).
/// const CHECKOUT: Objective = Objective::new("checkout").success(99.9).latency(0.25, 99.0);
///
/// #[monitored(objective = CHECKOUT)]
/// fn charge_card() -> Result<(), std::io::Error> {
///     Ok(())
/// }
///
/// #[monitored(objective(name = "search", success = 99.5))]
/// fn search() {}
///
/// assert_eq!(CHECKOUT.success_ratio(), Some(0.999));
/// # charge_card().unwrap(); search();
/// ```
///
/// Targets must lie strictly between 0 and 100, and the latency threshold must be one of the
/// function's bucket bounds (its `buckets = [...]`, else [`DEFAULT_BUCKETS`](crate::DEFAULT_BUCKETS)),
/// so that the objective agrees with the histogram the dashboards draw: the build fails
/// otherwise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Objective {
    name: &'static str,
    success: Option<f64>,
    latency: Option<(f64, f64)>,
}

impl Objective {
    /// An objective named `name` (the `objective` label of its series), with no target yet.
    pub const fn new(name: &'static str) -> Self {
        assert!(!name.is_empty(), "an objective needs a name");
        Self {
            name,
            success: None,
            latency: None,
        }
    }

    /// `percent` of calls succeed (neither `error` nor `panic`), e.g. `99.9`.
    pub const fn success(mut self, percent: f64) -> Self {
        assert!(
            percent > 0.0 && percent < 100.0,
            "an objective's success target is a percentage strictly between 0 and 100, e.g. 99.9"
        );
        self.success = Some(percent);
        self
    }

    /// `percent` of calls finish within `threshold_seconds`, e.g. `(0.25, 99.0)`.
    pub const fn latency(mut self, threshold_seconds: f64, percent: f64) -> Self {
        assert!(
            threshold_seconds > 0.0 && threshold_seconds < f64::INFINITY,
            "an objective's latency threshold is a positive, finite number of seconds"
        );
        assert!(
            percent > 0.0 && percent < 100.0,
            "an objective's latency target is a percentage strictly between 0 and 100, e.g. 99"
        );
        self.latency = Some((threshold_seconds, percent));
        self
    }

    /// The name, the `objective` label of its series.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The success target as a ratio (0 to 1).
    pub fn success_ratio(&self) -> Option<f64> {
        self.success.map(ratio)
    }

    /// The latency threshold in seconds, and the share of calls within it as a ratio.
    pub fn latency_ratio(&self) -> Option<(f64, f64)> {
        self.latency
            .map(|(threshold, percent)| (threshold, ratio(percent)))
    }
}

/// `percent` / 100, rounded as the decimal reads (99.9 gives 0.999, where dividing gives
/// 0.9990000000000001): the exposition shows what the user wrote.
fn ratio(percent: f64) -> f64 {
    format!("{percent}e-2").parse().unwrap_or(percent / 100.0)
}

/// Checks, at compile time, an objective named by path in an attribute: it has a target, its
/// latency threshold is one of `bounds`, and the function keeps classic buckets.
#[doc(hidden)]
pub const fn objective_fits(objective: &Objective, bounds: &[f64], native_only: bool) -> bool {
    assert!(
        objective.success.is_some() || objective.latency.is_some(),
        "this objective has no target: add `.success(99.9)` and/or `.latency(0.25, 99.0)`"
    );
    if let Some((threshold, _)) = objective.latency {
        assert!(
            !native_only,
            "a latency objective needs classic buckets: remove `histogram = native`"
        );
        let mut index = 0;
        let mut found = false;
        while index < bounds.len() {
            found |= bounds[index] == threshold;
            index += 1;
        }
        assert!(
            found,
            "this objective's latency threshold is not one of the function's bucket bounds: add it to `buckets = [...]`"
        );
    }
    true
}

impl std::fmt::Display for Objective {
    /// The targets as written: `success 99.9%, latency 0.25 s at 99%`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let success = self.success.map(|percent| format!("success {percent}%"));
        let latency = self
            .latency
            .map(|(threshold, percent)| format!("latency {threshold} s at {percent}%"));
        let targets: Vec<String> = success.into_iter().chain(latency).collect();
        f.write_str(&targets.join(", "))
    }
}

/// Refuses an objective name declared with different targets by two sites: they would share
/// one series with two targets.
pub(crate) fn check_sites(sites: &[&crate::callsite::CallSite]) -> Result<(), crate::Error> {
    let mut seen: std::collections::HashMap<&str, (&Objective, String)> =
        std::collections::HashMap::new();
    for site in sites {
        let info = site.info();
        let Some(objective) = info.objective else {
            continue;
        };
        match seen.get(objective.name()) {
            Some((first, location)) if *first != objective => {
                return Err(crate::Error::ObjectiveConflict {
                    objective: objective.name().to_owned(),
                    first: location.clone(),
                    first_targets: first.to_string(),
                    second: info.location(),
                    second_targets: objective.to_string(),
                });
            }
            Some(_) => {}
            None => {
                seen.insert(objective.name(), (objective, info.location()));
            }
        }
    }
    Ok(())
}

/// The names of the objective families.
pub(crate) const CALLS: &str = "objective_calls_total";
pub(crate) const ERRORS: &str = "objective_errors_total";
pub(crate) const LATENCY_GOOD: &str = "objective_latency_good_total";
pub(crate) const TARGET: &str = "objective_target_ratio";
pub(crate) const THRESHOLD: &str = "objective_latency_threshold_seconds";

/// Every objective family and its HELP text. Their names are not prefixed (like `process_*`):
/// one rule file serves every service.
pub(crate) const FAMILIES: [(&str, &str); 5] = [
    (
        CALLS,
        "Calls of the functions that share an objective, cancelled ones aside.",
    ),
    (
        ERRORS,
        "Calls of an objective's functions that ended in error or panic.",
    ),
    (
        LATENCY_GOOD,
        "Calls of an objective's functions that took at most its latency threshold.",
    ),
    (
        TARGET,
        "An objective's target as a ratio, by SLI: success or latency.",
    ),
    (THRESHOLD, "An objective's latency threshold, in seconds."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_back_as_ratios() {
        let objective = Objective::new("api").success(99.9).latency(0.25, 99.0);
        assert_eq!(objective.name(), "api");
        assert_eq!(objective.success_ratio(), Some(0.999));
        assert_eq!(objective.latency_ratio(), Some((0.25, 0.99)));
        assert!(objective_fits(&objective, &[0.1, 0.25, 1.0], false));
    }

    #[test]
    #[should_panic(expected = "not one of the function's bucket bounds")]
    fn a_threshold_between_bounds_does_not_fit() {
        let objective = Objective::new("api").latency(0.3, 99.0);
        objective_fits(&objective, &[0.25, 0.5], false);
    }

    #[test]
    #[should_panic(expected = "strictly between 0 and 100")]
    fn a_target_of_100_percent_is_refused() {
        let _ = Objective::new("api").success(100.0);
    }
}
