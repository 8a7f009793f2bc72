//! The `metrics` recorder this crate installs: a layer over `metrics-exporter-prometheus`.
//!
//! Handles of call sites (and of any other metric of a family this crate stores) come from the
//! sharded storage of [`crate::registry`]; every other metric of the process, from any crate
//! using the `metrics` facade, goes to the Prometheus recorder unchanged. The exposition is both
//! rendered one after the other.

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{PrometheusHandle, PrometheusRecorder};

use crate::callsite::{DYNAMIC_SITE_TARGET, SITE_TARGET};
use crate::registry::{Registry, REGISTRY};

pub(crate) struct LayeredRecorder {
    registry: &'static Registry,
    fallback: PrometheusRecorder,
}

impl LayeredRecorder {
    pub(crate) fn new(fallback: PrometheusRecorder) -> Self {
        Self {
            registry: &REGISTRY,
            fallback,
        }
    }

    pub(crate) fn fallback_handle(&self) -> PrometheusHandle {
        self.fallback.handle()
    }

    fn ours(&self, key: &Key, metadata: &Metadata<'_>) -> bool {
        is_site(metadata) || self.registry.owns(key.name())
    }
}

fn is_site(metadata: &Metadata<'_>) -> bool {
    metadata.target() == SITE_TARGET || metadata.target() == DYNAMIC_SITE_TARGET
}

/// Series of call sites with labels taken from arguments may be hidden by the idle timeout.
fn expirable(metadata: &Metadata<'_>) -> bool {
    metadata.target() == DYNAMIC_SITE_TARGET
}

impl Recorder for LayeredRecorder {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        if self.registry.owns(key.as_str()) {
            self.registry.describe(key.as_str(), &description);
        } else {
            self.fallback.describe_counter(key, unit, description);
        }
    }

    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        if self.registry.owns(key.as_str()) {
            self.registry.describe(key.as_str(), &description);
        } else {
            self.fallback.describe_gauge(key, unit, description);
        }
    }

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        if self.registry.owns(key.as_str()) {
            self.registry.describe(key.as_str(), &description);
        } else {
            self.fallback.describe_histogram(key, unit, description);
        }
    }

    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> Counter {
        if self.ours(key, metadata) {
            // A name stored here with another kind: refuse rather than render a family twice.
            return self
                .registry
                .counter(key, expirable(metadata))
                .map_or_else(Counter::noop, Counter::from_arc);
        }
        self.fallback.register_counter(key, metadata)
    }

    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> Gauge {
        if self.ours(key, metadata) {
            return self
                .registry
                .gauge(key, expirable(metadata))
                .map_or_else(Gauge::noop, Gauge::from_arc);
        }
        self.fallback.register_gauge(key, metadata)
    }

    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> Histogram {
        if self.ours(key, metadata) {
            return self
                .registry
                .histogram(key, expirable(metadata))
                .map_or_else(Histogram::noop, Histogram::from_arc);
        }
        self.fallback.register_histogram(key, metadata)
    }
}
