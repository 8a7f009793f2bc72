//! The error type of the runtime.

use std::net::SocketAddr;

use crate::registry::SchemaConflict;

/// What went wrong while setting up the exporter, and what to do about it.
///
/// ```
/// let error = metrics_runtime::Exporter::builder().listen_address("no port here").install().unwrap_err();
/// assert!(matches!(error, metrics_runtime::Error::InvalidAddress { .. }));
/// assert!(error.to_string().contains("write it as host:port"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listen address does not parse or resolve.
    #[error("invalid metrics listen address `{address}`: {reason}; write it as host:port, e.g. `0.0.0.0:9000` or `127.0.0.1:9100`")]
    InvalidAddress {
        /// The address as given.
        address: String,
        /// Why it was refused.
        reason: String,
    },
    /// The listener could not bind.
    #[error("cannot listen for scrapes on {address}: {source}; {advice}")]
    Bind {
        /// The address that could not be bound.
        address: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
        /// What to do about it, from what holds the port when it is in use.
        advice: String,
    },
    /// An exporter of this process already listens on the address asked for.
    #[error("an exporter of this process already listens on {address}: install the exporter once, at startup, and keep and reuse its `Exporter` (clone `exporter.handle()` where the exposition is needed) instead of installing another")]
    AlreadyListening {
        /// Where the exporter that is installed listens.
        address: SocketAddr,
    },
    /// The exporter is already installed in this process.
    #[error("the exporter is already installed in this process, and `metrics` allows one recorder per process: install the exporter once, at startup, and keep and reuse the returned `Exporter`")]
    AlreadyInstalled,
    /// A `metrics` recorder of another crate is installed in this process.
    #[error("another `metrics` recorder is already installed in this process (e.g. by `metrics_exporter_prometheus::PrometheusBuilder::install`): remove it and install only this exporter, which passes the metrics of other `metrics` users through to its own `metrics-exporter-prometheus` recorder")]
    OtherRecorder,
    /// Two instrumented functions declare one metric family differently.
    #[error("metric family `{}` is declared differently by {} and {}: {}; give both functions the same labels and buckets, or give one of them another `name = \"...\"`", .0.family, .0.first, .0.second, .0.detail)]
    Conflict(SchemaConflict),
    /// Two instrumented functions declare an objective of one name with different targets.
    #[error("objective `{objective}` is declared with different targets by {first} ({first_targets}) and by {second} ({second_targets}): functions that share an objective share its error budget, so declare it once as a `const Objective` and name it on each, or give one of them another name")]
    ObjectiveConflict {
        /// The objective's name.
        objective: String,
        /// The site that declared it first.
        first: String,
        /// Its targets.
        first_targets: String,
        /// The site that disagrees.
        second: String,
        /// Its targets.
        second_targets: String,
    },
    /// A typed metric (of a `#[derive(Metrics)]` group) is declared twice, or takes the name of
    /// a family of an instrumented function or of this crate.
    #[error("metric `{}` is declared by {} and again by {}: {}", .0.family, .0.first, .0.second, .0.detail)]
    TypedConflict(SchemaConflict),
    /// A typed metric family's labels allow more combinations than a family may export.
    #[error("typed metric `{family}`, declared by {declared_by}, has labels that allow more than {limit} combinations; drop a label or narrow its values")]
    TooManySeries {
        /// The family.
        family: String,
        /// The struct and field that declare it.
        declared_by: String,
        /// The most series a family may have.
        limit: usize,
    },
    /// Values given to a `ValueSet` cannot be registered.
    #[error("cannot register the values of label value set `{set}`: {reason}")]
    InvalidValueSet {
        /// The set's name.
        set: String,
        /// Why.
        reason: String,
    },
    /// A bucket list given to the builder is not usable.
    #[error("invalid buckets for {target}: {reason}; give at least one finite, positive, strictly increasing bound")]
    InvalidBuckets {
        /// `default buckets` or the family's name.
        target: String,
        /// Why they were refused.
        reason: String,
    },
    /// A label given to the builder is not usable.
    #[error("invalid global label `{name}`: {reason}")]
    InvalidLabel {
        /// The label name as given.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// An exemplar label cannot be kept: OpenMetrics limits exemplar labels to 128 characters.
    #[error("invalid exemplar label `{name}`: {reason}")]
    InvalidExemplar {
        /// The label name as given.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// The metric name prefix is not usable.
    #[error("invalid metric prefix `{prefix}`: a prefix must match [a-zA-Z_][a-zA-Z0-9_]*, e.g. `myapp_`")]
    InvalidPrefix {
        /// The prefix as given.
        prefix: String,
    },
    /// The metrics path is not usable.
    #[error(
        "invalid metrics path `{path}`: it must start with `/` and not be `/health` or `/catalog`"
    )]
    InvalidPath {
        /// The path as given.
        path: String,
    },
    /// An allowed scraper is neither an address nor a network.
    #[error("invalid scraper `{entry}`: give an IP address (`10.0.0.5`, `::1`) or a network (`10.0.0.0/8`)")]
    InvalidScraper {
        /// The entry as given.
        entry: String,
    },
    /// The push gateway URL or interval is not usable.
    #[error("invalid push gateway URL `{url}`: {reason}")]
    InvalidPushGateway {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// A duration given to the builder is outside its valid range.
    #[error("invalid {setting} of {value:?}: {range}")]
    InvalidDuration {
        /// The builder setting, quoted: ``"`collect_interval`"``.
        setting: &'static str,
        /// The duration as given.
        value: std::time::Duration,
        /// The valid range, and what the setting is for.
        range: String,
    },
    /// Process or host metrics cannot be read on this system.
    #[error("cannot read {group} metrics: {reason}; turn them off with `.{group}_metrics(false)`")]
    Collector {
        /// `process` or `host`.
        group: &'static str,
        /// What the system said.
        reason: String,
    },
    /// The exporter's background thread could not start.
    #[error("cannot start the metrics exporter thread: {0}")]
    Spawn(#[source] std::io::Error),
}
