//! Pushing the exposition to a Prometheus Pushgateway, for jobs that end before a scrape.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::CONTENT_TYPE;
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use metrics::{CounterFn, Key};

use crate::error::Error;
use crate::exposition::text::CONTENT_TYPE as EXPOSITION_CONTENT_TYPE;
use crate::registry::REGISTRY;
use crate::storage::ShardedCounter;

/// How long one push may take.
const PUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how often to push.
#[derive(Debug, Clone)]
pub(crate) struct PushTarget {
    pub uri: Uri,
    pub interval: Duration,
}

impl PushTarget {
    pub(crate) fn parse(url: &str, interval: Duration) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::InvalidPushGateway {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let uri: Uri = url.parse().map_err(|_| invalid("it is not a URL"))?;
        if uri.scheme_str() != Some("http") {
            return Err(invalid(
                "only plain `http://` is supported; put a TLS-terminating proxy in front for HTTPS",
            ));
        }
        if uri.host().is_none() {
            return Err(invalid("it has no host"));
        }
        if interval.is_zero() {
            return Err(Error::InvalidDuration {
                setting: "`push_gateway` interval",
                value: interval,
                range: "it must be more than zero, e.g. 10s".into(),
            });
        }
        Ok(Self { uri, interval })
    }
}

/// Pushes with one client, counting failures in `metrics_push_failures_total`.
pub(crate) struct Pusher {
    target: PushTarget,
    client: Client<HttpConnector, Full<Bytes>>,
    failures: Option<Arc<ShardedCounter>>,
}

impl Pusher {
    pub(crate) fn new(target: PushTarget) -> Self {
        REGISTRY.describe(
            "metrics_push_failures_total",
            "Pushes to the Pushgateway that failed.",
        );
        // Registered at zero, so the family exists before a failure.
        let failures = REGISTRY.counter(&Key::from_name("metrics_push_failures_total"), false);
        Self {
            target,
            client: Client::builder(TokioExecutor::new()).build_http(),
            failures,
        }
    }

    pub(crate) fn interval(&self) -> Duration {
        self.target.interval
    }

    /// `PUT`s the exposition; a failure is counted, not returned: the next push retries.
    pub(crate) async fn push(&self, body: String) {
        if let (Err(_reason), Some(failures)) = (self.try_push(body).await, &self.failures) {
            failures.increment(1);
        }
    }

    async fn try_push(&self, body: String) -> Result<(), String> {
        let request = Request::builder()
            .method(Method::PUT)
            .uri(self.target.uri.clone())
            .header(CONTENT_TYPE, EXPOSITION_CONTENT_TYPE)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let response = tokio::time::timeout(PUSH_TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| "timed out".to_owned())?
            .map_err(|e| e.to_string())?;
        let status = response.status();
        // Read the body so the connection can be reused.
        let _ = response.into_body().collect().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the gateway answered {status}"))
        }
    }
}
