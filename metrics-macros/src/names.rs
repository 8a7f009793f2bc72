//! Name rules shared by the checks and the derives.

/// `PascalCase` or `camelCase` to `snake_case`: `TeamPro` → `team_pro`, `HTTPError` →
/// `http_error`, `Io2Error` → `io2_error`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.trim_start_matches("r#").chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &ch) in chars.iter().enumerate() {
        if ch.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None | Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                // The last capital of an acronym starts a new word: `HTTPError`.
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                Some(_) => false,
            };
            if boundary {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`, the label name rule of Prometheus.
pub(crate) fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`, the metric name rule of Prometheus.
pub(crate) fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A `SCREAMING_SNAKE_CASE` identifier, what a `const` is named.
pub(crate) fn is_const_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The candidate closest to `given`, if it is close enough to be a typo of it.
pub(crate) fn closest<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(given, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words_and_acronyms() {
        for (given, expected) in [
            ("Timeout", "timeout"),
            ("TeamPro", "team_pro"),
            ("HTTPError", "http_error"),
            ("IoError", "io_error"),
            ("Io2Error", "io2_error"),
            ("already_snake", "already_snake"),
            ("r#Type", "type"),
            ("ABC", "abc"),
        ] {
            assert_eq!(snake_case(given), expected, "{given}");
        }
    }

    #[test]
    fn name_rules() {
        assert!(
            is_label_name("_a1")
                && !is_label_name("1a")
                && !is_label_name("a-b")
                && !is_label_name("")
        );
        assert!(is_metric_name("a:b_c") && !is_metric_name("a.b"));
        assert!(is_const_name("AGENT_2") && !is_const_name("agent") && !is_const_name("_"));
    }

    #[test]
    fn typos_find_their_key() {
        let keys = ["name", "labels", "buckets", "crate"];
        assert_eq!(closest("nmae", &keys), Some("name"));
        assert_eq!(closest("bucket", &keys), Some("buckets"));
        assert_eq!(closest("label", &keys), Some("labels"));
        assert_eq!(closest("zzz", &keys), None);
    }
}
