//! OpenMetrics 1.0 text, made from the text format's exposition (this crate's families and
//! the other `metrics` users' alike): the two share samples and label escaping, and differ in
//! family metadata and the end marker.
//!
//! - A counter's family is named without `_total` (its samples keep it). A counter whose name
//!   lacks `_total`, or whose name without it is another family's, is exposed as `unknown`, so
//!   its series keep the name they have in the text format.
//! - `untyped` is `unknown`.
//! - HELP escapes double quotes too.
//! - Families named after a base unit (`_seconds`, `_bytes`) state it with `# UNIT`.
//! - The exposition ends with `# EOF`.

/// The `Content-Type` of OpenMetrics 1.0 text.
pub(crate) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// `text`, an exposition in the text format as this crate renders it, as OpenMetrics.
pub(crate) fn from_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32 + 8);
    // The text format's family names: a counter `x_total` stays `unknown` when `x` is one.
    // Real line feeds only end lines (label values escape theirs), so a `# TYPE ` at the
    // start of the text or after one is a TYPE line.
    let families: std::collections::HashSet<&str> =
        memchr::memmem::find_iter(text.as_bytes(), "# TYPE ")
            .filter(|&at| at == 0 || text.as_bytes()[at - 1] == b'\n')
            .map(|at| {
                let rest = &text[at + "# TYPE ".len()..];
                &rest[..rest.find([' ', '\n']).unwrap_or(rest.len())]
            })
            .collect();
    // A HELP line waits for its family's TYPE line, which decides the family's name.
    let mut help: Option<(&str, &str)> = None;
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with('\n') {
            // Blank lines are not allowed in OpenMetrics.
            rest = &rest[1..];
            continue;
        }
        if !rest.starts_with('#') {
            // A run of sample lines, copied at once: they are the same in both formats.
            // memchr's substring search: `str::find` with a string pattern costs more than
            // the rest of the conversion.
            let comment = memchr::memmem::find(rest.as_bytes(), b"\n#").map(|at| at + 1);
            let scope = &rest.as_bytes()[..comment.unwrap_or(rest.len())];
            let end = memchr::memmem::find(scope, b"\n\n")
                .map(|at| at + 1)
                .or(comment)
                .unwrap_or(rest.len());
            flush_help(&mut out, help.take());
            out.push_str(&rest[..end]);
            if !out.ends_with('\n') {
                out.push('\n');
            }
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('\n').map_or(rest.len(), |at| at + 1);
        let line = rest[..end].trim_end_matches('\n');
        rest = &rest[end..];
        if let Some(header) = line.strip_prefix("# HELP ") {
            flush_help(&mut out, help.take());
            let (name, escaped) = header.split_once(' ').unwrap_or((header, ""));
            help = Some((name, escaped));
        } else if let Some(header) = line.strip_prefix("# TYPE ") {
            let (name, kind) = header.split_once(' ').unwrap_or((header, "unknown"));
            let (family, kind) = match kind {
                "counter" => match name.strip_suffix("_total") {
                    Some(base) if !families.contains(base) => (base, "counter"),
                    _ => (name, "unknown"),
                },
                "untyped" => (name, "unknown"),
                other => (name, other),
            };
            match help.take() {
                Some((help_name, escaped)) if help_name == name => {
                    write_help(&mut out, family, escaped);
                }
                other => flush_help(&mut out, other),
            }
            out.push_str("# TYPE ");
            out.push_str(family);
            out.push(' ');
            out.push_str(kind);
            out.push('\n');
            if let Some(unit) = ["seconds", "bytes"]
                .into_iter()
                .find(|unit| family.strip_suffix(unit).is_some_and(|b| b.ends_with('_')))
            {
                out.push_str("# UNIT ");
                out.push_str(family);
                out.push(' ');
                out.push_str(unit);
                out.push('\n');
            }
        }
        // Other comments are not allowed in OpenMetrics.
    }
    flush_help(&mut out, help.take());
    out.push_str("# EOF\n");
    out
}

/// A HELP line with no TYPE line after it: kept, under its own name.
fn flush_help(out: &mut String, help: Option<(&str, &str)>) {
    if let Some((name, escaped)) = help {
        write_help(out, name, escaped);
    }
}

/// Writes `# HELP family text`, from text-format escaping (`\\`, `\n`) to OpenMetrics'
/// (which also escapes `"`).
fn write_help(out: &mut String, family: &str, escaped: &str) {
    out.push_str("# HELP ");
    out.push_str(family);
    out.push(' ');
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push_str("\\n"),
                Some('\\') => out.push_str("\\\\"),
                // A lone backslash, as the text format reads it.
                Some(other) => {
                    out.push_str("\\\\");
                    if other == '"' {
                        out.push_str("\\\"");
                    } else {
                        out.push(other);
                    }
                }
                None => out.push_str("\\\\"),
            },
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::from_text;

    #[test]
    fn blank_lines_label_text_and_a_missing_last_line_feed() {
        let text = "\
# TYPE a_total counter
a_total{v=\"x\\n# TYPE a gauge\"} 1

a_total{v=\"y\"} 2


# TYPE b gauge
b 3";
        let expected = "\
# TYPE a counter
a_total{v=\"x\\n# TYPE a gauge\"} 1
a_total{v=\"y\"} 2
# TYPE b gauge
b 3
# EOF
";
        assert_eq!(from_text(text), expected);
        assert_eq!(from_text(""), "# EOF\n");
    }

    #[test]
    fn families_units_help_and_eof() {
        let text = "\
# HELP function_calls_total Calls, \"quoted\", a \\\\ backslash\\nand a newline.
# TYPE function_calls_total counter
function_calls_total{function=\"f\",status=\"ok\"} 3
# HELP function_call_duration_seconds Duration.
# TYPE function_call_duration_seconds histogram
function_call_duration_seconds_bucket{le=\"0.5\"} 1
function_call_duration_seconds_bucket{le=\"+Inf\"} 1
function_call_duration_seconds_sum 0.25
function_call_duration_seconds_count 1
# TYPE jobs counter
jobs 4
# TYPE legacy untyped
legacy 1
# TYPE queue_total counter
queue_total 2
# TYPE queue gauge
queue 5
# HELP process_resident_memory_bytes Resident memory.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1024

";
        let expected = "\
# HELP function_calls Calls, \\\"quoted\\\", a \\\\ backslash\\nand a newline.
# TYPE function_calls counter
function_calls_total{function=\"f\",status=\"ok\"} 3
# HELP function_call_duration_seconds Duration.
# TYPE function_call_duration_seconds histogram
# UNIT function_call_duration_seconds seconds
function_call_duration_seconds_bucket{le=\"0.5\"} 1
function_call_duration_seconds_bucket{le=\"+Inf\"} 1
function_call_duration_seconds_sum 0.25
function_call_duration_seconds_count 1
# TYPE jobs unknown
jobs 4
# TYPE legacy unknown
legacy 1
# TYPE queue_total unknown
queue_total 2
# TYPE queue gauge
queue 5
# HELP process_resident_memory_bytes Resident memory.
# TYPE process_resident_memory_bytes gauge
# UNIT process_resident_memory_bytes bytes
process_resident_memory_bytes 1024
# EOF
";
        assert_eq!(from_text(text), expected);
    }
}
