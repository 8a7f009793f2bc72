//! Prometheus' protobuf exposition (`io.prometheus.client.MetricFamily` messages, each
//! length-delimited), the format that carries native histograms.
//!
//! This crate's families are written straight from the storage by [`ProtobufEncoder`], native
//! histograms and exemplars included; the other `metrics` users' families are read from
//! `metrics-exporter-prometheus`' text by [`from_text`]. The messages are those of Prometheus'
//! `metrics.proto`, encoded with `prost`.

use crate::storage::native::NativeSnapshot;

/// The `Content-Type` of the protobuf format.
pub(crate) const CONTENT_TYPE: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

/// The messages of Prometheus' `io/prometheus/client/metrics.proto` (proto2) this exposition
/// uses, with its field numbers.
pub(crate) mod model {
    /// `LabelPair`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct LabelPair {
        #[prost(string, optional, tag = "1")]
        pub name: Option<String>,
        #[prost(string, optional, tag = "2")]
        pub value: Option<String>,
    }

    /// `MetricType`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
    #[repr(i32)]
    pub enum MetricType {
        Counter = 0,
        Gauge = 1,
        Summary = 2,
        Untyped = 3,
        Histogram = 4,
    }

    /// `Gauge`, `Untyped` and, without exemplar, `Counter`: one value.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Value {
        #[prost(double, optional, tag = "1")]
        pub value: Option<f64>,
    }

    /// `Quantile`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Quantile {
        #[prost(double, optional, tag = "1")]
        pub quantile: Option<f64>,
        #[prost(double, optional, tag = "2")]
        pub value: Option<f64>,
    }

    /// `Summary`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Summary {
        #[prost(uint64, optional, tag = "1")]
        pub sample_count: Option<u64>,
        #[prost(double, optional, tag = "2")]
        pub sample_sum: Option<f64>,
        #[prost(message, repeated, tag = "3")]
        pub quantile: Vec<Quantile>,
    }

    /// `Bucket`: a classic bucket, cumulative.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Bucket {
        #[prost(uint64, optional, tag = "1")]
        pub cumulative_count: Option<u64>,
        #[prost(double, optional, tag = "2")]
        pub upper_bound: Option<f64>,
    }

    /// `BucketSpan`: a run of consecutive native buckets.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct BucketSpan {
        #[prost(sint32, optional, tag = "1")]
        pub offset: Option<i32>,
        #[prost(uint32, optional, tag = "2")]
        pub length: Option<u32>,
    }

    /// `Histogram`: classic buckets, native buckets, or both.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Histogram {
        #[prost(uint64, optional, tag = "1")]
        pub sample_count: Option<u64>,
        #[prost(double, optional, tag = "2")]
        pub sample_sum: Option<f64>,
        #[prost(message, repeated, tag = "3")]
        pub bucket: Vec<Bucket>,
        #[prost(sint32, optional, tag = "5")]
        pub schema: Option<i32>,
        #[prost(double, optional, tag = "6")]
        pub zero_threshold: Option<f64>,
        #[prost(uint64, optional, tag = "7")]
        pub zero_count: Option<u64>,
        #[prost(message, repeated, tag = "9")]
        pub negative_span: Vec<BucketSpan>,
        #[prost(sint64, repeated, packed = "false", tag = "10")]
        pub negative_delta: Vec<i64>,
        #[prost(message, repeated, tag = "12")]
        pub positive_span: Vec<BucketSpan>,
        #[prost(sint64, repeated, packed = "false", tag = "13")]
        pub positive_delta: Vec<i64>,
    }

    /// `Metric`: one series.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Metric {
        #[prost(message, repeated, tag = "1")]
        pub label: Vec<LabelPair>,
        #[prost(message, optional, tag = "2")]
        pub gauge: Option<Value>,
        #[prost(message, optional, tag = "3")]
        pub counter: Option<Value>,
        #[prost(message, optional, tag = "4")]
        pub summary: Option<Summary>,
        #[prost(message, optional, tag = "5")]
        pub untyped: Option<Value>,
        #[prost(message, optional, tag = "7")]
        pub histogram: Option<Histogram>,
    }

    /// `MetricFamily`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct MetricFamily {
        #[prost(string, optional, tag = "1")]
        pub name: Option<String>,
        #[prost(string, optional, tag = "2")]
        pub help: Option<String>,
        #[prost(enumeration = "MetricType", optional, tag = "3")]
        pub r#type: Option<i32>,
        #[prost(message, repeated, tag = "4")]
        pub metric: Vec<Metric>,
    }
}

use model::{Bucket, Histogram, LabelPair, Metric, MetricFamily, MetricType};

use prost::encoding::{encode_key, encode_varint, encoded_len_varint, key_len, WireType};

use super::{Encoder, Exemplar, Labels, Number};
use crate::registry::Kind;

/// The protobuf format's encoder for this crate's families: each message is written straight
/// from the storage with `prost`'s field encoders, no message value built. Nested messages
/// are written into scratch buffers first, whose length then prefixes them.
#[derive(Default)]
pub(crate) struct ProtobufEncoder {
    out: Vec<u8>,
    /// The fields of the family being written, and how many series it has so far: a family
    /// without series is left out.
    family: Vec<u8>,
    series: usize,
    /// One `Metric`, its `Counter`/`Gauge`/`Histogram`, and an exemplar.
    metric: Vec<u8>,
    value: Vec<u8>,
    exemplar: Vec<u8>,
}

impl ProtobufEncoder {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            out: Vec::with_capacity(capacity),
            ..Self::default()
        }
    }

    /// The length-delimited families written so far.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.end_family();
        self.out
    }

    fn end_family(&mut self) {
        if self.series > 0 {
            encode_varint(self.family.len() as u64, &mut self.out);
            self.out.extend_from_slice(&self.family);
        }
        self.family.clear();
        self.series = 0;
    }

    /// Adds a `Metric` to the family: its labels, then `self.value` as field `value_tag`.
    fn end_metric(&mut self, labels: &Labels<'_>, value_tag: u32) {
        let own: &[u8] = match labels.written {
            Some(written) => written.protobuf.get_or_init(|| {
                let mut own = Vec::new();
                for (name, value) in labels.own.iter() {
                    label_pair(1, name, value, &mut own);
                }
                own.into()
            }),
            None => {
                self.metric.clear();
                for (name, value) in labels.own.iter() {
                    label_pair(1, name, value, &mut self.metric);
                }
                &self.metric
            }
        };
        let mut length = own.len();
        for (name, value) in labels.globals() {
            let pair = label_pair_len(name, value);
            length += key_len(1) + encoded_len_varint(pair as u64) + pair;
        }
        length +=
            key_len(value_tag) + encoded_len_varint(self.value.len() as u64) + self.value.len();
        encode_key(4, WireType::LengthDelimited, &mut self.family);
        encode_varint(length as u64, &mut self.family);
        for (name, value) in labels.globals() {
            label_pair(1, name, value, &mut self.family);
        }
        self.family.extend_from_slice(own);
        nested(value_tag, &self.value, &mut self.family);
        self.series += 1;
    }
}

/// `tag`: a length-delimited field holding `bytes`.
fn nested(tag: u32, bytes: &[u8], out: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

fn label_pair_len(name: &str, value: &str) -> usize {
    key_len(1)
        + encoded_len_varint(name.len() as u64)
        + name.len()
        + key_len(2)
        + encoded_len_varint(value.len() as u64)
        + value.len()
}

/// `tag`: a `LabelPair`.
fn label_pair(tag: u32, name: &str, value: &str, out: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(label_pair_len(name, value) as u64, out);
    nested(1, name.as_bytes(), out);
    nested(2, value.as_bytes(), out);
}

/// `tag`: the exemplar, when there is one (`scratch` holds its fields on the way).
fn exemplar(tag: u32, exemplar: Option<Exemplar>, scratch: &mut Vec<u8>, out: &mut Vec<u8>) {
    let Some(exemplar) = exemplar else { return };
    #[cfg(feature = "exemplars")]
    {
        scratch.clear();
        for (name, value) in exemplar.labels.iter() {
            label_pair(1, name, value, scratch);
        }
        prost::encoding::double::encode(2, &exemplar.value, scratch);
        // `google.protobuf.Timestamp`: seconds and nanoseconds.
        let seconds = exemplar.timestamp.floor();
        let nanos = ((exemplar.timestamp - seconds) * 1e9) as i32;
        let mut timestamp = Vec::with_capacity(16);
        prost::encoding::int64::encode(1, &(seconds as i64), &mut timestamp);
        prost::encoding::int32::encode(2, &nanos, &mut timestamp);
        nested(3, &timestamp, scratch);
        nested(tag, scratch, out);
    }
    #[cfg(not(feature = "exemplars"))]
    match (exemplar, tag, scratch, out) {}
}

impl Encoder for ProtobufEncoder {
    const NATIVE: bool = true;

    fn exemplars(&self) -> bool {
        cfg!(feature = "exemplars")
    }

    fn family(&mut self, name: &str, help: Option<&str>, kind: Kind) {
        self.end_family();
        nested(1, name.as_bytes(), &mut self.family);
        if let Some(help) = help {
            nested(2, help.as_bytes(), &mut self.family);
        }
        let kind = match kind {
            Kind::Counter => MetricType::Counter,
            Kind::Gauge => MetricType::Gauge,
            Kind::Histogram => MetricType::Histogram,
        };
        prost::encoding::int32::encode(3, &(kind as i32), &mut self.family);
    }

    fn counter(&mut self, labels: &Labels<'_>, value: Number, exemplar: Option<Exemplar>) {
        self.value.clear();
        prost::encoding::double::encode(1, &value.as_f64(), &mut self.value);
        self::exemplar(2, exemplar, &mut self.exemplar, &mut self.value);
        self.end_metric(labels, 3);
    }

    fn gauge(&mut self, labels: &Labels<'_>, value: f64) {
        self.value.clear();
        prost::encoding::double::encode(1, &value, &mut self.value);
        self.end_metric(labels, 2);
    }

    fn histogram(&mut self, labels: &Labels<'_>, histogram: &super::HistogramValue<'_>) {
        self.value.clear();
        let count = histogram
            .counts
            .iter()
            .fold(0u64, |total, count| total.wrapping_add(*count));
        prost::encoding::uint64::encode(1, &count, &mut self.value);
        prost::encoding::double::encode(2, &histogram.sum, &mut self.value);
        // Cumulative classic buckets; `+Inf` is left to the count, as Prometheus would read
        // it twice.
        let mut running = 0u64;
        for (bucket, (bound, count)) in histogram.bounds.iter().zip(histogram.counts).enumerate() {
            running = running.wrapping_add(*count);
            // Written in place, its length known ahead: a scrape writes millions of these.
            self.metric.clear();
            exemplar(
                3,
                (histogram.exemplar)(bucket),
                &mut self.exemplar,
                &mut self.metric,
            );
            let length = prost::encoding::uint64::encoded_len(1, &running)
                + prost::encoding::double::encoded_len(2, bound)
                + self.metric.len();
            encode_key(3, WireType::LengthDelimited, &mut self.value);
            encode_varint(length as u64, &mut self.value);
            prost::encoding::uint64::encode(1, &running, &mut self.value);
            prost::encoding::double::encode(2, bound, &mut self.value);
            self.value.extend_from_slice(&self.metric);
        }
        if let Some(native) = histogram.native {
            prost::encoding::sint32::encode(5, &i32::from(native.schema), &mut self.value);
            prost::encoding::double::encode(6, &native.zero_threshold, &mut self.value);
            prost::encoding::uint64::encode(7, &native.zero_count, &mut self.value);
            for (buckets, span_tag) in [(&native.negative, 9), (&native.positive, 12)] {
                for (offset, length) in NativeSnapshot::spans(buckets) {
                    let span = prost::encoding::sint32::encoded_len(1, &offset)
                        + prost::encoding::uint32::encoded_len(2, &length);
                    encode_key(span_tag, WireType::LengthDelimited, &mut self.value);
                    encode_varint(span as u64, &mut self.value);
                    prost::encoding::sint32::encode(1, &offset, &mut self.value);
                    prost::encoding::uint32::encode(2, &length, &mut self.value);
                }
                // Not packed: proto2 fields are not unless the schema says so.
                for delta in NativeSnapshot::deltas(buckets) {
                    prost::encoding::sint64::encode(span_tag + 1, &delta, &mut self.value);
                }
            }
        }
        self.end_metric(labels, 7);
    }
}

/// `text`, an exposition in the text format (the other `metrics` users' families, as
/// `metrics-exporter-prometheus` writes them), as length-delimited `MetricFamily` messages.
pub(crate) fn from_text(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut family: Option<FamilyInProgress> = None;
    let mut help: Option<(&str, String)> = None;
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("# HELP ") {
            let (name, escaped) = header.split_once(' ').unwrap_or((header, ""));
            help = Some((name, unescape_help(escaped)));
        } else if let Some(header) = line.strip_prefix("# TYPE ") {
            let (name, kind) = header.split_once(' ').unwrap_or((header, "untyped"));
            if let Some(done) = family.take() {
                done.encode_to(&mut out);
            }
            let help = help
                .take()
                .filter(|(help_name, _)| *help_name == name)
                .map(|(_, text)| text);
            family = Some(FamilyInProgress::new(name, kind.trim(), help));
        } else if line.starts_with('#') || line.trim().is_empty() {
            continue;
        } else if let Some(sample) = Sample::parse(line) {
            match &mut family {
                Some(current) if current.owns(sample.name) => current.add(sample),
                _ => {
                    // A sample without its TYPE line: a family of its own, untyped.
                    if let Some(done) = family.take() {
                        done.encode_to(&mut out);
                    }
                    let mut untyped = FamilyInProgress::new(sample.name, "untyped", None);
                    untyped.add(sample);
                    family = Some(untyped);
                }
            }
        }
    }
    if let Some(done) = family {
        done.encode_to(&mut out);
    }
    out
}

/// A family read so far: its message, and the labels of the series it is adding to.
struct FamilyInProgress {
    message: MetricFamily,
    kind: MetricType,
    name: String,
    /// The label text of the last series, without `le` or `quantile`: the lines of one
    /// series share it, and comparing it spares parsing their labels again.
    current: Option<String>,
}

impl FamilyInProgress {
    fn new(name: &str, kind: &str, help: Option<String>) -> Self {
        let kind = match kind {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "summary" => MetricType::Summary,
            _ => MetricType::Untyped,
        };
        Self {
            message: MetricFamily {
                name: Some(name.to_owned()),
                help,
                r#type: Some(kind as i32),
                metric: Vec::new(),
            },
            kind,
            name: name.to_owned(),
            current: None,
        }
    }

    /// Whether a sample of this name belongs to the family.
    fn owns(&self, sample: &str) -> bool {
        match self.kind {
            MetricType::Histogram | MetricType::Summary => sample
                .strip_prefix(self.name.as_str())
                .is_some_and(|rest| matches!(rest, "" | "_bucket" | "_sum" | "_count")),
            _ => sample == self.name,
        }
    }

    fn add(&mut self, sample: Sample<'_>) {
        let suffix = &sample.name[self.name.len().min(sample.name.len())..];
        let special = match self.kind {
            MetricType::Histogram => "le",
            MetricType::Summary => "quantile",
            _ => "",
        };
        let (series, bound) = split_label(sample.labels, special);
        let new_series = match self.kind {
            MetricType::Histogram | MetricType::Summary => {
                self.current.as_deref() != Some(&*series) || self.message.metric.is_empty()
            }
            _ => true,
        };
        if new_series {
            let Some(labels) = parse_labels(&series) else {
                return;
            };
            self.message.metric.push(Metric {
                label: labels
                    .into_iter()
                    .map(|(name, value)| LabelPair {
                        name: Some(name),
                        value: Some(value),
                    })
                    .collect(),
                ..Metric::default()
            });
            self.current = Some(series.into_owned());
        }
        let Some(metric) = self.message.metric.last_mut() else {
            return;
        };
        let value = sample.value;
        let single = || Some(model::Value { value: Some(value) });
        match self.kind {
            MetricType::Counter => metric.counter = single(),
            MetricType::Gauge => metric.gauge = single(),
            MetricType::Untyped => metric.untyped = single(),
            MetricType::Histogram => {
                let histogram = metric.histogram.get_or_insert_with(Histogram::default);
                match (suffix, bound) {
                    // `+Inf` is implied by the count: Prometheus would read it twice.
                    ("_bucket", Some(bound)) if bound.is_finite() => {
                        histogram.bucket.push(Bucket {
                            cumulative_count: Some(value as u64),
                            upper_bound: Some(bound),
                        })
                    }
                    ("_sum", _) => histogram.sample_sum = Some(value),
                    ("_count", _) => histogram.sample_count = Some(value as u64),
                    _ => {}
                }
            }
            MetricType::Summary => {
                let summary = metric.summary.get_or_insert_with(model::Summary::default);
                match (suffix, bound) {
                    ("", Some(quantile)) => summary.quantile.push(model::Quantile {
                        quantile: Some(quantile),
                        value: Some(value),
                    }),
                    ("_sum", _) => summary.sample_sum = Some(value),
                    ("_count", _) => summary.sample_count = Some(value as u64),
                    _ => {}
                }
            }
        }
    }

    fn encode_to(self, out: &mut Vec<u8>) {
        if self.message.metric.is_empty() {
            return;
        }
        // Writing into a `Vec` cannot fail: it grows as needed.
        let _ = prost::Message::encode_length_delimited(&self.message, out);
    }
}

/// One sample line: `name{label="value",...} value`.
struct Sample<'a> {
    name: &'a str,
    /// The text between the braces, escaped as written.
    labels: &'a str,
    value: f64,
}

impl<'a> Sample<'a> {
    fn parse(line: &'a str) -> Option<Self> {
        let name_end = line.find(['{', ' '])?;
        let name = &line[..name_end];
        let (labels, rest) = match line[name_end..].strip_prefix('{') {
            Some(after) => {
                let end = labels_end(after)?;
                (&after[..end], &after[end + 1..])
            }
            None => ("", &line[name_end..]),
        };
        let value = rest.split_whitespace().next()?;
        Some(Self {
            name,
            labels,
            value: parse_value(value),
        })
    }
}

/// Where the label text that starts `text` ends: the `}` outside any quoted value.
fn labels_end(text: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (at, byte) in text.bytes().enumerate() {
        match (quoted, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (_, false, b'"') => quoted = !quoted,
            (false, _, b'}') => return Some(at),
            _ => {}
        }
    }
    None
}

/// The label text without the label `special` (`le`, `quantile`), and that label's value. The
/// writers put it last; it is looked for from the end.
fn split_label<'t>(labels: &'t str, special: &str) -> (std::borrow::Cow<'t, str>, Option<f64>) {
    if special.is_empty() {
        return (labels.into(), None);
    }
    // The last `special="` that starts a label: at the start, or after a comma. No pattern
    // is built: this runs for every bucket line.
    let start = labels
        .rmatch_indices(special)
        .map(|(at, _)| at)
        .find(|&at| {
            (at == 0 || labels.as_bytes()[at - 1] == b',')
                && labels[at + special.len()..].starts_with("=\"")
        });
    let Some(start) = start else {
        return (labels.into(), None);
    };
    let value_start = start + special.len() + 2;
    let Some(length) = labels[value_start..].find('"') else {
        return (labels.into(), None);
    };
    let bound = parse_value(&labels[value_start..value_start + length]);
    let end = value_start + length + 1;
    let before = labels[..start].trim_end_matches(',');
    let after = labels[end..].trim_start_matches(',');
    let rest = match (before.is_empty(), after.is_empty()) {
        (_, true) => before.into(),
        (true, false) => after.into(),
        (false, false) => format!("{before},{after}").into(),
    };
    (rest, Some(bound))
}

/// Label text, `name="value",...`, as pairs with their values unescaped.
fn parse_labels(mut rest: &str) -> Option<Vec<(String, String)>> {
    let mut labels = Vec::new();
    loop {
        rest = rest.trim_start_matches(',');
        if rest.trim().is_empty() {
            return Some(labels);
        }
        let (label, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            let (at, c) = chars.next()?;
            match c {
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                '"' => break at,
                c => value.push(c),
            }
        };
        labels.push((label.trim().to_owned(), value));
        rest = &after[end + 1..];
    }
}

fn parse_value(text: &str) -> f64 {
    match text {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

/// HELP text from the text format's escaping (`\\`, `\n`); any other backslash is itself.
fn unescape_help(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::BucketSpan;
    use prost::Message;

    /// A series' labels, as pairs.
    fn pairs(metric: &Metric) -> Vec<(&str, &str)> {
        metric.label.iter().map(|l| (l.name(), l.value())).collect()
    }

    /// A histogram's classic buckets, as (upper bound, cumulative count).
    fn classic(histogram: &Histogram) -> Vec<(f64, u64)> {
        histogram
            .bucket
            .iter()
            .map(|b| (b.upper_bound(), b.cumulative_count()))
            .collect()
    }

    fn decode(bytes: &[u8]) -> Vec<MetricFamily> {
        let mut bytes = bytes;
        let mut families = Vec::new();
        while !bytes.is_empty() {
            families.push(MetricFamily::decode_length_delimited(&mut bytes).unwrap());
        }
        families
    }

    #[test]
    fn every_kind_of_family_becomes_its_message() {
        let text = "\
# HELP calls_total Calls, by \\\"status\\\" \\\\ and\\nmore.
# TYPE calls_total counter
calls_total{status=\"ok\",note=\"a \\\"q\\\" \\\\ b\\nc ✓\"} 3
# TYPE in_flight gauge
in_flight -1.5
# TYPE latency_seconds histogram
latency_seconds_bucket{fn=\"a\",le=\"0.1\"} 1
latency_seconds_bucket{fn=\"a\",le=\"1\"} 2
latency_seconds_bucket{fn=\"a\",le=\"+Inf\"} 3
latency_seconds_sum{fn=\"a\"} 7.5
latency_seconds_count{fn=\"a\"} 3
latency_seconds_bucket{fn=\"b\",le=\"0.1\"} 0
latency_seconds_bucket{fn=\"b\",le=\"1\"} 0
latency_seconds_bucket{fn=\"b\",le=\"+Inf\"} 0
latency_seconds_sum{fn=\"b\"} 0
latency_seconds_count{fn=\"b\"} 0
# TYPE rpc summary
rpc{quantile=\"0.5\"} 0.2
rpc{quantile=\"0.99\"} NaN
rpc_sum 4
rpc_count 9
orphan_value{x=\"y\"} +Inf
";
        let families = decode(&from_text(text));
        let names: Vec<_> = families.iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [
                "calls_total",
                "in_flight",
                "latency_seconds",
                "rpc",
                "orphan_value"
            ]
        );
        let calls = &families[0];
        assert_eq!(calls.help(), "Calls, by \\\"status\\\" \\ and\nmore.");
        assert_eq!(calls.r#type(), MetricType::Counter);
        assert_eq!(
            pairs(&calls.metric[0]),
            [("status", "ok"), ("note", "a \"q\" \\ b\nc ✓")]
        );
        assert_eq!(calls.metric[0].counter.as_ref().unwrap().value(), 3.0);
        assert_eq!(families[1].metric[0].gauge.as_ref().unwrap().value(), -1.5);
        let latency = &families[2];
        assert_eq!(latency.metric.len(), 2);
        let a = latency.metric[0].histogram.as_ref().unwrap();
        assert_eq!(
            classic(a),
            [(0.1, 1), (1.0, 2)],
            "+Inf is left to the count"
        );
        assert_eq!((a.sample_count(), a.sample_sum()), (3, 7.5));
        assert_eq!(a.schema, None, "no native buckets in the text format");
        let rpc = families[3].metric[0].summary.as_ref().unwrap();
        assert_eq!((rpc.sample_count(), rpc.sample_sum()), (9, 4.0));
        assert_eq!(rpc.quantile.len(), 2);
        assert!(rpc.quantile[1].value().is_nan());
        assert_eq!(families[4].r#type(), MetricType::Untyped);
        assert_eq!(
            families[4].metric[0].untyped.as_ref().unwrap().value(),
            f64::INFINITY
        );
    }

    #[test]
    fn the_encoder_writes_every_kind_and_leaves_out_families_without_series() {
        use crate::exposition::{HistogramValue, OwnLabels};
        let globals = vec![
            ("region".to_owned(), "eu".to_owned()),
            ("fn".to_owned(), "global".to_owned()),
        ];
        let own = [("fn", "a \"q\" ✓")];
        let labels = Labels::new(&globals, OwnLabels::Borrowed(&own));
        let mut encoder = ProtobufEncoder::default();
        encoder.family("calls_total", Some("Calls, \\ and\nmore."), Kind::Counter);
        encoder.counter(&labels, Number::Integer(3), None);
        encoder.counter(
            &Labels::new(&[], OwnLabels::Borrowed(&[])),
            Number::Float(0.5),
            None,
        );
        encoder.family("empty", None, Kind::Gauge);
        encoder.family("in_flight", None, Kind::Gauge);
        encoder.gauge(&labels, -1.5);
        encoder.family("latency_seconds", Some("Latency."), Kind::Histogram);
        let native = NativeSnapshot {
            schema: 3,
            zero_threshold: 0.25,
            zero_count: 1,
            positive: vec![(-3, 1), (4, 2), (5, 7)],
            negative: vec![(0, 4)],
        };
        encoder.histogram(
            &labels,
            &HistogramValue {
                bounds: &[0.1, 1.0],
                counts: &[1, 1, 13],
                sum: 7.5,
                exemplar: &|_| None,
                native: Some(&native),
            },
        );
        encoder.histogram(
            &labels,
            &HistogramValue {
                bounds: &[0.1, 1.0],
                counts: &[0, 0, 0],
                sum: 0.0,
                exemplar: &|_| None,
                native: None,
            },
        );
        let families = decode(&encoder.finish());
        let names: Vec<_> = families.iter().map(|f| f.name()).collect();
        assert_eq!(names, ["calls_total", "in_flight", "latency_seconds"]);
        let calls = &families[0];
        assert_eq!(calls.help(), "Calls, \\ and\nmore.");
        assert_eq!(calls.r#type(), MetricType::Counter);
        assert_eq!(
            pairs(&calls.metric[0]),
            [("region", "eu"), ("fn", "a \"q\" ✓")],
            "globals first, but not one the series has itself"
        );
        assert_eq!(calls.metric[0].counter.as_ref().unwrap().value(), 3.0);
        assert!(calls.metric[1].label.is_empty());
        assert_eq!(calls.metric[1].counter.as_ref().unwrap().value(), 0.5);
        assert_eq!(families[1].r#type(), MetricType::Gauge);
        assert_eq!(families[1].help, None);
        assert_eq!(families[1].metric[0].gauge.as_ref().unwrap().value(), -1.5);
        let latency = &families[2];
        assert_eq!(latency.r#type(), MetricType::Histogram);
        let a = latency.metric[0].histogram.as_ref().unwrap();
        assert_eq!(
            classic(a),
            [(0.1, 1), (1.0, 2)],
            "cumulative; +Inf is left to the count"
        );
        assert_eq!((a.sample_count(), a.sample_sum()), (15, 7.5));
        assert_eq!(
            (a.schema(), a.zero_threshold(), a.zero_count()),
            (3, 0.25, 1)
        );
        let spans = |spans: &[BucketSpan]| -> Vec<(i32, u32)> {
            spans.iter().map(|s| (s.offset(), s.length())).collect()
        };
        assert_eq!(spans(&a.positive_span), [(-3, 1), (6, 2)]);
        assert_eq!(a.positive_delta, [1, 1, 5]);
        assert_eq!(spans(&a.negative_span), [(0, 1)]);
        assert_eq!(a.negative_delta, [4]);
        let b = latency.metric[1].histogram.as_ref().unwrap();
        assert_eq!((b.sample_count(), b.schema), (0, None));
    }

    #[test]
    fn the_bound_label_is_found_wherever_it_is() {
        let split = |labels, special| {
            let (rest, bound) = split_label(labels, special);
            (rest.into_owned(), bound)
        };
        assert_eq!(
            split("a=\"x\",le=\"0.5\"", "le"),
            ("a=\"x\"".into(), Some(0.5))
        );
        assert_eq!(
            split("le=\"+Inf\"", "le"),
            (String::new(), Some(f64::INFINITY))
        );
        assert_eq!(
            split("le=\"1\",a=\"x\"", "le"),
            ("a=\"x\"".into(), Some(1.0))
        );
        assert_eq!(
            split("a=\"v,le=\\\"9\\\"\",le=\"2\"", "le"),
            ("a=\"v,le=\\\"9\\\"\"".into(), Some(2.0)),
            "a value that looks like the label"
        );
        assert_eq!(split("a=\"x\"", "le"), ("a=\"x\"".into(), None));
        assert_eq!(labels_end("a=\"}\\\"}\"} 1"), Some(8));
        assert_eq!(
            parse_labels("a=\"q\\\"\\\\\\n\",b=\"\""),
            Some(vec![
                ("a".into(), "q\"\\\n".into()),
                ("b".into(), String::new())
            ])
        );
    }
}
