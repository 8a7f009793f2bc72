//! Exposition formats: how the registry's families are written for a scrape, and which one a
//! scraper asked for.

pub(crate) mod openmetrics;
pub(crate) mod protobuf;
pub(crate) mod text;

use crate::registry::Kind;
use crate::storage::native::NativeSnapshot;

/// A writer of one exposition format, in the spirit of client_golang's `expfmt.Encoder`: the
/// registry and the typed families hand it their families and series in order, each format
/// writes them its own way, and none is made from another's output.
pub(crate) trait Encoder {
    /// Whether histograms come with their native buckets: they are read from the storage
    /// only for an encoder that writes them.
    const NATIVE: bool;
    /// Whether series come with their exemplars: they are copied out of their slots only for
    /// an encoder that writes them.
    #[cfg_attr(not(feature = "exemplars"), allow(dead_code))]
    fn exemplars(&self) -> bool;
    /// Starts a family (`name` with the prefix); its series follow.
    fn family(&mut self, name: &str, help: Option<&str>, kind: Kind);
    fn counter(&mut self, labels: &Labels<'_>, value: Number, exemplar: Option<Exemplar>);
    fn gauge(&mut self, labels: &Labels<'_>, value: f64);
    fn histogram(&mut self, labels: &Labels<'_>, histogram: &HistogramValue<'_>);
}

/// An exemplar as the encoders write it; without the `exemplars` feature there is none.
#[cfg(feature = "exemplars")]
pub(crate) type Exemplar = crate::exemplars::Captured;
/// An exemplar as the encoders write it; without the `exemplars` feature there is none.
#[cfg(not(feature = "exemplars"))]
#[derive(Clone, Copy)]
pub(crate) enum Exemplar {}

/// A counter's value: integer counts are written as integers in the text formats.
#[derive(Clone, Copy)]
pub(crate) enum Number {
    Integer(u64),
    Float(f64),
}

impl Number {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Number::Integer(value) => value as f64,
            Number::Float(value) => value,
        }
    }
}

/// One histogram series as the storage holds it.
pub(crate) struct HistogramValue<'a> {
    /// Upper bounds, without `+Inf`.
    pub bounds: &'a [f64],
    /// Observations per bucket, not cumulative, `+Inf` last: one more than `bounds`.
    pub counts: &'a [u64],
    pub sum: f64,
    /// The exemplar of a bucket (same index as `counts`), asked only by encoders that write
    /// them.
    pub exemplar: &'a dyn Fn(usize) -> Option<Exemplar>,
    /// The native buckets, for encoders that write them ([`Encoder::NATIVE`]).
    pub native: Option<&'a NativeSnapshot>,
}

/// The labels of one series: the exporter's global labels (but those the series has itself)
/// and the series' own.
pub(crate) struct Labels<'a> {
    pub globals: &'a [(String, String)],
    pub own: OwnLabels<'a>,
    /// Where the registry keeps the own labels as each format writes them.
    pub written: Option<&'a WrittenLabels>,
}

/// A series' own labels as each format writes them, made by the first render in that format
/// and reused by every later one: labels never change, and writing them is most of a
/// scrape's cost. A server scraped in one format pays for that one only.
#[derive(Default)]
pub(crate) struct WrittenLabels {
    /// `key="value",...`, escaped.
    pub text: std::sync::OnceLock<Box<str>>,
    /// `LabelPair` messages, each with its field key and length, as `Metric.label`.
    pub protobuf: std::sync::OnceLock<Box<[u8]>>,
}

/// A series' own labels, as the registry or the typed families hold them.
#[derive(Clone, Copy)]
pub(crate) enum OwnLabels<'a> {
    Owned(&'a [(String, String)]),
    Borrowed(&'a [(&'a str, &'a str)]),
}

impl<'a> OwnLabels<'a> {
    fn len(self) -> usize {
        match self {
            OwnLabels::Owned(labels) => labels.len(),
            OwnLabels::Borrowed(labels) => labels.len(),
        }
    }

    fn get(self, index: usize) -> (&'a str, &'a str) {
        match self {
            OwnLabels::Owned(labels) => (&labels[index].0, &labels[index].1),
            OwnLabels::Borrowed(labels) => labels[index],
        }
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
        (0..self.len()).map(move |index| self.get(index))
    }
}

impl<'a> Labels<'a> {
    pub(crate) fn new(globals: &'a [(String, String)], own: OwnLabels<'a>) -> Self {
        Self {
            globals,
            own,
            written: None,
        }
    }

    /// The global labels the series does not have itself.
    pub(crate) fn globals(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        let own = self.own;
        self.globals
            .iter()
            .filter(move |(global, _)| !own.iter().any(|(name, _)| name == global))
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// Every label of the series, globals first.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.globals().chain(self.own.iter())
    }
}

/// An exposition format, chosen from a scrape's `Accept` header with [`Format::negotiate`].
///
/// ```
/// use metrics_runtime::Format;
///
/// // What Prometheus 2.42 sends.
/// let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/// assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
/// assert_eq!(Format::negotiate(Some("*/*")), Format::Text); // curl
/// assert_eq!(Format::negotiate(None), Format::Text);
/// assert_eq!(Format::OpenMetrics.content_type(), "application/openmetrics-text; version=1.0.0; charset=utf-8");
/// // What Prometheus sends with `--enable-feature=native-histograms`.
/// let native = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
/// assert_eq!(Format::negotiate(Some(native)), Format::Protobuf);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// The Prometheus text format, version 0.0.4: what browsers, curl and anything that does
    /// not ask for another format get.
    Text,
    /// OpenMetrics 1.0 text: counters' families without `_total`, units, `# EOF`.
    OpenMetrics,
    /// Prometheus' protobuf format (`io.prometheus.client.MetricFamily`, length-delimited):
    /// the only one that carries native histograms. Binary: render it with
    /// [`MetricsHandle::render_bytes`](crate::MetricsHandle::render_bytes).
    Protobuf,
}

impl Format {
    /// The format to answer a request with `accept` as its `Accept` header: OpenMetrics 1.0
    /// when the client prefers it (version 1.0.0 or no version), the protobuf format when it
    /// prefers `io.prometheus.client.MetricFamily` with `encoding=delimited`, the text format
    /// otherwise. Quality values are honoured; between equal ones, the first listed wins.
    pub fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else {
            return Format::Text;
        };
        let mut best: Option<(f32, Format)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default().to_ascii_lowercase();
            let mut quality = 1.0f32;
            let mut version = None;
            let mut proto = None;
            let mut encoding = None;
            for parameter in parts {
                let (key, value) = parameter.split_once('=').unwrap_or((parameter, ""));
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "q" => quality = value.parse().unwrap_or(0.0),
                    "version" => version = Some(value.to_owned()),
                    "proto" => proto = Some(value.to_owned()),
                    "encoding" => encoding = Some(value.to_ascii_lowercase()),
                    _ => {}
                }
            }
            let format = match media.as_str() {
                "application/openmetrics-text"
                    if version.as_deref().is_none_or(|v| v == "1.0.0") =>
                {
                    Format::OpenMetrics
                }
                "application/vnd.google.protobuf"
                    if proto.as_deref() == Some("io.prometheus.client.MetricFamily")
                        && encoding.as_deref() == Some("delimited") =>
                {
                    Format::Protobuf
                }
                "text/plain" | "text/*" | "*/*" => Format::Text,
                _ => continue,
            };
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, format));
            }
        }
        best.map_or(Format::Text, |(_, format)| format)
    }

    /// The `Content-Type` of an exposition in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => text::CONTENT_TYPE,
            Format::OpenMetrics => openmetrics::CONTENT_TYPE,
            Format::Protobuf => protobuf::CONTENT_TYPE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn negotiation_follows_what_each_client_sends() {
        for (accept, expected) in [
            // Prometheus 2.42's scrape header.
            ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", Format::OpenMetrics),
            // curl.
            ("*/*", Format::Text),
            // A browser.
            ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", Format::Text),
            // Unknown, or only an older OpenMetrics.
            ("application/json", Format::Text),
            ("application/openmetrics-text; version=0.0.1", Format::Text),
            ("", Format::Text),
            // Quality values and spelling.
            ("text/plain;q=0.9, application/openmetrics-text", Format::OpenMetrics),
            ("text/plain, application/openmetrics-text;q=0.5", Format::Text),
            ("Application/OpenMetrics-Text; Version=\"1.0.0\"", Format::OpenMetrics),
            ("application/openmetrics-text;q=0", Format::Text),
            // Prometheus with native histograms; protobuf of another message or encoding.
            ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2", Format::Protobuf),
            ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text", Format::Text),
            ("application/vnd.google.protobuf;proto=other.Message;encoding=delimited", Format::Text),
        ] {
            assert_eq!(Format::negotiate(Some(accept)), expected, "{accept}");
        }
    }
}
