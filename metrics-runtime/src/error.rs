//! The error type of the runtime.

use std::net::SocketAddr;

use crate::registry::SchemaConflict;

/// What went wrong while setting up the exporter, and what to do about it.
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
    #[error("cannot listen for scrapes on {address}: {source}; if another process holds the port, pick another one with METRICS_ADDR or `Exporter::builder().listen_address(..)`")]
    Bind {
        /// The address that could not be bound.
        address: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A `metrics` recorder was installed before.
    #[error("a metrics recorder is already installed in this process: install the exporter once, at startup, and keep the returned `Exporter`")]
    AlreadyInstalled,
    /// Two instrumented functions declare one metric family differently.
    #[error("metric family `{}` is declared differently by {} and {}: {}; give both functions the same labels and buckets, or give one of them another `name = \"...\"`", .0.family, .0.first, .0.second, .0.detail)]
    Conflict(SchemaConflict),
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
    /// The exporter's background thread could not start.
    #[error("cannot start the metrics exporter thread: {0}")]
    Spawn(#[source] std::io::Error),
}
