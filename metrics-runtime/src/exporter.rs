//! Installing the recorder, and the exporter's settings.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ipnet::IpNet;
use metrics::{GaugeFn, Key, Label};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::background::{Background, Prepared, Tasks};
use crate::callsite::rebind_call_sites;
use crate::catalog::all_sites;
use crate::collectors::CollectorSet;
use crate::error::Error;
use crate::exposition::protobuf::ProtobufEncoder;
use crate::exposition::text::TextEncoder;
use crate::push::PushTarget;
use crate::recorder::LayeredRecorder;
use crate::registry::{BucketConfig, RenderOptions, DEFAULT_BUCKETS, REGISTRY};

/// Address served when neither the builder nor `METRICS_ADDR` sets one.
///
/// ```
/// assert_eq!(metrics_runtime::DEFAULT_ADDRESS, "0.0.0.0:9000");
/// ```
pub const DEFAULT_ADDRESS: &str = "0.0.0.0:9000";

/// The environment variable read for the listen address.
///
/// ```
/// assert_eq!(metrics_runtime::ADDRESS_ENV, "METRICS_ADDR");
/// ```
pub const ADDRESS_ENV: &str = "METRICS_ADDR";

/// How often histograms of other `metrics` users are folded, so their memory stays bounded
/// when nobody scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The `version` of `build_info` from [`install_exporter()`](fn@install_exporter), which cannot
/// know the program's version.
const UNKNOWN_VERSION: &str = "unknown";

/// The shortest `collect_interval`: below it the system gives no meaningful CPU usage, and the
/// exporter's thread would do little else than collect.
const MIN_COLLECT_INTERVAL: Duration = if sysinfo::MINIMUM_CPU_UPDATE_INTERVAL.is_zero() {
    Duration::from_millis(100)
} else {
    sysinfo::MINIMUM_CPU_UPDATE_INTERVAL
};

/// Whether this crate's recorder is installed.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Where the listener of this process' exporter is, while it runs.
static LISTENING: Mutex<Option<SocketAddr>> = Mutex::new(None);

fn listening() -> Option<SocketAddr> {
    *LISTENING.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn installed() -> bool {
    INSTALLED.load(Ordering::Acquire)
}

/// Installs the recorder and serves `GET /metrics` on `METRICS_ADDR`, or `0.0.0.0:9000`.
///
/// Keep the returned [`Exporter`]: dropping it stops the listener. It exports
/// `build_info{name, version} 1` with the file name of the running executable (without
/// extension) as `name` and `unknown` as `version`: a function compiled into this
/// library cannot see your `Cargo.toml`. The macro form `install_exporter!()` puts in your
/// crate's name and version instead, as does [`ExporterBuilder::app`]; for other settings use
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
///     let exporter = install_exporter()?; // build_info{name="my_app",version="unknown"} 1
///     println!("metrics on http://{}/metrics", exporter.local_addr().unwrap());
///     fetch("https://example.com").await?;
///     Ok(())
/// }
/// ```
///
/// # Errors
///
/// As [`ExporterBuilder::install`].
pub fn install_exporter() -> Result<Exporter, Error> {
    Exporter::builder()
        .app(executable_name(), UNKNOWN_VERSION)
        .install()
}

/// The running program's name: its executable's file name without extension, as `ps` and
/// `systemctl` show it.
fn executable_name() -> String {
    let path = std::env::current_exe()
        .ok()
        .or_else(|| std::env::args_os().next().map(PathBuf::from));
    let file_name = path
        .as_deref()
        .and_then(Path::file_name)
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Linux names an executable replaced on disk while it runs `name (deleted)`.
    let file_name = file_name.strip_suffix(" (deleted)").unwrap_or(&file_name);
    match Path::new(file_name).file_stem() {
        Some(stem) => stem.to_string_lossy().into_owned(),
        None => "unknown".to_owned(),
    }
}

/// Installs the exporter like [`install_exporter()`](fn@install_exporter), with
/// `build_info{name, version}` taken from the calling crate's `Cargo.toml`.
///
/// ```no_run
/// let _exporter = metrics_runtime::install_exporter!()?;
/// # Ok::<(), metrics_runtime::Error>(())
/// ```
#[macro_export]
macro_rules! install_exporter {
    () => {
        $crate::Exporter::builder()
            .app(
                ::core::env!("CARGO_PKG_NAME"),
                ::core::env!("CARGO_PKG_VERSION"),
            )
            .install()
    };
}

/// Settings of the exporter; start with [`Exporter::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `install()` or `build()` is called"]
pub struct ExporterBuilder {
    address: Option<String>,
    loopback_only: bool,
    metrics_path: String,
    default_buckets: Vec<f64>,
    family_buckets: Vec<(String, Vec<f64>)>,
    global_labels: Vec<(String, String)>,
    prefix: String,
    allowed: Vec<String>,
    idle_timeout: Option<Duration>,
    app: Option<(String, String)>,
    collectors: CollectorSet,
    collect_interval: Duration,
    push: Option<(String, Duration)>,
    native_histograms: bool,
    native_factor: f64,
    native_max_buckets: usize,
    /// `None` until set: the feature's default source.
    #[cfg(feature = "exemplars")]
    exemplar_source: Option<Option<crate::exemplars::ExemplarSource>>,
    #[cfg(feature = "exemplars")]
    exemplar_interval: Duration,
}

impl Default for ExporterBuilder {
    fn default() -> Self {
        Self {
            address: None,
            loopback_only: false,
            metrics_path: "/metrics".to_owned(),
            default_buckets: DEFAULT_BUCKETS.to_vec(),
            family_buckets: Vec::new(),
            global_labels: Vec::new(),
            prefix: String::new(),
            allowed: Vec::new(),
            idle_timeout: None,
            app: None,
            collectors: CollectorSet {
                process: true,
                host: true,
            },
            collect_interval: Duration::from_secs(15),
            push: None,
            native_histograms: true,
            native_factor: 1.1,
            native_max_buckets: crate::storage::native::DEFAULT_MAX_BUCKETS,
            #[cfg(feature = "exemplars")]
            exemplar_source: None,
            #[cfg(feature = "exemplars")]
            exemplar_interval: Duration::from_secs(1),
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

    /// Listens on the loopback interface only (`127.0.0.1`, or `::1` for an IPv6 address),
    /// on the configured port: for a scraper or sidecar on the same host.
    ///
    /// ```no_run
    /// // Listens on 127.0.0.1:9000 even though METRICS_ADDR may say 0.0.0.0:9000.
    /// let exporter = metrics_runtime::Exporter::builder().loopback_only().install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn loopback_only(mut self) -> Self {
        self.loopback_only = true;
        self
    }

    /// The path of the exposition (default `/metrics`). `/health` and `/catalog` stay.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().metrics_path("/prometheus").install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn metrics_path(mut self, path: impl Into<String>) -> Self {
        self.metrics_path = path.into();
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

    /// A label added to every series (e.g. `service`, `instance`, `version`), unless the series
    /// has a label of that name already.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder()
    ///     .global_label("service", "checkout")
    ///     .global_label("region", "eu-west-1")
    ///     .install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn global_label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.global_labels.push((name.into(), value.into()));
        self
    }

    /// A prefix for the metric names of this crate (`myapp_function_calls_total`, ...). The
    /// standard `process_*` names and metrics of other `metrics` users keep their names.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().prefix("myapp_").install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Lets this address or network (`10.0.0.5`, `10.0.0.0/8`, `::1`) scrape. Once any is
    /// given, every other peer gets `403 Forbidden` on every path.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder()
    ///     .allow_scraper("127.0.0.1")
    ///     .allow_scraper("10.0.0.0/8")
    ///     .install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn allow_scraper(mut self, address_or_network: impl Into<String>) -> Self {
        self.allowed.push(address_or_network.into());
        self
    }

    /// Leaves out series whose labels come from arguments (and the host's disks and network
    /// interfaces) once their value has not changed for this long; they come back when it
    /// changes. Bounds what a scrape carries after label values stop being used. Must be more
    /// than zero (`install()` says so otherwise); leave it unset to keep every series.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let exporter = metrics_runtime::Exporter::builder().idle_timeout(Duration::from_secs(600)).install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Where exemplars come from: `source` is called when an instrumented call ends in a
    /// histogram bucket that is due for an exemplar, and when a call fails, and returns the
    /// exemplar's labels (a request or correlation ID, say) or `None`. With the
    /// `opentelemetry` feature, the default source is
    /// [`ExemplarLabels::from_current_span`](crate::ExemplarLabels::from_current_span); without
    /// it, there is none until set. Exemplars appear in the OpenMetrics exposition only.
    ///
    /// ```no_run
    /// use metrics_runtime::ExemplarLabels;
    ///
    /// thread_local! {
    ///     static REQUEST_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// }
    ///
    /// fn request_id() -> Option<ExemplarLabels> {
    ///     let id = REQUEST_ID.get();
    ///     let mut labels = ExemplarLabels::new();
    ///     let mut digits = [0u8; 20];
    ///     labels.push("request_id", format_id(id, &mut digits)).ok()?;
    ///     Some(labels)
    /// }
    ///
    /// // Without allocating: exemplars are taken on the instrumented call's path.
    /// fn format_id(mut id: u64, digits: &mut [u8; 20]) -> &str {
    ///     let mut at = digits.len();
    ///     loop {
    ///         at -= 1;
    ///         digits[at] = b'0' + (id % 10) as u8;
    ///         id /= 10;
    ///         if id == 0 { break; }
    ///     }
    ///     std::str::from_utf8(&digits[at..]).unwrap_or("0")
    /// }
    ///
    /// let exporter = metrics_runtime::Exporter::builder().exemplars(request_id).install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    #[cfg(feature = "exemplars")]
    pub fn exemplars(mut self, source: crate::exemplars::ExemplarSource) -> Self {
        self.exemplar_source = Some(Some(source));
        self
    }

    /// No exemplars, whatever the features.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().without_exemplars().install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    #[cfg(feature = "exemplars")]
    pub fn without_exemplars(mut self) -> Self {
        self.exemplar_source = Some(None);
        self
    }

    /// How often each histogram bucket of an instrumented function tries for a new exemplar;
    /// 1 s unless set (the exporter's thread starts each interval). Between tries, a call costs
    /// one comparison more than without exemplars; a try asks the source (for the
    /// OpenTelemetry source, a lookup of the current span). `Duration::ZERO` tries on every
    /// call. Failed calls always try.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let exporter = metrics_runtime::Exporter::builder()
    ///     .exemplar_interval(Duration::from_millis(100))
    ///     .install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    #[cfg(feature = "exemplars")]
    pub fn exemplar_interval(mut self, interval: Duration) -> Self {
        self.exemplar_interval = interval;
        self
    }

    /// Whether duration histograms and typed histograms also keep native histograms
    /// (exponential buckets, sent to scrapers that ask for the protobuf format, such as
    /// Prometheus with `--enable-feature=native-histograms`); on unless turned off. The text
    /// and OpenMetrics formats carry the classic buckets either way. A function's
    /// `histogram = native | classic | both` wins over this default.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().native_histograms(false).install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn native_histograms(mut self, enabled: bool) -> Self {
        self.native_histograms = enabled;
        self
    }

    /// The widest ratio between the bounds of a native histogram bucket, as client_golang's
    /// `NativeHistogramBucketFactor`: 1.1 unless set (schema 3, 8 buckets per power of two,
    /// each about 9% wide). Values from 1.044 (schema 4) to 2 (schema 0); outside, the nearest.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().native_histogram_factor(1.05).install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn native_histogram_factor(mut self, factor: f64) -> Self {
        self.native_factor = factor;
        self
    }

    /// Populated native buckets a scrape carries at most per series: past it, the scrape
    /// halves the resolution until they fit, as client_golang does; 160 unless set.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().native_histogram_max_buckets(100).install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn native_histogram_max_buckets(mut self, buckets: usize) -> Self {
        self.native_max_buckets = buckets;
        self
    }

    /// Exports `build_info{name, version} 1`; see also `install_exporter!()`.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder()
    ///     .app(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
    ///     .install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn app(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.app = Some((name.into(), version.into()));
        self
    }

    /// Whether `process_*` metrics are collected (default: yes).
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().process_metrics(false).install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn process_metrics(mut self, enabled: bool) -> Self {
        self.collectors.process = enabled;
        self
    }

    /// Whether `host_*` metrics (CPU, memory, disks, network, uptime) are collected (default:
    /// yes).
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().host_metrics(false).install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn host_metrics(mut self, enabled: bool) -> Self {
        self.collectors.host = enabled;
        self
    }

    /// How often process and host metrics are refreshed (default 15 s). At least 200 ms (on
    /// Linux, macOS and Windows: the shortest interval over which they measure CPU usage);
    /// `install()` refuses shorter ones with [`Error::InvalidDuration`].
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let exporter = metrics_runtime::Exporter::builder().collect_interval(Duration::from_secs(5)).install()?;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn collect_interval(mut self, interval: Duration) -> Self {
        self.collect_interval = interval;
        self
    }

    /// Pushes the exposition to a Prometheus Pushgateway every `interval`, and once more when
    /// the exporter shuts down, for batch jobs that end before a scrape. `url` is the group's
    /// address, e.g. `http://pushgateway:9091/metrics/job/nightly_import` (plain HTTP); the
    /// group is replaced on every push (`PUT`). `interval` must be more than zero.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let exporter = metrics_runtime::Exporter::builder()
    ///     .push_gateway("http://127.0.0.1:9091/metrics/job/import", Duration::from_secs(10))
    ///     .build()?;
    /// // ... the job's work ...
    /// exporter.shutdown(); // pushes the final values
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn push_gateway(mut self, url: impl Into<String>, interval: Duration) -> Self {
        self.push = Some((url.into(), interval));
        self
    }

    /// Installs the recorder as the process' `metrics` recorder, starts the background work
    /// (collectors, push) and the HTTP listener.
    ///
    /// # Errors
    ///
    /// A bad or busy address ([`Error::Bind`] says what holds the port), settings out of range
    /// (e.g. [`Error::InvalidDuration`] for a zero `collect_interval`), two functions that
    /// declare one family differently, an exporter of this process installed before
    /// ([`Error::AlreadyListening`] when it listens on that address,
    /// [`Error::AlreadyInstalled`] otherwise), or another crate's recorder
    /// ([`Error::OtherRecorder`]). Nothing is installed when it fails, so a caller may retry
    /// with other settings.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().listen_address("127.0.0.1:9100").install()?;
    /// let again = metrics_runtime::Exporter::builder().listen_address("127.0.0.1:9100").install();
    /// assert!(matches!(again, Err(metrics_runtime::Error::AlreadyListening { .. })));
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn install(self) -> Result<Exporter, Error> {
        self.start(true)
    }

    /// Like [`install`](Self::install) without the HTTP listener, for programs that serve
    /// [`Exporter::render`] from their own server (see [`MetricsHandle`]) or only push.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().build()?;
    /// let handle = exporter.handle(); // Clone + Send + Sync, for your router's state
    /// let text: String = handle.render();
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`install`](Self::install), without the address errors.
    pub fn build(self) -> Result<Exporter, Error> {
        self.start(false)
    }

    fn start(self, serve_http: bool) -> Result<Exporter, Error> {
        let settings = self.validate()?;
        let address = if serve_http {
            Some(self.resolve_address()?)
        } else {
            None
        };
        if installed() {
            // Say what holds the address when it is this process' own exporter, rather than
            // fail to bind and blame some other process.
            return Err(match (address, listening()) {
                (Some(wanted), Some(live)) if same_port(wanted, live) => {
                    Error::AlreadyListening { address: live }
                }
                _ => Error::AlreadyInstalled,
            });
        }
        let sites = all_sites();
        for site in &sites {
            REGISTRY
                .declare_site(site.info())
                .map_err(Error::Conflict)?;
        }
        crate::objectives::check_sites(&sites)?;
        crate::families::check(|name| REGISTRY.declared_by(name))?;
        let mut fallback = PrometheusBuilder::new()
            .set_buckets(&settings.buckets.default)
            .map_err(|e| Error::InvalidBuckets {
                target: "default buckets".into(),
                reason: e.to_string(),
            })?;
        for (name, value) in &settings.render.global_labels {
            fallback = fallback.add_global_label(name, value);
        }
        let recorder = LayeredRecorder::new(fallback.build_recorder());
        let shared = Arc::new(Shared {
            prometheus: recorder.fallback_handle(),
            render: settings.render,
            metrics_path: self.metrics_path.clone(),
            allowed: settings.allowed,
            last_len: std::sync::atomic::AtomicUsize::new(0),
        });
        let listener = address.map(bind).transpose()?;
        let prepared = Prepared::new(
            &shared,
            Tasks {
                listener,
                upkeep_interval: UPKEEP_INTERVAL,
                collectors: self.collectors,
                collect_interval: self.collect_interval,
                push: settings.push,
                #[cfg(feature = "exemplars")]
                exemplar_interval: self.exemplar_interval,
            },
        )?;

        // One recorder per process: the flag catches a second exporter of this crate before
        // the global slot does, which also refuses recorders of other crates.
        if INSTALLED.swap(true, Ordering::AcqRel) {
            return Err(Error::AlreadyInstalled);
        }
        REGISTRY.set_buckets(settings.buckets);
        REGISTRY.set_prefix(&shared.render.prefix);
        crate::storage::native::configure(
            self.native_histograms,
            crate::storage::native::NativeLayout::from_factor(
                self.native_factor,
                self.native_max_buckets,
            ),
        );
        #[cfg(feature = "exemplars")]
        crate::exemplars::set_source(
            self.exemplar_source
                .unwrap_or_else(crate::exemplars::default_source),
            self.exemplar_interval,
        );
        if metrics::set_global_recorder(recorder).is_err() {
            INSTALLED.store(false, Ordering::Release);
            return Err(Error::OtherRecorder);
        }
        rebind_call_sites();
        for site in sites {
            site.preregister();
        }
        if let Some((name, version)) = &self.app {
            REGISTRY.describe(
                "build_info",
                "Name and version of the running program; the value is always 1.",
            );
            let labels = vec![
                Label::new("name", name.clone()),
                Label::new("version", version.clone()),
            ];
            if let Some(gauge) = REGISTRY.gauge(&Key::from_parts("build_info", labels), false) {
                gauge.set(1.0);
            }
        }

        let background = Background::start(shared.clone(), prepared)?;
        if let Some(address) = background.local_addr() {
            *LISTENING.lock().unwrap_or_else(PoisonError::into_inner) = Some(address);
        }
        Ok(Exporter {
            shared,
            background: Some(background),
        })
    }

    fn validate(&self) -> Result<Settings, Error> {
        let default = validate_buckets("default buckets", &self.default_buckets)?;
        let mut per_family = std::collections::BTreeMap::new();
        for (family, bounds) in &self.family_buckets {
            per_family.insert(
                family.clone(),
                validate_buckets(&format!("`{family}`"), bounds)?,
            );
        }
        for (index, (name, _)) in self.global_labels.iter().enumerate() {
            let invalid = |reason: &str| Error::InvalidLabel {
                name: name.clone(),
                reason: reason.to_owned(),
            };
            let mut chars = name.chars();
            let valid = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(invalid("a label name must match [a-zA-Z_][a-zA-Z0-9_]*"));
            }
            if name.starts_with("__") {
                return Err(invalid(
                    "names starting with `__` are reserved for Prometheus",
                ));
            }
            if ["le", "quantile"].contains(&name.as_str()) {
                return Err(invalid(
                    "`le` and `quantile` belong to histograms and summaries",
                ));
            }
            if self.global_labels[..index]
                .iter()
                .any(|(earlier, _)| earlier == name)
            {
                return Err(invalid(
                    "it is given twice, and a series can carry a label once; give it once",
                ));
            }
        }
        if self.collect_interval < MIN_COLLECT_INTERVAL {
            return Err(Error::InvalidDuration {
                setting: "`collect_interval`",
                value: self.collect_interval,
                range: format!(
                    "it must be at least {MIN_COLLECT_INTERVAL:?}, the shortest interval over which this system measures CPU usage; the default is 15s"
                ),
            });
        }
        if let Some(timeout) = self.idle_timeout.filter(Duration::is_zero) {
            return Err(Error::InvalidDuration {
                setting: "`idle_timeout`",
                value: timeout,
                range: "it must be more than zero, e.g. 600s; leave it unset to keep every series"
                    .into(),
            });
        }
        let prefix_valid = self
            .prefix
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit()));
        if !prefix_valid {
            return Err(Error::InvalidPrefix {
                prefix: self.prefix.clone(),
            });
        }
        if !self.metrics_path.starts_with('/')
            || ["/health", "/catalog"].contains(&self.metrics_path.as_str())
        {
            return Err(Error::InvalidPath {
                path: self.metrics_path.clone(),
            });
        }
        let allowed = self
            .allowed
            .iter()
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| Error::InvalidScraper {
                        entry: entry.clone(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let push = match &self.push {
            Some((url, interval)) => Some(PushTarget::parse(url, *interval)?),
            None => None,
        };
        Ok(Settings {
            buckets: BucketConfig {
                default,
                per_family,
            },
            render: RenderOptions {
                prefix: self.prefix.clone(),
                global_labels: self.global_labels.clone(),
                idle_timeout: self.idle_timeout,
            },
            allowed,
            push,
        })
    }

    /// The address to listen on: the builder's, else `METRICS_ADDR`, else the default.
    fn resolve_address(&self) -> Result<SocketAddr, Error> {
        let from_env = std::env::var(ADDRESS_ENV)
            .ok()
            .filter(|value| !value.trim().is_empty());
        let address = self
            .address
            .clone()
            .or(from_env)
            .unwrap_or_else(|| DEFAULT_ADDRESS.to_owned());
        let mut resolved: SocketAddr = address
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
        if self.loopback_only && !resolved.ip().is_loopback() {
            let loopback = match resolved.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            };
            resolved.set_ip(loopback);
        }
        Ok(resolved)
    }
}

fn bind(address: SocketAddr) -> Result<TcpListener, Error> {
    let failed = |source: std::io::Error| Error::Bind {
        address,
        advice: bind_advice(address, &source),
        source,
    };
    let listener = TcpListener::bind(address).map_err(failed)?;
    listener.set_nonblocking(true).map_err(failed)?;
    Ok(listener)
}

/// What to do when binding failed, phrased from what the system said and, for a port in use,
/// from what holds it.
fn bind_advice(address: SocketAddr, error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    const CHOOSE: &str =
        "pick a free port with METRICS_ADDR or `Exporter::builder().listen_address(..)`";
    match error.kind() {
        ErrorKind::AddrInUse => match port_holder(address) {
            PortHolder::ThisProcess => format!(
                "another listener of this process, not an exporter of this crate, holds the port: {CHOOSE}"
            ),
            PortHolder::OtherProcess => format!(
                "another process holds the port (`ss -ltnp 'sport = :{}'` shows which): {CHOOSE}",
                address.port()
            ),
            PortHolder::Unknown => format!("another socket holds the port: {CHOOSE}"),
        },
        ErrorKind::PermissionDenied => format!(
            "this process may not listen on this port (ports below 1024 need privileges): {CHOOSE}"
        ),
        ErrorKind::AddrNotAvailable => "no interface of this host has this address: listen on `0.0.0.0` (every interface) or on an address of this host, with METRICS_ADDR or `Exporter::builder().listen_address(..)`".to_owned(),
        _ => "pick another address with METRICS_ADDR or `Exporter::builder().listen_address(..)`"
            .to_owned(),
    }
}

/// Whether two listen addresses compete for one port: same port, and the same IP or a
/// wildcard on either side.
fn same_port(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() != 0
        && a.port() == b.port()
        && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

/// Who holds a port that could not be bound.
#[derive(Debug, PartialEq, Eq)]
enum PortHolder {
    ThisProcess,
    OtherProcess,
    Unknown,
}

/// Finds the listening sockets on the port in `/proc/net/tcp{,6}` and looks for them among
/// this process' descriptors.
#[cfg(target_os = "linux")]
fn port_holder(address: SocketAddr) -> PortHolder {
    let mut sockets = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        sockets.extend(
            text.lines()
                .skip(1)
                .filter_map(|line| listening_socket(line, address))
                .map(|inode| format!("socket:[{inode}]")),
        );
    }
    if sockets.is_empty() {
        return PortHolder::Unknown;
    }
    let Ok(descriptors) = std::fs::read_dir("/proc/self/fd") else {
        return PortHolder::Unknown;
    };
    let ours = descriptors
        .filter_map(Result::ok)
        .filter_map(|descriptor| std::fs::read_link(descriptor.path()).ok())
        .any(|target| {
            sockets
                .iter()
                .any(|socket| target.as_os_str() == socket.as_str())
        });
    if ours {
        PortHolder::ThisProcess
    } else {
        PortHolder::OtherProcess
    }
}

#[cfg(not(target_os = "linux"))]
fn port_holder(_address: SocketAddr) -> PortHolder {
    PortHolder::Unknown
}

/// The inode of a line of `/proc/net/tcp{,6}` that is a socket listening where `address` would
/// (`sl local_address rem_address st ... uid timeout inode`, addresses as hex `IP:PORT`, the
/// IP as the kernel's 32-bit words in native byte order, state `0A` for listening).
#[cfg(target_os = "linux")]
fn listening_socket(line: &str, address: SocketAddr) -> Option<u64> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let (ip, port) = fields.get(1)?.split_once(':')?;
    if *fields.get(3)? != "0A" {
        return None;
    }
    let port = u16::from_str_radix(port, 16).ok()?;
    let mut octets = Vec::with_capacity(16);
    for word in ip.as_bytes().chunks(8) {
        let word = u32::from_str_radix(std::str::from_utf8(word).ok()?, 16).ok()?;
        octets.extend_from_slice(&word.to_ne_bytes());
    }
    let ip = match octets.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(octets).ok()?),
        16 => {
            let v6 = Ipv6Addr::from(<[u8; 16]>::try_from(octets).ok()?);
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    let wanted = match address.ip() {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address.ip(), IpAddr::V4),
        v4 => v4,
    };
    if same_port(
        SocketAddr::new(ip, port),
        SocketAddr::new(wanted, address.port()),
    ) {
        fields.get(9)?.parse().ok()
    } else {
        None
    }
}

/// The builder's settings once checked.
struct Settings {
    buckets: BucketConfig,
    render: RenderOptions,
    allowed: Vec<IpNet>,
    push: Option<PushTarget>,
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

/// What the background thread, the HTTP listener and the handles share.
pub(crate) struct Shared {
    pub prometheus: PrometheusHandle,
    pub render: RenderOptions,
    pub metrics_path: String,
    pub allowed: Vec<IpNet>,
    /// Length of the last exposition: the next one starts with room for it, instead of
    /// doubling its way up (a 100,000-line exposition is several megabytes).
    pub last_len: std::sync::atomic::AtomicUsize,
}

impl Shared {
    pub(crate) fn render_as(&self, format: crate::exposition::Format) -> String {
        match format {
            crate::exposition::Format::Text | crate::exposition::Format::Protobuf => self.render(),
            crate::exposition::Format::OpenMetrics => {
                crate::exposition::openmetrics::from_text(&self.render_text(true))
            }
        }
    }

    pub(crate) fn render(&self) -> String {
        self.render_text(false)
    }

    /// The protobuf format: this crate's families written by its encoder, with their native
    /// histograms, then the other `metrics` users' families read from their text.
    pub(crate) fn render_protobuf(&self) -> Vec<u8> {
        use std::sync::atomic::Ordering;
        let mut encoder = ProtobufEncoder::with_capacity(self.last_len.load(Ordering::Relaxed));
        REGISTRY.encode(&mut encoder, &self.render);
        let mut out = encoder.finish();
        out.extend(crate::exposition::protobuf::from_text(
            &self.prometheus.render(),
        ));
        out
    }

    /// The exposition in `format`, as bytes.
    pub(crate) fn render_bytes(&self, format: crate::exposition::Format) -> Vec<u8> {
        match format {
            crate::exposition::Format::Protobuf => self.render_protobuf(),
            text => self.render_as(text).into_bytes(),
        }
    }

    /// The text format; with `exemplars`, for the OpenMetrics format made from it.
    fn render_text(&self, exemplars: bool) -> String {
        use std::sync::atomic::Ordering;
        let last = self.last_len.load(Ordering::Relaxed);
        let mut out = String::with_capacity((last + last / 8).max(16 * 1024));
        REGISTRY.encode(&mut TextEncoder::new(&mut out, exemplars), &self.render);
        out.push_str(&self.prometheus.render());
        self.last_len.store(out.len(), Ordering::Relaxed);
        out
    }

    pub(crate) fn run_upkeep(&self) {
        self.prometheus.run_upkeep();
    }

    /// Whether a peer may use the listener.
    pub(crate) fn allows(&self, peer: IpAddr) -> bool {
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        self.allowed.is_empty() || self.allowed.iter().any(|net| net.contains(&peer))
    }
}

/// A cloneable handle that renders the exposition, for serving it from your own HTTP server.
///
/// ```no_run
/// let exporter = metrics_runtime::Exporter::builder().build()?;
/// let handle = exporter.handle();
/// std::thread::spawn(move || println!("{}", handle.render()));
/// # Ok::<(), metrics_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct MetricsHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for MetricsHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsHandle").finish_non_exhaustive()
    }
}

impl MetricsHandle {
    /// The exposition text in the Prometheus text format.
    ///
    /// ```no_run
    /// let handle = metrics_runtime::Exporter::builder().build()?.handle();
    /// let body: String = handle.render();
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn render(&self) -> String {
        self.shared.render()
    }

    /// The exposition in `format`: pick it from the request's `Accept` header with
    /// [`Format::negotiate`](crate::Format::negotiate), and answer with its
    /// [`content_type`](crate::Format::content_type), as the exporter's own listener does.
    ///
    /// ```no_run
    /// use metrics_runtime::Format;
    ///
    /// let handle = metrics_runtime::Exporter::builder().build()?.handle();
    /// let accept = Some("application/openmetrics-text;version=1.0.0,*/*;q=0.1");
    /// let format = Format::negotiate(accept);
    /// let (content_type, body) = (format.content_type(), handle.render_as(format));
    /// assert!(body.ends_with("# EOF\n"));
    /// # let _ = content_type;
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn render_as(&self, format: crate::exposition::Format) -> String {
        self.shared.render_as(format)
    }

    /// The exposition in `format` as bytes, the protobuf format included (which
    /// [`render_as`](Self::render_as), a `String`, gives as text).
    ///
    /// ```no_run
    /// use metrics_runtime::Format;
    ///
    /// let handle = metrics_runtime::Exporter::builder().build()?.handle();
    /// let accept = Some("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
    /// let format = Format::negotiate(accept);
    /// let (content_type, body): (&str, Vec<u8>) = (format.content_type(), handle.render_bytes(format));
    /// # let _ = (content_type, body);
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn render_bytes(&self, format: crate::exposition::Format) -> Vec<u8> {
        self.shared.render_bytes(format)
    }

    /// The `Content-Type` to serve [`render`](Self::render) with.
    ///
    /// ```
    /// assert_eq!(metrics_runtime::MetricsHandle::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    /// ```
    pub const CONTENT_TYPE: &'static str = crate::exposition::text::CONTENT_TYPE;
}

/// The installed exporter. Dropping it (or [`shutdown`](Exporter::shutdown)) stops the HTTP
/// listener and the background work (after a last push, when pushing); the recorder stays
/// installed, as `metrics` allows one per process.
#[must_use = "dropping the Exporter stops its /metrics listener; keep it, e.g. `let _exporter = install_exporter()?;`"]
pub struct Exporter {
    shared: Arc<Shared>,
    background: Option<Background>,
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
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().listen_address("127.0.0.1:0").install()?;
    /// let port = exporter.local_addr().unwrap().port(); // the port picked for port 0
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.background.as_ref().and_then(Background::local_addr)
    }

    /// The exposition text, as `GET /metrics` serves it.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().build()?;
    /// let text: String = exporter.render();
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn render(&self) -> String {
        self.shared.render()
    }

    /// A cloneable handle that renders the exposition.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::Exporter::builder().build()?;
    /// let handle = exporter.handle();
    /// let text = handle.render();
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn handle(&self) -> MetricsHandle {
        MetricsHandle {
            shared: self.shared.clone(),
        }
    }

    /// Stops the listener and the background work; scrapes in flight complete first, and a
    /// configured push gateway gets the final values.
    ///
    /// ```no_run
    /// let exporter = metrics_runtime::install_exporter()?;
    /// // ... serve until asked to stop ...
    /// exporter.shutdown();
    /// # Ok::<(), metrics_runtime::Error>(())
    /// ```
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(background) = self.background.take() {
            let address = background.local_addr();
            background.stop();
            let mut listening = LISTENING.lock().unwrap_or_else(PoisonError::into_inner);
            if address.is_some() && *listening == address {
                *listening = None;
            }
        }
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        self.stop();
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

    #[test]
    fn settings_are_validated_before_anything_is_installed() {
        let error = |builder: ExporterBuilder| {
            builder
                .validate()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            error(Exporter::builder().global_label("bad-name", "x")),
            "invalid global label `bad-name`: a label name must match [a-zA-Z_][a-zA-Z0-9_]*"
        );
        assert!(error(Exporter::builder().global_label("le", "x"))
            .starts_with("invalid global label `le`"));
        assert!(error(Exporter::builder().prefix("my-app_"))
            .starts_with("invalid metric prefix `my-app_`"));
        assert!(error(Exporter::builder().metrics_path("metrics"))
            .starts_with("invalid metrics path `metrics`"));
        assert!(error(Exporter::builder().metrics_path("/health"))
            .starts_with("invalid metrics path `/health`"));
        assert!(error(Exporter::builder().allow_scraper("10.0.0.0/33"))
            .starts_with("invalid scraper `10.0.0.0/33`"));
        assert!(error(
            Exporter::builder().push_gateway("https://x/metrics/job/a", Duration::from_secs(1))
        )
        .starts_with("invalid push gateway URL `https://x/metrics/job/a`"));
        assert!(Exporter::builder()
            .allow_scraper("10.0.0.0/8")
            .allow_scraper("::1")
            .validate()
            .is_ok());
        assert_eq!(
            error(
                Exporter::builder()
                    .global_label("service", "a")
                    .global_label("service", "b")
            ),
            "invalid global label `service`: it is given twice, and a series can carry a label once; give it once"
        );
        assert_eq!(
            error(Exporter::builder().collect_interval(Duration::ZERO)),
            format!("invalid `collect_interval` of 0ns: it must be at least {MIN_COLLECT_INTERVAL:?}, the shortest interval over which this system measures CPU usage; the default is 15s")
        );
        assert!(Exporter::builder()
            .collect_interval(MIN_COLLECT_INTERVAL)
            .validate()
            .is_ok());
        assert_eq!(
            error(Exporter::builder().idle_timeout(Duration::ZERO)),
            "invalid `idle_timeout` of 0ns: it must be more than zero, e.g. 600s; leave it unset to keep every series"
        );
        assert_eq!(
            error(Exporter::builder().push_gateway("http://gw:9091/metrics/job/a", Duration::ZERO)),
            "invalid `push_gateway` interval of 0ns: it must be more than zero, e.g. 10s"
        );
        // Durations too long for the clock are capped by tokio, not refused.
        assert!(Exporter::builder()
            .collect_interval(Duration::MAX)
            .idle_timeout(Duration::MAX)
            .push_gateway("http://gw:9091/metrics/job/a", Duration::MAX)
            .validate()
            .is_ok());
    }

    #[test]
    fn addresses_compete_for_a_port_when_one_side_is_a_wildcard_or_both_are_equal() {
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert!(same_port(at("127.0.0.1:9000"), at("127.0.0.1:9000")));
        assert!(same_port(at("0.0.0.0:9000"), at("127.0.0.1:9000")));
        assert!(same_port(at("127.0.0.1:9000"), at("[::]:9000")));
        assert!(!same_port(at("127.0.0.1:9000"), at("127.0.0.2:9000")));
        assert!(!same_port(at("127.0.0.1:9000"), at("127.0.0.1:9001")));
        assert!(!same_port(at("127.0.0.1:0"), at("127.0.0.1:0")));
    }

    #[cfg(all(target_os = "linux", target_endian = "little"))]
    #[test]
    fn listening_sockets_are_read_from_proc_net_tcp() {
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        // 127.0.0.1:9000 listening, inode 4242; as the kernel prints it.
        let v4 = "   3: 0100007F:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0";
        assert_eq!(listening_socket(v4, at("127.0.0.1:9000")), Some(4242));
        assert_eq!(listening_socket(v4, at("0.0.0.0:9000")), Some(4242));
        assert_eq!(listening_socket(v4, at("127.0.0.2:9000")), None);
        assert_eq!(listening_socket(v4, at("127.0.0.1:9001")), None);
        // The same socket once connected (state 01) is no listener.
        let established = v4.replace(" 0A ", " 01 ");
        assert_eq!(listening_socket(&established, at("127.0.0.1:9000")), None);
        // [::]:9000 listening, inode 77.
        let v6 = "   0: 00000000000000000000000000000000:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0000000000000000 100 0 0 10 0";
        assert_eq!(listening_socket(v6, at("127.0.0.1:9000")), Some(77));
        // [::1]:9000 listening.
        let loopback6 = "   0: 00000000000000000000000001000000:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 78 1 0000000000000000 100 0 0 10 0";
        assert_eq!(listening_socket(loopback6, at("[::1]:9000")), Some(78));
        assert_eq!(listening_socket(loopback6, at("127.0.0.1:9000")), None);
    }

    #[test]
    fn the_executable_name_is_the_file_stem_of_the_running_binary() {
        let exe = std::env::current_exe().unwrap();
        let name = executable_name();
        assert_eq!(
            Some(name.as_str()),
            exe.file_stem().and_then(|s| s.to_str())
        );
        assert!(name.starts_with("metrics_runtime-"), "{name}");
    }
}
