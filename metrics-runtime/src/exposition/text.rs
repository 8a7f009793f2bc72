//! The Prometheus text format, 0.0.4: the writer of this crate's own families.

use std::fmt::Write as _;

use super::{Encoder, Exemplar, HistogramValue, Labels, Number};
use crate::registry::Kind;

/// The `Content-Type` of the text format.
pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A float in Prometheus' spelling (`+Inf`, `-Inf`, `NaN`).
pub(crate) struct Float(pub f64);

impl std::fmt::Display for Float {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            v if v.is_nan() => f.write_str("NaN"),
            v if v == f64::INFINITY => f.write_str("+Inf"),
            v if v == f64::NEG_INFINITY => f.write_str("-Inf"),
            v => write!(f, "{v}"),
        }
    }
}

/// The text format's encoder; with `exemplars`, sample lines end with their exemplars as
/// OpenMetrics writes them (the OpenMetrics exposition is made from this one's output).
pub(crate) struct TextEncoder<'o> {
    out: &'o mut String,
    exemplars: bool,
    /// The name of the family being written.
    name: String,
    /// A series' label block when it has to be put together.
    block: String,
    /// The bounds of the last histogram and their text, kept while histograms share bounds.
    les: (Vec<f64>, Vec<String>),
}

impl<'o> TextEncoder<'o> {
    pub(crate) fn new(out: &'o mut String, exemplars: bool) -> Self {
        Self {
            out,
            exemplars,
            name: String::new(),
            block: String::new(),
            les: (Vec::new(), Vec::new()),
        }
    }
}

/// The label block of a series, `key="value",...`: the series' own text as the registry keeps
/// it when there is nothing to add, else put together in `scratch`.
fn label_block<'s>(scratch: &'s mut String, labels: &'s Labels<'_>) -> &'s str {
    let mut globals = labels.globals().peekable();
    let own_text = labels.written.map(|written| {
        &**written.text.get_or_init(|| {
            let mut own = String::new();
            write_labels(&mut own, labels.own.iter());
            own.into()
        })
    });
    match own_text {
        Some(own) if globals.peek().is_none() => own,
        Some(own) => {
            scratch.clear();
            write_labels(scratch, globals);
            if !own.is_empty() {
                scratch.push(',');
                scratch.push_str(own);
            }
            scratch
        }
        None => {
            scratch.clear();
            write_labels(scratch, labels.pairs());
            scratch
        }
    }
}

/// Ends the line just written with `exemplar`, as OpenMetrics writes it.
fn end_line(out: &mut String, exemplar: Exemplar) {
    #[cfg(feature = "exemplars")]
    exemplar.end_line(out);
    #[cfg(not(feature = "exemplars"))]
    match (exemplar, out) {}
}

impl Encoder for TextEncoder<'_> {
    const NATIVE: bool = false;

    fn exemplars(&self) -> bool {
        self.exemplars
    }

    fn family(&mut self, name: &str, help: Option<&str>, kind: Kind) {
        if let Some(help) = help {
            let _ = writeln!(self.out, "# HELP {name} {}", escape_help(help));
        }
        let _ = writeln!(self.out, "# TYPE {name} {}", kind.as_str());
        self.name.clear();
        self.name.push_str(name);
    }

    fn counter(&mut self, labels: &Labels<'_>, value: Number, exemplar: Option<Exemplar>) {
        let block = label_block(&mut self.block, labels);
        match value {
            Number::Integer(value) => write_sample(self.out, &self.name, "", block, None, value),
            Number::Float(value) => {
                write_sample(self.out, &self.name, "", block, None, Float(value))
            }
        }
        if let Some(exemplar) = exemplar {
            end_line(self.out, exemplar);
        }
    }

    fn gauge(&mut self, labels: &Labels<'_>, value: f64) {
        let block = label_block(&mut self.block, labels);
        write_sample(self.out, &self.name, "", block, None, Float(value));
    }

    fn histogram(&mut self, labels: &Labels<'_>, histogram: &HistogramValue<'_>) {
        if self.les.0[..] != histogram.bounds[..] {
            self.les.0 = histogram.bounds.to_vec();
            self.les.1 = self.les.0.iter().map(|b| Float(*b).to_string()).collect();
        }
        let block = label_block(&mut self.block, labels);
        let exemplars = self.exemplars;
        write_histogram(
            self.out,
            &self.name,
            block,
            &self.les.1,
            histogram.counts,
            histogram.sum,
            |bucket, out| {
                if let Some(exemplar) = exemplars.then(|| (histogram.exemplar)(bucket)).flatten() {
                    end_line(out, exemplar);
                }
            },
        );
    }
}

/// Writes one sample line; `labels` is the series' label block, `key="value",...`.
pub(crate) fn write_sample(
    out: &mut String,
    name: &str,
    suffix: &str,
    labels: &str,
    le: Option<&str>,
    value: impl SampleValue,
) {
    out.push_str(name);
    out.push_str(suffix);
    if !labels.is_empty() || le.is_some() {
        out.push('{');
        out.push_str(labels);
        if let Some(le) = le {
            if !labels.is_empty() {
                out.push(',');
            }
            out.push_str("le=\"");
            out.push_str(le);
            out.push('"');
        }
        out.push('}');
    }
    out.push(' ');
    value.write_to(out);
    out.push('\n');
}

/// Writes one histogram series from its bucket counts (not cumulative, `+Inf` last): the
/// cumulative `_bucket` lines (`les` holds the bounds as text), `_sum` and `_count`.
/// `exemplar(bucket, out)` may end a bucket's line with an exemplar (OpenMetrics only).
pub(crate) fn write_histogram(
    out: &mut String,
    name: &str,
    labels: &str,
    les: &[String],
    counts: &[u64],
    sum: f64,
    mut exemplar: impl FnMut(usize, &mut String),
) {
    let mut running = 0u64;
    for (bucket, (le, count)) in les.iter().zip(counts).enumerate() {
        running = running.wrapping_add(*count);
        write_sample(out, name, "_bucket", labels, Some(le), running);
        exemplar(bucket, out);
    }
    let count = running.wrapping_add(counts.last().copied().unwrap_or(0));
    write_sample(out, name, "_bucket", labels, Some("+Inf"), count);
    exemplar(les.len(), out);
    write_sample(out, name, "_sum", labels, None, Float(sum));
    write_sample(out, name, "_count", labels, None, count);
}

/// A sample value as the exposition writes it.
pub(crate) trait SampleValue {
    fn write_to(self, out: &mut String);
}

impl SampleValue for u64 {
    /// Digits by hand: most lines are integer counts, and `fmt` costs more than the rest of
    /// the line.
    #[inline]
    fn write_to(mut self, out: &mut String) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (self % 10) as u8;
            self /= 10;
            if self == 0 {
                break;
            }
        }
        // The bytes are ASCII digits.
        out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or("0"));
    }
}

impl SampleValue for &u64 {
    #[inline]
    fn write_to(self, out: &mut String) {
        (*self).write_to(out);
    }
}

impl SampleValue for i32 {
    fn write_to(self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl SampleValue for Float {
    fn write_to(self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

/// Appends `key="value"` pairs, comma-separated, with values escaped.
pub(crate) fn write_labels<'a>(out: &mut String, labels: impl Iterator<Item = (&'a str, &'a str)>) {
    for (key, value) in labels {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(key);
        out.push_str("=\"");
        out.push_str(&escape_label_value(value));
        out.push('"');
    }
}

/// Escapes a label value: backslash, double quote and line feed.
pub(crate) fn escape_label_value(value: &str) -> std::borrow::Cow<'_, str> {
    if !value.contains(['\\', '"', '\n']) {
        return value.into();
    }
    let mut escaped = String::with_capacity(value.len() + 8);
    for ch in value.chars() {
        match ch {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            ch => escaped.push(ch),
        }
    }
    escaped.into()
}

/// Escapes a HELP text: backslash and line feed.
pub(crate) fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}
