//! Measuring a block of code that is not a whole function.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use crate::callsite::{CallGuard, CallSite, FamilyNames, SiteInfo, SiteKind};
use crate::catalog::add_tracked;

const FAMILIES: FamilyNames = FamilyNames {
    calls: "function_calls_total",
    duration: "function_call_duration_seconds",
    errors: "function_errors_total",
    in_flight: "function_calls_in_flight",
};

/// Starts measuring one run of a block: the `function_*` families with `module` and `function`
/// set to the two names, and the same outcome rules as `#[monitored]`.
///
/// End it with [`CallGuard::finish`] and the block's outcome (see [`classify!`](crate::classify)),
/// or [`CallGuard::ok`]; a guard dropped without that records `panic` while the thread
/// panics and `cancelled` otherwise. The names are `&'static str`, so the series stay
/// bounded. [`track!`](crate::track!) does all of it around a block or an `async` block.
///
/// ```
/// let guard = metrics_runtime::track("agent", "fetch");
/// let fetched: Result<u32, std::io::Error> = Ok(3);
/// guard.finish(metrics_runtime::classify!(&fetched));
/// ```
pub fn track(module: &'static str, function: &'static str) -> CallGuard {
    tracked_site(module, function).enter()
}

/// The call site of one `(module, function)` pair, made on first use.
fn tracked_site(module: &'static str, function: &'static str) -> &'static CallSite {
    static SITES: RwLock<Option<HashMap<(&'static str, &'static str), &'static CallSite>>> =
        RwLock::new(None);
    let key = (module, function);
    if let Some(site) = SITES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .and_then(|sites| sites.get(&key))
    {
        return site;
    }
    let mut sites = SITES.write().unwrap_or_else(PoisonError::into_inner);
    sites
        .get_or_insert_with(HashMap::new)
        .entry(key)
        .or_insert_with(|| {
            let labels: &'static [(&'static str, &'static str)] =
                Box::leak(Box::new([("function", function), ("module", module)]));
            let info: &'static SiteInfo = Box::leak(Box::new(SiteInfo {
                kind: SiteKind::Track,
                families: FAMILIES,
                named: false,
                function,
                module,
                file: "track()",
                line: 0,
                labels,
                dynamic_labels: &[],
                buckets: None,
                histogram: None,
                objective: None,
            }));
            let site: &'static CallSite = Box::leak(Box::new(CallSite::new(info)));
            // Default families hold functions with labels of their own: no conflict to report.
            let _ = crate::registry::REGISTRY.declare_site(info);
            add_tracked(site);
            site
        })
}

/// Measures a block or an `async` block like a `#[monitored]` function: its value is
/// classified (`Err` is an error, with a bounded `error_type`), a panic is `panic`, an `async`
/// block dropped before it completes is `cancelled`.
///
/// In a plain block, `?` and `return` leave the block (it runs as a closure), so the value
/// they carry is what is classified; as for a closure, the block's type must be known from
/// inside it (write `Ok::<_, MyError>(v)` where the error type is otherwise open).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let parsed: Result<u32, std::num::ParseIntError> =
///     metrics_runtime::track!("config", "parse_port", { "8080".parse::<u32>() });
/// assert_eq!(parsed, Ok(8080));
///
/// let fetched = metrics_runtime::track!("agent", "fetch", async {
///     tokio::task::yield_now().await;
///     Ok::<_, std::io::Error>("page")
/// })
/// .await;
/// assert!(fetched.is_ok());
/// # }
/// ```
#[macro_export]
macro_rules! track {
    ($module:expr, $function:expr, async $($body:tt)+) => {
        async {
            let __metrics_runtime_guard = $crate::track($module, $function);
            let __metrics_runtime_ret = async $($body)+.await;
            __metrics_runtime_guard.finish($crate::classify!(&__metrics_runtime_ret));
            __metrics_runtime_ret
        }
    };
    ($module:expr, $function:expr, $body:block) => {{
        let __metrics_runtime_guard = $crate::track($module, $function);
        #[allow(clippy::redundant_closure_call)]
        let __metrics_runtime_ret = (|| $body)();
        __metrics_runtime_guard.finish($crate::classify!(&__metrics_runtime_ret));
        __metrics_runtime_ret
    }};
}
