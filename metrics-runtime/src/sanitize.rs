//! Names, label names and texts of other `metrics` users, made valid for the exposition before
//! their series reach `metrics-exporter-prometheus`.
//!
//! The exporter's `formatting` module does most of the work, and its functions are used here:
//! `sanitize_metric_name` and `sanitize_label_key` replace every character Prometheus does not
//! allow with `_`, and its writer escapes label values and HELP texts. It does so when it
//! renders, though, so two spellings of one series (`a.b` and `a_b`) stay two keys of its
//! registry and print as two identical lines, and a few inputs still come out invalid. This
//! module rewrites the key once, at registration, so that what the exporter stores is what it
//! prints:
//!
//! - metric names: the exporter's sanitising, then `:` becomes `_` too (colons are reserved for
//!   recording rules, and `promtool` flags them); an empty name is refused;
//! - label names: the exporter's sanitising, then a leading `__` (reserved for Prometheus;
//!   `__name__` breaks the scrape, Python's parser rejects any of them) becomes `_`; an empty
//!   name is refused, and so is a histogram's own `le` label, which its buckets need;
//! - label names equal once sanitised (`service.name` and `service_name`, or one name given
//!   twice) become one label whose values are joined with `;` in the order of the original
//!   names, the rule OpenTelemetry's Prometheus compatibility specification sets;
//! - backslashes in label values and HELP texts are doubled, because the exporter's escaper
//!   reads `\\` as a backslash already escaped: doubled, every backslash prints as one escaped
//!   backslash, so values round-trip exactly and two values never print the same.

use std::borrow::Cow;

use metrics::{Key, Label};
use metrics_exporter_prometheus::formatting::{sanitize_label_key, sanitize_metric_name};

use crate::registry::Kind;

/// Why a series of another `metrics` user was refused: its handle records nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Refusal {
    /// The name, or a sample name its family would print, is a family of this crate.
    OwnFamily,
    /// Another user registered the name, or a sample name its family would print, with another
    /// kind first.
    KindConflict,
    /// The metric name is empty.
    EmptyName,
    /// A label name is empty, or a histogram has a label `le` of its own.
    InvalidLabel,
}

impl Refusal {
    /// The value of the `reason` label of the counter of refused series.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Refusal::OwnFamily => "metrics_runtime_family",
            Refusal::KindConflict => "kind_conflict",
            Refusal::EmptyName => "empty_name",
            Refusal::InvalidLabel => "invalid_label",
        }
    }

    /// Why, for the warning.
    pub(crate) fn explanation(self) -> &'static str {
        match self {
            Refusal::OwnFamily => {
                "the name belongs to a family metrics-runtime writes itself, whose series are \
                 only those of #[monitored], #[tool_call], track(), #[derive(Metrics)] groups and the \
                 exporter; another \
                 writer would change its counts or print the family twice"
            }
            Refusal::KindConflict => {
                "another `metrics` user registered this name, or a sample name its family \
                 prints, first with another kind; a name has one type in the exposition"
            }
            Refusal::EmptyName => "a metric needs a name",
            Refusal::InvalidLabel => {
                "a label has an empty name, or a histogram has a label `le` of its own, which \
                 its buckets need"
            }
        }
    }
}

/// A metric name as the exposition may print it; empty when `name` is empty.
pub(crate) fn metric_name(name: &str) -> Cow<'_, str> {
    // Bytes, not chars: any non-ASCII byte fails the test, as any non-ASCII char would.
    let valid = name
        .bytes()
        .enumerate()
        .all(|(i, b)| b.is_ascii_alphabetic() || b == b'_' || (i > 0 && b.is_ascii_digit()));
    if valid {
        return name.into();
    }
    sanitize_metric_name(name).replace(':', "_").into()
}

fn valid_label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.starts_with("__")
}

/// A label name as the exposition may print it; empty when `name` is empty.
pub(crate) fn label_name(name: &str) -> Cow<'_, str> {
    if name.is_empty() || valid_label_name(name) {
        return name.into();
    }
    let sanitized = sanitize_label_key(name);
    match sanitized.strip_prefix("__") {
        Some(rest) => format!("_{}", rest.trim_start_matches('_')).into(),
        None => sanitized.into(),
    }
}

/// A label value or HELP text prepared for the exporter's escaper: backslashes doubled.
pub(crate) fn keep_backslashes(text: &str) -> Cow<'_, str> {
    if text.contains('\\') {
        text.replace('\\', "\\\\").into()
    } else {
        text.into()
    }
}

/// The labels of a key whose names are one once sanitised.
struct MergedLabel<'k> {
    /// The sanitised name.
    name: String,
    /// Each original name and its value, prepared for the exporter's escaper.
    values: Vec<(&'k str, Cow<'k, str>)>,
}

/// The key of another user's series as the fallback exporter should store it, or why it is
/// refused. `claim` is asked for the sanitised name once the key's own checks pass, before
/// any label is rewritten, so a refused name costs no allocation. Borrows `key` when it is
/// valid as it is, which is the common case.
pub(crate) fn foreign_key(
    key: &Key,
    kind: Kind,
    claim: impl FnOnce(&str) -> Result<(), Refusal>,
) -> Result<Cow<'_, Key>, Refusal> {
    let name = metric_name(key.name());
    if name.is_empty() {
        return Err(Refusal::EmptyName);
    }
    let labels = key.labels().as_slice();
    let mut canonical = matches!(name, Cow::Borrowed(_));
    for (i, label) in labels.iter().enumerate() {
        // Only `le` itself sanitises to `le`: a rewritten name holds a `_`.
        if label.key().is_empty() || (kind == Kind::Histogram && label.key() == "le") {
            return Err(Refusal::InvalidLabel);
        }
        canonical &= valid_label_name(label.key())
            && !label.value().contains('\\')
            && !labels[..i].iter().any(|other| other.key() == label.key());
    }
    claim(&name)?;
    if canonical {
        return Ok(Cow::Borrowed(key));
    }

    let sanitized: Vec<Cow<'_, str>> = labels.iter().map(|l| label_name(l.key())).collect();
    let distinct = sanitized
        .iter()
        .enumerate()
        .all(|(i, name)| !sanitized[..i].contains(name));
    if distinct {
        let labels = sanitized
            .into_iter()
            .zip(labels)
            .map(|(name, label)| {
                Label::new(
                    name.into_owned(),
                    keep_backslashes(label.value()).into_owned(),
                )
            })
            .collect::<Vec<_>>();
        return Ok(Cow::Owned(Key::from_parts(name.into_owned(), labels)));
    }

    let mut merged: Vec<MergedLabel<'_>> = Vec::with_capacity(labels.len());
    for (sanitized, label) in sanitized.into_iter().zip(labels) {
        let value = (label.key(), keep_backslashes(label.value()));
        match merged.iter_mut().find(|merged| merged.name == sanitized) {
            Some(merged) => merged.values.push(value),
            None => merged.push(MergedLabel {
                name: sanitized.into_owned(),
                values: vec![value],
            }),
        }
    }
    let labels = merged
        .into_iter()
        .map(|mut merged| {
            // Stable: one name given twice keeps the order of its values.
            merged.values.sort_by(|a, b| a.0.cmp(b.0));
            let joined = merged
                .values
                .iter()
                .map(|(_, value)| value.as_ref())
                .collect::<Vec<_>>()
                .join(";");
            Label::new(merged.name, joined)
        })
        .collect::<Vec<_>>();
    Ok(Cow::Owned(Key::from_parts(name.into_owned(), labels)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use metrics_exporter_prometheus::formatting::{sanitize_description, sanitize_label_value};

    fn key(name: &'static str, labels: &[(&'static str, &'static str)]) -> Key {
        let labels = labels
            .iter()
            .map(|&(k, v)| Label::from_static_parts(k, v))
            .collect::<Vec<_>>();
        Key::from_parts(name, labels)
    }

    fn admit_all(_: &str) -> Result<(), Refusal> {
        Ok(())
    }

    fn parts(key: &Key) -> (String, Vec<(String, String)>) {
        let labels = key
            .labels()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        (key.name().to_owned(), labels)
    }

    #[test]
    fn metric_names_follow_the_exporter_and_lose_their_colons() {
        assert!(matches!(
            metric_name("jobs_total"),
            Cow::Borrowed("jobs_total")
        ));
        assert_eq!(metric_name("function.calls.total"), "function_calls_total");
        assert_eq!(metric_name("a-b:c_total"), "a_b_c_total");
        assert_eq!(metric_name("9lives"), "_lives");
        assert_eq!(metric_name("zähler"), "z_hler");
        assert_eq!(metric_name(""), "");
    }

    #[test]
    fn label_names_are_sanitised_and_never_reserved() {
        assert!(matches!(label_name("region"), Cow::Borrowed("region")));
        assert_eq!(label_name("service.name"), "service_name");
        assert_eq!(label_name("9th"), "_th");
        assert_eq!(label_name("__name__"), "_name__");
        assert_eq!(label_name("___x"), "_x");
        assert_eq!(label_name("__"), "_");
        assert_eq!(label_name("_private"), "_private");
    }

    #[test]
    fn valid_keys_are_borrowed() {
        let valid = key("jobs_total", &[("queue", "mail"), ("team", "a")]);
        assert!(matches!(
            foreign_key(&valid, Kind::Counter, admit_all),
            Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn colliding_label_names_join_their_values_in_the_order_of_the_original_names() {
        let dotted = key(
            "function.calls.total",
            &[
                ("service.name", "svc"),
                ("a_b", "2"),
                ("a.b", "1"),
                ("x", "p"),
                ("x", "q"),
            ],
        );
        let (name, labels) = parts(&foreign_key(&dotted, Kind::Counter, admit_all).unwrap());
        assert_eq!(name, "function_calls_total");
        assert_eq!(
            labels,
            [
                ("service_name".to_owned(), "svc".to_owned()),
                ("a_b".to_owned(), "1;2".to_owned()),
                ("x".to_owned(), "p;q".to_owned()),
            ]
        );
    }

    #[test]
    fn rewritten_label_names_keep_their_order_and_values() {
        let dotted = key("jobs.total", &[("service.name", "a\\b"), ("z", "1")]);
        let (name, labels) = parts(&foreign_key(&dotted, Kind::Counter, admit_all).unwrap());
        assert_eq!(name, "jobs_total");
        assert_eq!(
            labels,
            [
                ("service_name".to_owned(), "a\\\\b".to_owned()),
                ("z".to_owned(), "1".to_owned()),
            ]
        );
    }

    #[test]
    fn the_claim_sees_the_sanitised_name_and_its_refusal_wins() {
        let dotted = key("jobs.total", &[("service.name", "a")]);
        let mut seen = String::new();
        let refused = foreign_key(&dotted, Kind::Counter, |name| {
            seen = name.to_owned();
            Err(Refusal::KindConflict)
        });
        assert_eq!(refused, Err(Refusal::KindConflict));
        assert_eq!(seen, "jobs_total");
    }

    #[test]
    fn empty_names_and_a_histograms_own_le_are_refused() {
        assert_eq!(
            foreign_key(&key("", &[]), Kind::Counter, admit_all),
            Err(Refusal::EmptyName)
        );
        assert_eq!(
            foreign_key(&key("x_total", &[("", "v")]), Kind::Counter, admit_all),
            Err(Refusal::InvalidLabel)
        );
        assert_eq!(
            foreign_key(
                &key("x_seconds", &[("le", "1")]),
                Kind::Histogram,
                admit_all
            ),
            Err(Refusal::InvalidLabel)
        );
        assert!(foreign_key(&key("x_total", &[("le", "1")]), Kind::Counter, admit_all).is_ok());
    }

    /// Pins the behaviour of the exporter's escaper that doubling relies on: after
    /// `keep_backslashes`, it escapes exactly as the exposition format says, so a change in a
    /// new version of the exporter fails here.
    #[test]
    fn doubled_backslashes_make_the_exporters_escaping_exact() {
        let exact = |text: &str, escape_quotes: bool| {
            let mut out = String::new();
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' if escape_quotes => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out
        };
        for text in [
            "plain",
            "a\\b",
            "a\\\\b",
            "\\\"",
            "\\n is not a newline",
            "ends with \\",
            "\\\\\\",
            "q\"uote\nnewline",
        ] {
            assert_eq!(
                sanitize_label_value(&keep_backslashes(text)),
                exact(text, true),
                "{text:?}"
            );
            assert_eq!(
                sanitize_description(&keep_backslashes(text)),
                exact(text, false),
                "{text:?}"
            );
        }
        let (_, labels) = parts(
            &foreign_key(
                &key("x_total", &[("v", "a\\\\b")]),
                Kind::Counter,
                admit_all,
            )
            .unwrap(),
        );
        assert_eq!(labels[0].1, "a\\\\\\\\b");
    }
}
