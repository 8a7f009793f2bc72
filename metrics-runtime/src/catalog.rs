//! The catalog: every instrumented function of the program, gathered at link time by
//! `inventory`, plus the blocks measured with [`track`](crate::track). The exporter uses it to
//! check families, to export every series at zero before the first call, and to serve
//! `GET /catalog`.

use std::sync::{Mutex, PoisonError};

use crate::callsite::{CallSite, SiteRef};

inventory::collect!(SiteRef);

/// Call sites created at run time by `track()`.
static TRACKED: Mutex<Vec<&'static CallSite>> = Mutex::new(Vec::new());

pub(crate) fn add_tracked(site: &'static CallSite) {
    TRACKED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(site);
}

/// The call sites of every instrumented function linked into the program, then those of
/// `track()` blocks met so far.
pub(crate) fn all_sites() -> Vec<&'static CallSite> {
    let tracked = TRACKED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    inventory::iter::<SiteRef>
        .into_iter()
        .map(|site| site.0)
        .chain(tracked)
        .collect()
}

/// One instrumented function, as `GET /catalog` lists it.
///
/// ```
/// #[metrics_runtime::tool_call(server = "files")]
/// async fn read_file() {}
///
/// let entry = metrics_runtime::catalog().into_iter().find(|e| e.function == "read_file").unwrap();
/// assert_eq!(entry.kind, "tool_call");
/// assert_eq!(entry.metrics[0], "mcp_tool_calls_total");
/// assert_eq!(entry.labels, ["server", "tool"]);
/// # let _ = read_file();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    /// The function's name (or the `track()` operation).
    pub function: &'static str,
    /// Its module path.
    pub module: &'static str,
    /// `monitored`, `tool_call` or `track`.
    pub kind: &'static str,
    /// Where the attribute is: `file:line`.
    pub location: String,
    /// The four metric names: calls, duration, errors, in flight.
    pub metrics: [&'static str; 4],
    /// Label names of the duration histogram, in order (the calls counter adds `status`, the
    /// errors counter `error_type`).
    pub labels: Vec<&'static str>,
}

/// Every instrumented function of the program, sorted by module and function.
///
/// ```
/// use metrics_runtime::monitored;
///
/// #[monitored(labels(queue = "mail"))]
/// fn send() {}
///
/// let entry = metrics_runtime::catalog().into_iter().find(|e| e.function == "send").unwrap();
/// assert_eq!(entry.kind, "monitored");
/// assert_eq!(entry.metrics[0], "function_calls_total");
/// assert_eq!(entry.labels, ["function", "module", "queue"]);
/// ```
pub fn catalog() -> Vec<CatalogEntry> {
    let mut entries: Vec<CatalogEntry> = all_sites()
        .into_iter()
        .map(|site| {
            let info = site.info();
            CatalogEntry {
                function: info.function,
                module: info.module,
                kind: info.kind.as_str(),
                location: format!("{}:{}", info.file, info.line),
                metrics: [
                    info.families.calls,
                    info.families.duration,
                    info.families.errors,
                    info.families.in_flight,
                ],
                labels: info.label_names().collect(),
            }
        })
        .collect();
    entries.sort_by(|a, b| {
        (a.module, a.function, &a.location).cmp(&(b.module, b.function, &b.location))
    });
    entries.dedup();
    entries
}

/// The catalog as JSON, with metric names as the exporter writes them (`prefix` applied).
pub(crate) fn catalog_json(prefix: &str) -> serde_json::Value {
    let functions: Vec<serde_json::Value> = catalog()
        .into_iter()
        .map(|entry| {
            let [calls, duration, errors, in_flight] =
                entry.metrics.map(|name| format!("{prefix}{name}"));
            serde_json::json!({
                "function": entry.function,
                "module": entry.module,
                "kind": entry.kind,
                "location": entry.location,
                "metrics": {
                    "calls": calls,
                    "duration": duration,
                    "errors": errors,
                    "in_flight": in_flight,
                },
                "labels": entry.labels,
            })
        })
        .collect();
    let metrics: Vec<serde_json::Value> = crate::families::metric_families()
        .into_iter()
        .map(|entry| {
            // A list, not an object: label order is the exposition's.
            let labels: Vec<serde_json::Value> = entry
                .labels
                .iter()
                .map(|(name, values)| serde_json::json!({ "name": name, "values": values }))
                .collect();
            serde_json::json!({
                "name": format!("{prefix}{}", entry.name),
                "kind": entry.kind,
                "help": entry.help,
                "labels": labels,
                "buckets": entry.buckets,
                "declared_by": entry.declared_by,
            })
        })
        .collect();
    serde_json::json!({ "functions": functions, "metrics": metrics })
}
