//! Health of the components a service depends on: `service_health{component}` and, with the
//! exporter's listener, `GET /health`.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use metrics::{GaugeFn, Key, Label};

use crate::registry::REGISTRY;

/// The gauge family `set_health` writes.
///
/// ```
/// assert_eq!(metrics_runtime::HEALTH_FAMILY, "service_health");
/// ```
pub const HEALTH_FAMILY: &str = "service_health";

static COMPONENTS: Mutex<BTreeMap<String, bool>> = Mutex::new(BTreeMap::new());

/// Sets the health of one component the service depends on (a database, an upstream API, a
/// model provider): `service_health{component="..."}` becomes 1 or 0.
///
/// Keep the components few and fixed: each is a series. Works before and after the exporter is
/// installed.
///
/// ```
/// metrics_runtime::set_health("database", true);
/// metrics_runtime::set_health("search_api", false);
/// assert_eq!(metrics_runtime::health("search_api"), Some(false));
/// ```
pub fn set_health(component: impl Into<String>, healthy: bool) {
    let component = component.into();
    REGISTRY.describe(
        HEALTH_FAMILY,
        "Health of the components this service depends on: 1 healthy, 0 unhealthy.",
    );
    let key = Key::from_parts(
        HEALTH_FAMILY,
        vec![Label::new("component", component.clone())],
    );
    if let Some(gauge) = REGISTRY.gauge(&key, false) {
        gauge.set(if healthy { 1.0 } else { 0.0 });
    }
    COMPONENTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(component, healthy);
}

/// The health last set for a component, `None` if it was never set.
///
/// ```
/// metrics_runtime::set_health("cache", true);
/// assert_eq!(metrics_runtime::health("cache"), Some(true));
/// assert_eq!(metrics_runtime::health("never_set"), None);
/// ```
pub fn health(component: &str) -> Option<bool> {
    COMPONENTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(component)
        .copied()
}

/// Every component and its health, by name.
pub(crate) fn components() -> BTreeMap<String, bool> {
    COMPONENTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}
