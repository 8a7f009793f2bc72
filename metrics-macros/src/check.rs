//! Every semantic check of the attribute's arguments and of the item it is on, in one place,
//! before any code is generated. All mistakes of one attribute are collected and reported
//! together, each at its own token.

use std::collections::BTreeMap;

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, FnArg, Lit, LitStr, Pat, Path, Type, UnOp};

use crate::args::{Arg, ArgValue, Args, LabelArg};
use crate::names::{closest, is_const_name, is_label_name, is_metric_name};

/// Which attribute is being expanded; everything that differs between the two lives here.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Preset {
    Monitored,
    ToolCall,
}

impl Preset {
    pub fn attribute(self) -> &'static str {
        match self {
            Preset::Monitored => "#[monitored]",
            Preset::ToolCall => "#[tool_call]",
        }
    }

    pub(crate) fn keys(self) -> &'static [&'static str] {
        match self {
            Preset::Monitored => &[
                "name",
                "labels",
                "buckets",
                "histogram",
                "objective",
                "crate",
            ],
            Preset::ToolCall => &[
                "tool",
                "server",
                "labels",
                "buckets",
                "histogram",
                "objective",
                "crate",
            ],
        }
    }

    /// Labels the attribute writes itself, in the order they appear on a series.
    pub fn identity_labels(self) -> [&'static str; 2] {
        match self {
            Preset::Monitored => ["function", "module"],
            Preset::ToolCall => ["server", "tool"],
        }
    }

    fn generated_labels(self) -> impl Iterator<Item = &'static str> {
        self.identity_labels()
            .into_iter()
            .chain(["status", "error_type", "le", "quantile"])
    }

    fn default_family(self) -> &'static str {
        match self {
            Preset::Monitored => "function",
            Preset::ToolCall => "mcp_tool",
        }
    }
}

/// A function's objective as written.
pub(crate) enum ObjectiveSpec {
    /// A `const` of type `Objective`, checked by const evaluation in the expansion.
    Path(Path),
    /// `objective(name = "...", success = 99.9, latency = 0.25, latency_target = 99)`,
    /// checked here.
    Inline {
        name: LitStr,
        success: Option<f64>,
        latency: Option<(f64, f64)>,
    },
}

/// The runtime's `DEFAULT_BUCKETS`: a latency threshold of a function without `buckets` must
/// be one of them (`tests/ui` would fail if they drifted apart).
const DEFAULT_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Which buckets a function's duration histogram has.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum HistogramChoice {
    Classic,
    Native,
    Both,
}

impl HistogramChoice {
    /// The variant of the runtime's `HistogramBuckets`.
    pub fn variant(self) -> &'static str {
        match self {
            HistogramChoice::Classic => "Classic",
            HistogramChoice::Native => "Native",
            HistogramChoice::Both => "Both",
        }
    }
}

/// A label value known at compile time.
pub(crate) enum StaticValue {
    Literal(LitStr),
    /// A path to a `const NAME: &str`.
    Const(Path),
}

/// The validated arguments: everything `expand.rs` needs, and nothing it must check again.
pub(crate) struct Spec {
    pub preset: Preset,
    /// The family prefix: `function`, `mcp_tool`, or `name = "..."`.
    pub family: String,
    /// Whether `name = "..."` was given.
    pub named: bool,
    /// `tool = "..."`.
    pub tool: Option<LitStr>,
    /// `server = "..."`.
    pub server: Option<LitStr>,
    pub static_labels: Vec<(String, StaticValue)>,
    pub dynamic_labels: Vec<(String, Expr)>,
    pub buckets: Option<Vec<f64>>,
    /// `histogram = classic | native | both`; `None` leaves it to the exporter.
    pub histogram: Option<HistogramChoice>,
    /// `objective = PATH` or `objective(...)`.
    pub objective: Option<ObjectiveSpec>,
    /// Where the runtime crate is.
    pub krate: Path,
}

/// Collects errors so that all of them are reported.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.add(syn::Error::new(span, message));
    }

    pub fn push_spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.add(syn::Error::new_spanned(tokens, message));
    }

    pub fn add(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(errors) => Err(errors),
            None => Ok(value),
        }
    }
}

pub(crate) fn check(preset: Preset, args: Args, signature: &syn::Signature) -> syn::Result<Spec> {
    let mut errors = Errors::default();
    let attribute = preset.attribute();
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    let mut spec = Spec {
        preset,
        family: preset.default_family().to_owned(),
        named: false,
        tool: None,
        server: None,
        static_labels: Vec::new(),
        dynamic_labels: Vec::new(),
        buckets: None,
        histogram: None,
        objective: None,
        krate: syn::parse_quote!(::metrics_runtime),
    };
    // The span of `buckets`, checked against `histogram = native` once both are read.
    let mut buckets_key: Option<Span> = None;
    // The span of an inline `objective(...)`, checked against the buckets once all are read.
    let mut objective_key: Option<Span> = None;

    for Arg { key, value } in args.args {
        let name = key.to_string();
        if !preset.keys().contains(&name.as_str()) {
            let expected = preset
                .keys()
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let hint = closest(&name, preset.keys())
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            errors.push(
                key.span(),
                format!(
                    "unknown argument `{name}` of `{attribute}`: expected one of {expected}{hint}"
                ),
            );
            continue;
        }
        if seen.insert(name.clone(), key.span()).is_some() {
            errors.push(
                key.span(),
                format!("duplicate argument `{name}`: `{attribute}` takes it once"),
            );
            continue;
        }
        match (name.as_str(), value) {
            ("labels", ArgValue::Labels { labels, .. }) => {
                check_labels(preset, labels, signature, &mut spec, &mut errors)
            }
            ("labels", _) => errors.push(
                key.span(),
                "`labels` takes a list: `labels(agent = \"crawler\", region = region)`",
            ),
            ("objective", ArgValue::Labels { labels }) => {
                objective_key = Some(key.span());
                spec.objective = inline_objective(key.span(), labels, &mut errors);
            }
            (_, ArgValue::Missing | ArgValue::Labels { .. }) => {
                errors.push(
                    key.span(),
                    format!("`{name}` needs a value: {}", example(&name)),
                );
            }
            ("name", ArgValue::Expr(expr)) => {
                if let Some(lit) = string_literal(&expr, "name", &mut errors) {
                    if check_metric_name(&lit, &mut errors) {
                        spec.family = lit.value();
                        spec.named = true;
                    }
                }
            }
            ("tool", ArgValue::Expr(expr)) => {
                spec.tool = string_literal(&expr, "tool", &mut errors)
                    .filter(|lit| non_empty(lit, "tool", &mut errors));
            }
            ("server", ArgValue::Expr(expr)) => {
                spec.server = string_literal(&expr, "server", &mut errors)
                    .filter(|lit| non_empty(lit, "server", &mut errors));
            }
            ("buckets", ArgValue::Expr(expr)) => {
                buckets_key = Some(key.span());
                spec.buckets = check_buckets(&expr, &mut errors);
            }
            ("histogram", ArgValue::Expr(expr)) => {
                spec.histogram = histogram_choice(&expr, &mut errors);
            }
            ("objective", ArgValue::Expr(Expr::Path(path))) if path.qself.is_none() => {
                spec.objective = Some(ObjectiveSpec::Path(path.path));
            }
            ("objective", ArgValue::Expr(expr)) => errors.push_spanned(
                expr,
                "`objective` takes the path of a `const` `Objective` (`objective = CHECKOUT`) or its targets (`objective(name = \"checkout\", success = 99.9)`)",
            ),
            ("crate", ArgValue::Expr(expr)) => {
                if let Some(path) = crate_path(&expr, &mut errors) {
                    spec.krate = path;
                }
            }
            _ => unreachable!("every key of every preset is matched above"),
        }
    }
    if let (
        Some(ObjectiveSpec::Inline {
            latency: Some((threshold, _)),
            ..
        }),
        Some(span),
    ) = (&spec.objective, objective_key)
    {
        if spec.histogram == Some(HistogramChoice::Native) {
            errors.push(span, "a latency objective needs classic buckets, and `histogram = native` has none: say `histogram = both`");
        }
        let bounds: &[f64] = spec.buckets.as_deref().unwrap_or(&DEFAULT_BUCKETS);
        if !bounds.contains(threshold) {
            let mut with: Vec<f64> = bounds.iter().copied().chain([*threshold]).collect();
            with.sort_by(f64::total_cmp);
            let list = with
                .iter()
                .map(|b| format!("{b:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            let whose = if spec.buckets.is_some() {
                "`buckets`"
            } else {
                "the default buckets"
            };
            errors.push(span, format!("the latency threshold {threshold:?} s is not a bound of {whose}, so no series counts the calls under it: write `buckets = [{list}]`, or pick a threshold among the bounds"));
        }
    }
    if let (Some(HistogramChoice::Native), Some(span)) = (spec.histogram, buckets_key) {
        errors.push(
            span,
            "`buckets` are classic buckets, and `histogram = native` has none: remove `buckets`, or say `histogram = both` to keep both",
        );
    }
    errors.finish(spec)
}

/// `objective(name = "...", success = 99.9, latency = 0.25, latency_target = 99)`.
fn inline_objective(
    span: Span,
    entries: Vec<crate::args::LabelArg>,
    errors: &mut Errors,
) -> Option<ObjectiveSpec> {
    let mut name: Option<LitStr> = None;
    let mut success = None;
    let mut latency = None;
    let mut latency_target = None;
    let mut valid = true;
    for entry in entries {
        let key = entry.name.value();
        let number = |errors: &mut Errors, what: &str| -> Option<f64> {
            let value = number_literal(&entry.value);
            if value.is_none() {
                errors.push_spanned(
                    &entry.value,
                    format!("`{key}` takes a number literal: {what}"),
                );
            }
            value
        };
        let percent = |errors: &mut Errors, value: Option<f64>| {
            value.filter(|v| {
                let ok = *v > 0.0 && *v < 100.0;
                if !ok {
                    errors.push_spanned(
                        &entry.value,
                        format!("`{key}` is a percentage strictly between 0 and 100, e.g. `99.9`"),
                    );
                }
                ok
            })
        };
        match key.as_str() {
            "name" => {
                name = string_literal(&entry.value, "name", errors)
                    .filter(|lit| non_empty(lit, "name", errors));
                valid &= name.is_some();
            }
            "success" => {
                let value = number(errors, "`success = 99.9` (percent of calls that succeed)");
                success = percent(errors, value);
                valid &= success.is_some();
            }
            "latency" => {
                latency = number(errors, "`latency = 0.25` (seconds)").filter(|v| {
                    let ok = *v > 0.0 && v.is_finite();
                    if !ok {
                        errors.push_spanned(
                            &entry.value,
                            "`latency` is a positive number of seconds, e.g. `0.25`",
                        );
                    }
                    ok
                });
                valid &= latency.is_some();
            }
            "latency_target" => {
                let value = number(
                    errors,
                    "`latency_target = 99` (percent of calls within `latency`)",
                );
                latency_target = percent(errors, value);
                valid &= latency_target.is_some();
            }
            other => {
                let hint = closest(other, &["name", "success", "latency", "latency_target"])
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                errors.push(entry.name.span(), format!("unknown objective option `{other}`: expected `name`, `success`, `latency`, `latency_target`{hint}"));
                valid = false;
            }
        }
    }
    if name.is_none() && valid {
        errors.push(
            span,
            "an objective needs a name: `objective(name = \"checkout\", success = 99.9)`",
        );
        valid = false;
    }
    let latency = match (latency, latency_target) {
        (Some(threshold), Some(target)) => Some((threshold, target)),
        (None, None) => None,
        _ => {
            if valid {
                errors.push(span, "`latency` and `latency_target` go together: `latency = 0.25, latency_target = 99` (99% of calls within 250 ms)");
            }
            return None;
        }
    };
    if success.is_none() && latency.is_none() && valid {
        errors.push(span, "an objective needs a target: `success = 99.9` and/or `latency = 0.25, latency_target = 99`");
        return None;
    }
    Some(ObjectiveSpec::Inline {
        name: name?,
        success,
        latency,
    })
    .filter(|_| valid)
}

/// The value of an integer or float literal.
fn number_literal(expr: &Expr) -> Option<f64> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Float(lit),
            ..
        }) => lit.base10_parse::<f64>().ok(),
        Expr::Lit(ExprLit {
            lit: Lit::Int(lit), ..
        }) => lit.base10_parse::<f64>().ok(),
        _ => None,
    }
}

/// `histogram = classic | native | both`.
pub(crate) fn histogram_choice(expr: &Expr, errors: &mut Errors) -> Option<HistogramChoice> {
    let choice = match expr {
        Expr::Path(path) if path.qself.is_none() => path.path.get_ident().map(|i| i.to_string()),
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit.value()),
        _ => None,
    };
    let found = match choice.as_deref() {
        Some("classic") => Some(HistogramChoice::Classic),
        Some("native") => Some(HistogramChoice::Native),
        Some("both") => Some(HistogramChoice::Both),
        _ => None,
    };
    if found.is_none() {
        let hint = choice
            .as_deref()
            .and_then(|written| closest(written, &["classic", "native", "both"]))
            .map(|k| format!("; did you mean `{k}`?"))
            .unwrap_or_default();
        errors.push_spanned(
            expr,
            format!("`histogram` is one of `classic` (bucket bounds, every format), `native` (Prometheus native histograms, over the protobuf format) or `both`{hint}"),
        );
    }
    found
}

fn example(key: &str) -> &'static str {
    match key {
        "name" => "`name = \"jobs\"`",
        "tool" => "`tool = \"search\"`",
        "server" => "`server = \"files\"`",
        "buckets" => "`buckets = [0.01, 0.1, 1.0]`",
        "histogram" => "`histogram = native`",
        "objective" => "`objective = CHECKOUT` or `objective(name = \"checkout\", success = 99.9)`",
        _ => "`crate = \"my_metrics\"`",
    }
}

fn string_literal(expr: &Expr, key: &str, errors: &mut Errors) -> Option<LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) if !lit.suffix().is_empty() => {
            errors.push(
                lit.span(),
                format!(
                    "`{key}` takes a plain string literal; remove the suffix `{}`",
                    lit.suffix()
                ),
            );
            None
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit.clone()),
        other => {
            errors.push_spanned(
                other,
                format!("`{key}` takes a string literal: {}", example(key)),
            );
            None
        }
    }
}

fn non_empty(lit: &LitStr, key: &str, errors: &mut Errors) -> bool {
    if lit.value().is_empty() {
        errors.push(lit.span(), format!("`{key}` must not be empty"));
    }
    !lit.value().is_empty()
}

fn check_metric_name(lit: &LitStr, errors: &mut Errors) -> bool {
    let name = lit.value();
    let problem = if name.is_empty() {
        Some("it is empty".to_owned())
    } else if !is_metric_name(&name) {
        Some("a metric name must match `[a-zA-Z_:][a-zA-Z0-9_:]*`".to_owned())
    } else if name.contains(':') {
        Some("colons are reserved for recording rules, use `_`".to_owned())
    } else if name.starts_with("__") {
        Some("names starting with `__` are reserved for Prometheus' internal use".to_owned())
    } else {
        ["_total", "_count", "_sum", "_bucket"].into_iter().find(|s| name.ends_with(s)).map(|suffix| {
            format!(
                "it must not end in `{suffix}`: the attribute adds the suffixes itself (`{name}_calls_total`, ...), write `name = \"{}\"`",
                &name[..name.len() - suffix.len()]
            )
        })
    };
    if let Some(problem) = &problem {
        errors.push(
            lit.span(),
            format!("invalid metric name `{name}`: {problem}"),
        );
    }
    problem.is_none()
}

fn crate_path(expr: &Expr, errors: &mut Errors) -> Option<Path> {
    let path = match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => return crate_literal(lit).map_err(|error| errors.add(error)).ok(),
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => path.path.clone(),
        other => {
            errors.push_spanned(
                other,
                "`crate` takes the path of the runtime crate: `crate = \"my_metrics\"`",
            );
            return None;
        }
    };
    match without_generic_arguments(&path) {
        Ok(()) => Some(path),
        Err(error) => {
            errors.add(error);
            None
        }
    }
}

/// `crate = "path"`, as the attributes and every derive take it: a plain string literal
/// holding a path without generic arguments.
pub(crate) fn crate_literal(lit: &LitStr) -> syn::Result<Path> {
    if !lit.suffix().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "`crate` takes a plain string literal; remove the suffix `{}`",
                lit.suffix()
            ),
        ));
    }
    let path = lit.parse::<Path>().map_err(|_| {
        syn::Error::new(
            lit.span(),
            format!(
                "`crate = \"{}\"` is not a path; write `crate = \"my_metrics\"`",
                lit.value()
            ),
        )
    })?;
    without_generic_arguments(&path)?;
    Ok(path)
}

/// The expansion appends `::__private::...` (or `::LabelValue`) to a `crate` path: it must name
/// a crate or module, which a path with generic arguments (`a::<u8>`, `Vec<u8>`, `a<'static>`)
/// never does.
pub(crate) fn without_generic_arguments(path: &Path) -> syn::Result<()> {
    match path
        .segments
        .iter()
        .find(|segment| !segment.arguments.is_none())
    {
        Some(segment) => Err(syn::Error::new_spanned(
            &segment.arguments,
            format!(
                "`crate` must be the path of a crate or module, without generic arguments: write `crate = \"{}\"`",
                path.segments
                    .iter()
                    .map(|segment| segment.ident.to_string())
                    .collect::<Vec<_>>()
                    .join("::")
            ),
        )),
        None => Ok(()),
    }
}

/// What a histogram's bounds measure: durations in seconds (positive), or another quantity.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BoundsOf {
    Seconds,
    Quantity,
}

pub(crate) fn check_buckets(expr: &Expr, errors: &mut Errors) -> Option<Vec<f64>> {
    check_bounds(expr, BoundsOf::Seconds, errors)
}

/// Bucket bounds: literals, finite, strictly increasing; positive when they are seconds.
pub(crate) fn check_bounds(expr: &Expr, of: BoundsOf, errors: &mut Errors) -> Option<Vec<f64>> {
    let unit = match of {
        BoundsOf::Seconds => "plain numbers of seconds",
        BoundsOf::Quantity => "plain numbers",
    };
    let Expr::Array(array) = expr else {
        errors.push_spanned(
            expr,
            "`buckets` takes a list of number literals: `buckets = [0.01, 0.1, 1.0]`",
        );
        return None;
    };
    if array.elems.is_empty() {
        errors.push_spanned(
            array,
            "`buckets` is empty: give at least one upper bound, e.g. `buckets = [0.1, 1.0]`",
        );
        return None;
    }
    let mut bounds = Vec::new();
    let mut valid = true;
    let mut previous: Option<f64> = None;
    for element in &array.elems {
        let suffix = match element {
            Expr::Lit(ExprLit {
                lit: Lit::Float(lit),
                ..
            }) => lit.suffix(),
            Expr::Lit(ExprLit {
                lit: Lit::Int(lit), ..
            }) => lit.suffix(),
            _ => "",
        };
        if !matches!(suffix, "" | "f64" | "f32") {
            errors.push_spanned(
                element,
                format!("bucket bounds are {unit}; remove the suffix `{suffix}`"),
            );
            valid = false;
            continue;
        }
        let value = match element {
            Expr::Lit(_) => number_literal(element),
            Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) && of == BoundsOf::Seconds => {
                errors.push_spanned(
                    element,
                    "bucket bounds must be positive: a duration is never negative",
                );
                valid = false;
                continue;
            }
            Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => match &*unary.expr {
                Expr::Lit(ExprLit {
                    lit: Lit::Float(lit),
                    ..
                }) => lit.base10_parse::<f64>().ok().map(|v| -v),
                Expr::Lit(ExprLit {
                    lit: Lit::Int(lit), ..
                }) => lit.base10_parse::<f64>().ok().map(|v| -v),
                _ => None,
            },
            _ => None,
        };
        let Some(value) = value else {
            errors.push_spanned(
                element,
                "bucket bounds must be number literals, e.g. `0.25` or `1`",
            );
            valid = false;
            continue;
        };
        if !value.is_finite() {
            errors.push_spanned(
                element,
                format!(
                    "bucket bound `{}` is not finite; `+Inf` is always added",
                    element.to_token_stream()
                ),
            );
            valid = false;
        } else if value <= 0.0 && of == BoundsOf::Seconds {
            errors.push_spanned(element, "bucket bounds must be positive: a duration is never negative and `0` would hold nothing");
            valid = false;
        } else if let Some(previous) = previous.filter(|previous| value <= *previous) {
            errors.push_spanned(
                element,
                format!("bucket bounds must be strictly increasing: {value} follows {previous}"),
            );
            valid = false;
        }
        if value.is_finite() {
            previous = Some(value);
        }
        bounds.push(value);
    }
    valid.then_some(bounds)
}

fn check_labels(
    preset: Preset,
    labels: Vec<LabelArg>,
    signature: &syn::Signature,
    spec: &mut Spec,
    errors: &mut Errors,
) {
    let attribute = preset.attribute();
    let mut seen = Vec::<String>::new();
    for LabelArg { name, value } in labels {
        let label = name.value();
        let span = name.span();
        if !is_label_name(&label) {
            errors.push(span, format!("invalid label name `{label}`: a label name must match `[a-zA-Z_][a-zA-Z0-9_]*`"));
            continue;
        }
        if label.starts_with("__") {
            errors.push(span, format!("invalid label name `{label}`: names starting with `__` are reserved for Prometheus' internal use"));
            continue;
        }
        if preset
            .generated_labels()
            .any(|generated| generated == label)
        {
            errors.push(
                span,
                format!("label `{label}` is written by `{attribute}` itself; pick another name"),
            );
            continue;
        }
        if label == "job" || label == "instance" {
            errors.push(
                span,
                format!("label `{label}` is set by Prometheus from the scrape target and would be renamed `exported_{label}`; pick another name"),
            );
            continue;
        }
        if seen.contains(&label) {
            errors.push(
                span,
                format!("duplicate label `{label}`: each label is given once"),
            );
            continue;
        }
        seen.push(label.clone());
        match classify_label_value(value, signature, &label, errors) {
            Some(LabelSource::Static(value)) => spec.static_labels.push((label, value)),
            Some(LabelSource::Dynamic(expr)) => spec.dynamic_labels.push((label, expr)),
            None => {}
        }
    }
}

enum LabelSource {
    Static(StaticValue),
    Dynamic(Expr),
}

fn classify_label_value(
    value: Expr,
    signature: &syn::Signature,
    label: &str,
    errors: &mut Errors,
) -> Option<LabelSource> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) if !lit.suffix().is_empty() => {
            errors.push(
                lit.span(),
                format!(
                    "label value of `{label}` takes a plain string literal; remove the suffix `{}`",
                    lit.suffix()
                ),
            );
            None
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(LabelSource::Static(StaticValue::Literal(lit))),
        Expr::Lit(ExprLit { lit, .. }) => {
            let text = lit.to_token_stream().to_string();
            errors.push_spanned(
                &lit,
                format!(
                    "label value `{text}` is not a string; write it as one: `{label} = \"{text}\"`"
                ),
            );
            None
        }
        Expr::Path(path)
            if path.qself.is_none()
                && path.path.segments.last().is_some_and(|s| {
                    s.arguments.is_empty() && is_const_name(&s.ident.to_string())
                }) =>
        {
            Some(LabelSource::Static(StaticValue::Const(path.path)))
        }
        expr => {
            if let Some(problem) = unbounded_argument(&expr, signature) {
                errors.push_spanned(&expr, format!(
                    "label `{label}` cannot take its value from {problem}: its set of values is unbounded and every value would be a new time series; map it to a fieldless enum with `#[derive(LabelValue)]`"
                ));
                return None;
            }
            Some(LabelSource::Dynamic(expr))
        }
    }
}

/// When the label value is an argument whose declared type is obviously open-ended (`String`,
/// `&str` that is not `'static`, numbers), says so; other types are left to the `LabelValue`
/// bound and its diagnostic.
fn unbounded_argument(expr: &Expr, signature: &syn::Signature) -> Option<String> {
    let Expr::Path(path) = expr else { return None };
    let ident = path.path.get_ident()?;
    let ty = signature.inputs.iter().find_map(|input| match input {
        FnArg::Typed(typed) => match &*typed.pat {
            Pat::Ident(pat) if pat.ident == *ident => Some(&*typed.ty),
            _ => None,
        },
        FnArg::Receiver(_) => None,
    })?;
    let kind = unbounded_type(ty)?;
    Some(format!(
        "`{ident}: {}`, {kind}",
        ty.to_token_stream().to_string().replace("& ", "&")
    ))
}

/// What makes a type's set of values obviously open-ended (`String`, a `&str` that is not
/// `'static`, numbers, ids), if it is.
pub(crate) fn unbounded_type(ty: &Type) -> Option<&'static str> {
    let (referent, lifetime) = match ty {
        Type::Reference(reference) => (
            &*reference.elem,
            reference.lifetime.as_ref().map(|l| l.ident.to_string()),
        ),
        other => (other, None),
    };
    let Type::Path(type_path) = referent else {
        return None;
    };
    let name = type_path.path.segments.last()?.ident.to_string();
    let kind = match name.as_str() {
        "str" if lifetime.as_deref() == Some("static") => return None,
        "str" => "a borrowed `&str`",
        "String" | "Cow" => "a string",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" => "an integer",
        "f32" | "f64" => "a float",
        "char" => "a `char`",
        "Uuid" => "an id",
        _ => return None,
    };
    Some(kind)
}

/// Checks the function itself: one with a body, not `const`.
pub(crate) fn check_signature(preset: Preset, signature: &syn::Signature, errors: &mut Errors) {
    if let Some(constness) = &signature.constness {
        errors.push(
            constness.span(),
            format!("`{}` cannot instrument a `const fn`: metrics are recorded when the function runs, not at compile time", preset.attribute()),
        );
    }
}
