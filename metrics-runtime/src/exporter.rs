//! Installing the recorder and serving the exposition.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::callsite::{all_sites, rebind_call_sites};
use crate::error::Error;
use crate::http::{Server, ServerConfig};
use crate::recorder::LayeredRecorder;
use crate::registry::{BucketConfig, DEFAULT_BUCKETS, REGISTRY};

/// Address served when neither the builder nor `METRICS_ADDR` sets one.
pub const DEFAULT_ADDRESS: &str = "0.0.0.0:9000";

/// The environment variable read for the listen address.
pub const ADDRESS_ENV: &str = "METRICS_ADDR";

/// How often histograms of other `metrics` users are folded, so their memory stays bounded
/// when nobody scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Installs the recorder and serves `GET /metrics` on `METRICS_ADDR`, or `0.0.0.0:9000`.
///
/// Keep the returned [`Exporter`]: dropping it stops the listener. For other settings use
/// [`Exporter::builder`].
///
/// ```no_run
/// use metrics_runtime::{install_exporter, monitored};
///
/// #[monitored]
/// async fn fetch(url: &str) -> Result<usize, std::io::Error> {
///     Ok(url.len())
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let exporter = install_exporter()?;
///     println!("metrics on http://{}/metrics", exporter.local_addr().unwrap());
///     fetch("https://example.com").await?;
///     Ok(())
/// }
/// ```
pub fn install_exporter() -> Result<Exporter, Error> {
    Exporter::builder().install()
}

/// Settings of the exporter; start with [`Exporter::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `install()` is called"]
pub struct ExporterBuilder {
    address: Option<String>,
    serve_http: bool,
    default_buckets: Vec<f64>,
    family_buckets: Vec<(String, Vec<f64>)>,
}

impl Default for ExporterBuilder {
    fn default() -> Self {
        Self {
            address: None,
            serve_http: true,
            default_buckets: DEFAULT_BUCKETS.to_vec(),
            family_buckets: Vec::new(),
        }
    }
}

impl ExporterBuilder {
    /// The address to listen on, `host:port`; wins over `METRICS_ADDR`. Port 0 picks a free
    /// port, see [`Exporter::local_addr`].
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().listen_address("127.0.0.1:9100").install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn listen_address(mut self, address: impl std::fmt::Display) -> Self {
        self.address = Some(address.to_string());
        self
    }

    /// Installs the recorder without an HTTP listener, for programs that serve
    /// [`Exporter::render`] from their own server.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().without_http_listener().install()?;
    /// let text = exporter.render();
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn without_http_listener(mut self) -> Self {
        self.serve_http = false;
        self
    }

    /// Histogram bounds, in seconds, for every duration family without buckets of its own.
    /// Defaults to [`DEFAULT_BUCKETS`].
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder()
    ///     .default_buckets(&[0.001, 0.01, 0.1, 1.0])
    ///     .install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn default_buckets(mut self, bounds: &[f64]) -> Self {
        self.default_buckets = bounds.to_vec();
        self
    }

    /// Histogram bounds for one family, e.g. `"function_call_duration_seconds"`; wins over the
    /// attribute's `buckets = [...]`.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder()
    ///     .family_buckets("mcp_tool_call_duration_seconds", &[0.1, 1.0, 10.0, 60.0])
    ///     .install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn family_buckets(mut self, family: impl Into<String>, bounds: &[f64]) -> Self {
        self.family_buckets.push((family.into(), bounds.to_vec()));
        self
    }

    /// Installs the recorder as the process' `metrics` recorder and, unless disabled, starts
    /// the HTTP listener on a background thread.
    ///
    /// # Errors
    ///
    /// A bad or busy address, invalid buckets, two functions that declare one family
    /// differently, or a recorder installed before. Nothing is installed when it fails, so a
    /// caller may retry with other settings.
    pub fn install(self) -> Result<Exporter, Error> {
        static INSTALLED: AtomicBool = AtomicBool::new(false);

        let buckets = self.bucket_config()?;
        for site in all_sites() {
            REGISTRY
                .declare_site(site.info())
                .map_err(Error::Conflict)?;
        }
        let fallback = PrometheusBuilder::new()
            .set_buckets(&buckets.default)
            .map_err(|e| Error::InvalidBuckets {
                target: "default buckets".into(),
                reason: e.to_string(),
            })?
            .build_recorder();
        let listener = if self.serve_http {
            Some(self.bind()?)
        } else {
            None
        };

        // Only one recorder per process: the flag catches a second exporter of this crate
        // before the global slot does, which also refuses recorders of other crates.
        if INSTALLED.swap(true, Ordering::AcqRel) {
            return Err(Error::AlreadyInstalled);
        }
        let recorder = LayeredRecorder::new(fallback);
        let prometheus = recorder.fallback_handle();
        REGISTRY.set_buckets(buckets);
        if metrics::set_global_recorder(recorder).is_err() {
            return Err(Error::AlreadyInstalled);
        }
        rebind_call_sites();
        for site in all_sites() {
            site.preregister();
        }

        let shared = Arc::new(Shared { prometheus });
        let server = match listener {
            Some(listener) => {
                let config = ServerConfig {
                    upkeep_interval: UPKEEP_INTERVAL,
                };
                Some(Server::start(listener, shared.clone(), config).map_err(Error::Spawn)?)
            }
            None => None,
        };
        Ok(Exporter { shared, server })
    }

    fn bucket_config(&self) -> Result<BucketConfig, Error> {
        let default = validate_buckets("default buckets", &self.default_buckets)?;
        let mut per_family = std::collections::BTreeMap::new();
        for (family, bounds) in &self.family_buckets {
            per_family.insert(
                family.clone(),
                validate_buckets(&format!("`{family}`"), bounds)?,
            );
        }
        Ok(BucketConfig {
            default,
            per_family,
        })
    }

    fn bind(&self) -> Result<TcpListener, Error> {
        let from_env = std::env::var(ADDRESS_ENV)
            .ok()
            .filter(|value| !value.trim().is_empty());
        let address = self
            .address
            .clone()
            .or(from_env)
            .unwrap_or_else(|| DEFAULT_ADDRESS.to_owned());
        let resolved: SocketAddr = address
            .to_socket_addrs()
            .map_err(|e| Error::InvalidAddress {
                address: address.clone(),
                reason: e.to_string(),
            })?
            .next()
            .ok_or_else(|| Error::InvalidAddress {
                address: address.clone(),
                reason: "it resolves to no address".into(),
            })?;
        let listener = TcpListener::bind(resolved).map_err(|source| Error::Bind {
            address: resolved,
            source,
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| Error::Bind {
                address: resolved,
                source,
            })?;
        Ok(listener)
    }
}

fn validate_buckets(target: &str, bounds: &[f64]) -> Result<Arc<[f64]>, Error> {
    let invalid = |reason: String| Error::InvalidBuckets {
        target: target.to_owned(),
        reason,
    };
    if bounds.is_empty() {
        return Err(invalid("the list is empty".into()));
    }
    if let Some(bad) = bounds.iter().find(|b| !b.is_finite() || **b <= 0.0) {
        return Err(invalid(format!("{bad} is not a finite, positive number")));
    }
    if let Some(pair) = bounds.windows(2).find(|pair| pair[0] >= pair[1]) {
        return Err(invalid(format!(
            "{} follows {}, bounds must increase",
            pair[1], pair[0]
        )));
    }
    Ok(Arc::from(bounds))
}

/// What the HTTP server and the exporter share.
pub(crate) struct Shared {
    pub prometheus: PrometheusHandle,
}

impl Shared {
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        REGISTRY.render(&mut out, &[]);
        out.push_str(&self.prometheus.render());
        out
    }

    pub(crate) fn run_upkeep(&self) {
        self.prometheus.run_upkeep();
    }
}

/// The installed exporter. Dropping it (or [`shutdown`](Exporter::shutdown)) stops the HTTP
/// listener; the recorder stays installed, as `metrics` allows one per process.
#[must_use = "dropping the Exporter stops its /metrics listener; keep it, e.g. `let _exporter = install_exporter()?;`"]
pub struct Exporter {
    shared: Arc<Shared>,
    server: Option<Server>,
}

impl std::fmt::Debug for Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exporter")
            .field("local_addr", &self.local_addr())
            .finish_non_exhaustive()
    }
}

impl Exporter {
    /// Settings for the exporter.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().listen_address("127.0.0.1:0").install()?;
    /// println!("{:?}", exporter.local_addr());
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn builder() -> ExporterBuilder {
        ExporterBuilder::default()
    }

    /// The address the listener is bound to, `None` without a listener.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.server.as_ref().map(Server::local_addr)
    }

    /// The exposition text, as `GET /metrics` serves it.
    pub fn render(&self) -> String {
        self.shared.render()
    }

    /// Stops the listener; a scrape in flight completes first.
    pub fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_lists_are_validated() {
        assert!(validate_buckets("x", &[0.1, 1.0]).is_ok());
        for bad in [&[][..], &[1.0, 1.0], &[0.0, 1.0], &[f64::NAN], &[2.0, 1.0]] {
            let error = validate_buckets("x", bad).unwrap_err();
            assert!(
                error.to_string().starts_with("invalid buckets for x: "),
                "{error}"
            );
        }
    }
}
