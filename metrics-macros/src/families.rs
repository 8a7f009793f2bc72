//! `#[derive(LabelSet)]` and `#[derive(Metrics)]`: typed metric families. Each derive parses
//! its input into plain structs, checks all of it (every error reported together), then
//! expands.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{
    Attribute, Data, DeriveInput, Expr, ExprLit, Fields, GenericArgument, Lit, LitStr, Path,
    PathArguments, Type,
};

use crate::check::{
    check_bounds, crate_literal, histogram_choice, unbounded_type, BoundsOf, Errors,
    HistogramChoice,
};
use crate::names::{closest, is_label_name, is_metric_name};

/// Label names no typed metric may use: Prometheus' own, or set from the scrape target.
const RESERVED_LABELS: [(&str, &str); 4] = [
    ("le", "it holds a histogram's bucket bound"),
    ("quantile", "it holds a summary's quantile"),
    (
        "job",
        "Prometheus sets it from the scrape target and would rename this one `exported_job`",
    ),
    (
        "instance",
        "Prometheus sets it from the scrape target and would rename this one `exported_instance`",
    ),
];

/// Names of this crate's own families: a typed metric cannot take them.
const RESERVED_NAMES: [&str; 27] = [
    "function_calls_total",
    "function_call_duration_seconds",
    "function_errors_total",
    "function_calls_in_flight",
    "mcp_tool_calls_total",
    "mcp_tool_call_duration_seconds",
    "mcp_tool_errors_total",
    "mcp_tool_calls_in_flight",
    "build_info",
    "service_health",
    "metrics_push_failures_total",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "process_open_fds",
    "process_max_fds",
    "process_threads",
    "process_start_time_seconds",
    "host_cpu_usage_ratio",
    "host_memory_used_bytes",
    "host_memory_total_bytes",
    "host_disk_used_bytes",
    "host_disk_total_bytes",
    "host_network_received_bytes_total",
    "host_network_transmitted_bytes_total",
    "host_uptime_seconds",
    "up",
];

fn runtime_path(krate: Option<Path>) -> Path {
    krate.unwrap_or_else(|| syn::parse_quote!(::metrics_runtime))
}

/// `crate = "path"` as the attributes take it.
fn crate_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Path> {
    crate_literal(&meta.value()?.parse()?)
}

fn unknown_option(
    meta: &syn::meta::ParseNestedMeta<'_>,
    attribute: &str,
    expected: &[&str],
) -> syn::Error {
    let name = meta.path.get_ident().map_or_else(
        || meta.path.to_token_stream().to_string(),
        ToString::to_string,
    );
    let hint = closest(&name, expected)
        .map(|close| format!(" (did you mean `{close}`?)"))
        .unwrap_or_default();
    let list = expected
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ");
    meta.error(format!(
        "unknown option `{name}` of `#[{attribute}]`{hint}: expected {list}"
    ))
}

fn refuse_generics(input: &DeriveInput, derive: &str, why: &str, errors: &mut Errors) {
    if !input.generics.params.is_empty() {
        errors.push_spanned(
            &input.generics,
            format!("`#[derive({derive})]` takes a struct without generic parameters: {why}"),
        );
    }
}

// ---------------------------------------------------------------------------------------
// #[derive(LabelSet)]

/// One label of a label set.
struct LabelField {
    ident: syn::Ident,
    name: String,
    ty: Type,
    /// `#[label(values = SET)]`: a value set registered at start-up.
    values: Option<Path>,
}

pub(crate) fn label_set(input: DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    refuse_generics(
        &input,
        "LabelSet",
        "its labels and their values are listed once, for every metric that uses them",
        &mut errors,
    );
    let mut krate = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("label")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                krate = Some(crate_value(&meta)?);
                Ok(())
            } else {
                Err(unknown_option(&meta, "label", &["crate"]))
            }
        });
        if let Err(error) = parsed {
            errors.add(error);
        }
    }
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => fields.named.iter().collect::<Vec<_>>(),
            Fields::Unit => Vec::new(),
            Fields::Unnamed(fields) => {
                errors.push_spanned(fields, "`#[derive(LabelSet)]` needs named fields: each field's name is a label name");
                Vec::new()
            }
        },
        _ => {
            return Err(syn::Error::new(
                input.ident.span(),
                "`#[derive(LabelSet)]` needs a struct whose fields are the labels; for one label's values, derive `LabelValue` on a fieldless enum",
            ))
        }
    };
    let mut labels: Vec<LabelField> = Vec::new();
    for field in fields {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let mut name = ident.to_string().trim_start_matches("r#").to_owned();
        let mut name_span = ident.span();
        let mut values = None;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("label")) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let value: LitStr = meta.value()?.parse()?;
                    name = value.value();
                    name_span = value.span();
                    Ok(())
                } else if meta.path.is_ident("values") {
                    let expr: Expr = meta.value()?.parse()?;
                    match expr {
                        Expr::Path(path) if path.qself.is_none() => {
                            values = Some(path.path);
                            Ok(())
                        }
                        other => Err(syn::Error::new_spanned(
                            other,
                            "`values` takes the path of a `static` `ValueSet`: `#[label(values = AGENTS)]`",
                        )),
                    }
                } else {
                    Err(unknown_option(&meta, "label", &["rename", "values"]))
                }
            });
            if let Err(error) = parsed {
                errors.add(error);
            }
        }
        if let Some(problem) = label_name_problem(&name) {
            errors.push(name_span, format!("invalid label name `{name}`: {problem}"));
        } else if labels.iter().any(|label| label.name == name) {
            errors.push(
                name_span,
                format!("duplicate label `{name}`: each label is given once"),
            );
        }
        let registered = type_ends_with(&field.ty, "RegisteredValue");
        if values.is_some() && !registered {
            errors.push_spanned(&field.ty, format!("label `{name}` takes its values from a `ValueSet`, so its type must be `metrics_runtime::RegisteredValue`"));
        } else if values.is_none() && registered {
            errors.push_spanned(&field.ty, format!("label `{name}` is a `RegisteredValue`: name its set with `#[label(values = SET)]`"));
        } else if values.is_none() {
            let unbounded = unbounded_label_type(&field.ty);
            if let Some(kind) = unbounded {
                errors.push_spanned(&field.ty, format!(
                    "label `{name}` cannot take its value from `{}`, {kind}: its set of values is unbounded and every value would be a new time series; map it to a fieldless enum with `#[derive(LabelValue)]`, or for values known at start-up use a `RegisteredValue` with `#[label(values = SET)]`",
                    field.ty.to_token_stream().to_string().replace("& ", "&")
                ));
            }
        }
        labels.push(LabelField {
            ident,
            name,
            ty: field.ty.clone(),
            values,
        });
    }
    let krate = runtime_path(krate);
    let ident = &input.ident;
    if let Err(error) = errors.finish(()) {
        if !input.generics.params.is_empty() {
            return Err(error);
        }
        // A stub next to the errors, so that uses of the set do not add "not implemented".
        let errors = error.into_compile_error();
        return Ok(quote! {
            #errors
            #[automatically_derived]
            impl #krate::LabelSet for #ident {
                const NAMES: &'static [&'static str] = &[];
                fn value_lists() -> ::std::vec::Vec<#krate::LabelValues> {
                    ::std::vec::Vec::new()
                }
                fn index(&self) -> usize {
                    0
                }
            }
        });
    }
    let names = labels.iter().map(|label| &label.name);
    let lists = labels.iter().map(|label| match &label.values {
        Some(set) => quote_spanned!(set.span()=> #krate::LabelValues::Registered(&#set)),
        None => {
            let ty = &label.ty;
            quote_spanned!(ty.span()=> #krate::__private::fixed_values::<#ty>())
        }
    });
    let digits = labels.iter().map(|label| {
        let field = &label.ident;
        match &label.values {
            Some(set) => quote! {
                index = index * (#set.capacity() + 1) + self.#field.index_in(&#set);
            },
            None => {
                let ty = &label.ty;
                // Spanned at the field's type: a type without listed values is reported
                // there, once per place that needs them, with the same message.
                let len = quote_spanned!(ty.span()=> #krate::__private::fixed_len::<#ty>());
                let digit =
                    quote_spanned!(ty.span()=> #krate::__private::fixed_index::<#ty>(&self.#field));
                quote! {
                    index = index * #len + #digit;
                }
            }
        }
    });
    Ok(quote! {
        #[automatically_derived]
        impl #krate::LabelSet for #ident {
            const NAMES: &'static [&'static str] = &[#(#names),*];

            fn value_lists() -> ::std::vec::Vec<#krate::LabelValues> {
                ::std::vec![#(#lists),*]
            }

            #[inline]
            #[allow(unused_mut)]
            fn index(&self) -> usize {
                let mut index = 0usize;
                #(#digits)*
                index
            }
        }
    })
}

fn label_name_problem(name: &str) -> Option<String> {
    if !is_label_name(name) {
        return Some("a label name must match `[a-zA-Z_][a-zA-Z0-9_]*`".into());
    }
    if name.starts_with("__") {
        return Some("names starting with `__` are reserved for Prometheus' internal use".into());
    }
    RESERVED_LABELS
        .iter()
        .find(|(reserved, _)| *reserved == name)
        .map(|(_, why)| format!("`{name}` is reserved: {why}; pick another name"))
}

fn type_ends_with(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(path) if path.qself.is_none() && path.path.segments.last().is_some_and(|s| s.ident == name))
}

/// What makes a label type unbounded, `&'static str` included: a field of a label set needs
/// a list of values.
fn unbounded_label_type(ty: &Type) -> Option<&'static str> {
    unbounded_type(ty).or_else(|| is_str_reference(ty).then_some("a `&str`"))
}

fn is_str_reference(ty: &Type) -> bool {
    matches!(ty, Type::Reference(reference) if type_ends_with(&reference.elem, "str"))
}

// ---------------------------------------------------------------------------------------
// #[derive(Metrics)]

#[derive(Clone, Copy, PartialEq, Eq)]
enum MetricKind {
    Counter,
    Gauge,
    Histogram,
    CallbackGauge,
}

impl MetricKind {
    fn from_type(ty: &Type) -> Option<(Self, Option<Type>)> {
        let Type::Path(path) = ty else { return None };
        if path.qself.is_some() {
            return None;
        }
        let last = path.path.segments.last()?;
        let kind = match last.ident.to_string().as_str() {
            "Counter" => Self::Counter,
            "Gauge" => Self::Gauge,
            "Histogram" => Self::Histogram,
            "CallbackGauge" => Self::CallbackGauge,
            _ => return None,
        };
        let labels = match &last.arguments {
            PathArguments::None => None,
            PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
                GenericArgument::Type(ty) => Some(ty.clone()),
                _ => return None,
            },
            _ => return None,
        };
        Some((kind, labels))
    }

    fn variant(self) -> TokenStream {
        match self {
            Self::Counter => quote!(Counter),
            Self::Gauge => quote!(Gauge),
            Self::Histogram => quote!(Histogram),
            Self::CallbackGauge => quote!(CallbackGauge),
        }
    }
}

/// One metric of a group, checked.
struct MetricField {
    ident: syn::Ident,
    ty: Type,
    kind: MetricKind,
    labels: Option<Type>,
    name: String,
    help: String,
    /// A histogram's own bounds; `None` for the runtime's `DEFAULT_BUCKETS`.
    buckets: Option<Vec<f64>>,
    /// `#[metric(histogram = classic | native | both)]`.
    histogram: Option<HistogramChoice>,
    span: Span,
    /// Where the name comes from: the field, or `#[metric(name = "...")]`.
    name_span: Span,
}

impl MetricField {
    /// Every sample name the family prints.
    fn printed(&self) -> Vec<String> {
        let mut printed = vec![self.name.clone()];
        if self.kind == MetricKind::Histogram {
            printed.extend(["_bucket", "_sum", "_count"].map(|s| format!("{}{s}", self.name)));
        }
        printed
    }
}

pub(crate) fn metrics(input: DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    refuse_generics(
        &input,
        "Metrics",
        "its metrics are declared once, for the whole program",
        &mut errors,
    );
    let mut krate = None;
    let mut prefix = String::new();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("metric")) {
        errors.push_spanned(
            attr,
            "`#[metric(...)]` is for fields; options of the struct go in `#[metrics(...)]`, e.g. `#[metrics(prefix = \"hub\")]`",
        );
    }
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("metrics")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                if krate.is_some() {
                    return Err(meta.error("`crate` is given twice"));
                }
                krate = Some(crate_value(&meta)?);
            } else if meta.path.is_ident("prefix") {
                if !prefix.is_empty() {
                    return Err(meta.error("`prefix` is given twice"));
                }
                let value: LitStr = meta.value()?.parse()?;
                let text = value.value();
                let bare = text.trim_end_matches('_');
                if bare.is_empty() || !is_metric_name(bare) || bare.contains(':') || bare.starts_with("__") {
                    return Err(syn::Error::new(value.span(), format!("invalid metric prefix `{text}`: it must match `[a-zA-Z_][a-zA-Z0-9_]*` and not start with `__`")));
                }
                if bare.starts_with("metrics_runtime") {
                    return Err(syn::Error::new(value.span(), format!("invalid metric prefix `{text}`: `metrics_runtime_` names the families metrics-runtime writes about itself; pick another prefix")));
                }
                prefix = format!("{bare}_");
            } else {
                return Err(unknown_option(&meta, "metrics", &["prefix", "crate"]));
            }
            Ok(())
        });
        if let Err(error) = parsed {
            errors.add(error);
        }
    }
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => fields.named.iter().collect::<Vec<_>>(),
            other => {
                return Err(syn::Error::new(other.span().join(input.ident.span()).unwrap_or(input.ident.span()), "`#[derive(Metrics)]` needs a struct with named fields: each field is a metric, named after it"));
            }
        },
        _ => {
            return Err(syn::Error::new(
                input.ident.span(),
                "`#[derive(Metrics)]` needs a struct with named fields: each field is a metric, named after it",
            ))
        }
    };
    let mut metrics: Vec<MetricField> = Vec::new();
    let mut every_kind_known = true;
    for field in fields {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let metric = metric_field(&prefix, ident, field, &mut errors);
        every_kind_known &= metric.is_some();
        if let Some(metric) = metric {
            let printed = metric.printed();
            for first in &metrics {
                let theirs = first.printed();
                let Some(clash) = printed.iter().find(|name| theirs.contains(name)) else {
                    continue;
                };
                let rename = "one name is one family; rename one with `#[metric(name = \"...\")]`";
                let message = if metric.name == first.name {
                    format!("metric `{}` is declared twice in this group; rename one with `#[metric(name = \"...\")]`", metric.name)
                } else if *clash == metric.name {
                    let sample = &clash[first.name.len()..];
                    format!("metric `{clash}` has the name of the `{sample}` sample of histogram `{}`: {rename}", first.name)
                } else {
                    let sample = &clash[metric.name.len()..];
                    format!("histogram `{}` prints its `{sample}` sample as `{clash}`, the name of metric `{}`: {rename}", metric.name, first.name)
                };
                let mut error = syn::Error::new(metric.name_span, message);
                error.combine(syn::Error::new(
                    first.name_span,
                    format!("`{}` is declared here", first.name),
                ));
                errors.add(error);
                break;
            }
            metrics.push(metric);
        }
    }
    let krate = runtime_path(krate);
    match errors.finish(()) {
        Ok(()) => Ok(expand_metrics(&input, &krate, &metrics)),
        // With every field a metric, the group still gets its `new`, so that its uses add no
        // errors of their own to the ones that matter.
        Err(error) if every_kind_known && input.generics.params.is_empty() => {
            let errors = error.into_compile_error();
            let expansion = expand_metrics(&input, &krate, &metrics);
            Ok(quote!(#errors #expansion))
        }
        Err(error) => Err(error),
    }
}

fn metric_field(
    prefix: &str,
    ident: syn::Ident,
    field: &syn::Field,
    errors: &mut Errors,
) -> Option<MetricField> {
    let field_name = ident.to_string().trim_start_matches("r#").to_owned();
    let Some((kind, labels)) = MetricKind::from_type(&field.ty) else {
        errors.push_spanned(&field.ty, format!("field `{field_name}` of a `#[derive(Metrics)]` struct must be a metric: `Counter<L>`, `Gauge<L>`, `Histogram<L>` or `CallbackGauge<L>`, with `L` a `#[derive(LabelSet)]` struct (or nothing, for no labels)"));
        return None;
    };
    let mut name_override: Option<LitStr> = None;
    let mut buckets_expr: Option<Expr> = None;
    let mut histogram_expr: Option<Expr> = None;
    // Both names are helper attributes of the derive, so rustc accepts either anywhere.
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("metrics")) {
        errors.push_spanned(
            attr,
            format!("`#[metrics(...)]` is for the struct; options of the field `{field_name}` go in `#[metric(...)]`, e.g. `#[metric(buckets = [0.1, 1.0])]`"),
        );
    }
    // `buckets = ...` or `histogram = ...`: once, and on a histogram only.
    let histogram_option =
        |meta: &syn::meta::ParseNestedMeta, key: &str, seen: &Option<Expr>| -> syn::Result<Expr> {
            if seen.is_some() {
                return Err(meta.error(format!("`{key}` is given twice")));
            }
            let expr: Expr = meta.value()?.parse()?;
            if kind != MetricKind::Histogram {
                return Err(syn::Error::new(
                    expr.span(),
                    format!("`{key}` is for histograms; `{field_name}` is not one"),
                ));
            }
            Ok(expr)
        };
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("metric")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                if name_override.is_some() {
                    return Err(meta.error("`name` is given twice"));
                }
                name_override = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("buckets") {
                buckets_expr = Some(histogram_option(&meta, "buckets", &buckets_expr)?);
            } else if meta.path.is_ident("histogram") {
                histogram_expr = Some(histogram_option(&meta, "histogram", &histogram_expr)?);
            } else {
                return Err(unknown_option(
                    &meta,
                    "metric",
                    &["name", "buckets", "histogram"],
                ));
            }
            Ok(())
        });
        if let Err(error) = parsed {
            errors.add(error);
        }
    }
    let (name, name_span) = match &name_override {
        Some(lit) => (lit.value(), lit.span()),
        None => (format!("{prefix}{field_name}"), ident.span()),
    };
    let in_seconds = name.ends_with("_seconds");
    let histogram = histogram_expr
        .as_ref()
        .and_then(|expr| histogram_choice(expr, errors));
    let native_only = histogram == Some(HistogramChoice::Native);
    if let (true, Some(expr)) = (native_only, &buckets_expr) {
        errors.push_spanned(expr, "`buckets` are classic buckets, and `histogram = native` has none: remove `buckets`, or say `histogram = both` to keep both");
    }
    let buckets = buckets_expr.as_ref().and_then(|expr| {
        let of = if in_seconds {
            BoundsOf::Seconds
        } else {
            BoundsOf::Quantity
        };
        check_bounds(expr, of, errors)
    });
    if let Some(problem) = metric_name_problem(&name, kind) {
        errors.push(
            name_span,
            format!("invalid metric name `{name}`: {problem}"),
        );
    } else if kind == MetricKind::Histogram && !in_seconds && buckets_expr.is_none() && !native_only
    {
        errors.push(name_span, format!("histogram `{name}` needs its own buckets: the default ones are durations in seconds; add `#[metric(buckets = [...])]`, or `#[metric(histogram = native)]` for exponential buckets that need no bounds, or name it `{name}_seconds` if it measures a duration"));
    }
    let help = doc_text(&field.attrs);
    if help.is_empty() {
        errors.push(ident.span(), format!("metric `{name}` needs a doc comment: it is the HELP text Prometheus and Grafana show, e.g. `/// Cache lookups, by cache and result.`"));
    }
    if let Some(labels) = &labels {
        if let Some(kind) = unbounded_label_type(labels) {
            errors.push_spanned(labels, format!("`{}` is {kind}, not a label set: its set of values is unbounded and every value would be a new time series; declare the labels as a `#[derive(LabelSet)]` struct of fieldless enums", labels.to_token_stream()));
        }
    }
    // Returned even when invalid: the expansion next to the errors needs every field.
    Some(MetricField {
        span: ident.span(),
        name_span,
        ident,
        ty: field.ty.clone(),
        kind,
        labels,
        name,
        help,
        buckets,
        histogram,
    })
}

fn metric_name_problem(name: &str, kind: MetricKind) -> Option<String> {
    // `is_metric_name` allows colons, which the next rule refuses: say the rule that holds.
    if name.is_empty() || !is_metric_name(name) {
        return Some("a metric name must match `[a-zA-Z_][a-zA-Z0-9_]*`".into());
    }
    if name.contains(':') {
        return Some("colons are reserved for recording rules, use `_`".into());
    }
    if name.starts_with("__") {
        return Some("names starting with `__` are reserved for Prometheus' internal use".into());
    }
    if RESERVED_NAMES.contains(&name) || name.starts_with("metrics_runtime_") {
        return Some(
            "metrics-runtime writes a family of that name itself; pick another name".into(),
        );
    }
    for (units, base) in [
        (
            &[
                "_milliseconds",
                "_millis",
                "_ms",
                "_microseconds",
                "_micros",
                "_nanoseconds",
                "_nanos",
                "_secs",
                "_minutes",
                "_hours",
            ][..],
            "`_seconds`, with values converted",
        ),
        (
            &[
                "_kilobytes",
                "_kb",
                "_megabytes",
                "_mb",
                "_gigabytes",
                "_gb",
            ][..],
            "`_bytes`, with values converted",
        ),
        (
            &["_percent", "_pct"][..],
            "`_ratio`, with values from 0 to 1",
        ),
    ] {
        // Short units only as the last word: `_us_` may be a region, `_ms_` a word.
        if let Some(unit) = units.iter().find(|unit| {
            name.ends_with(*unit) || (unit.len() > 4 && name.contains(&format!("{unit}_")))
        }) {
            return Some(format!(
                "Prometheus names use base units: `{unit}` should be {base}"
            ));
        }
    }
    match kind {
        MetricKind::Counter if !name.ends_with("_total") => Some(format!(
            "a counter's name ends in `_total`: `{name}_total`"
        )),
        MetricKind::Gauge | MetricKind::CallbackGauge if name.ends_with("_total") => Some(
            "`_total` is for counters; a gauge's name says what it measures now, e.g. `active_agents`".into(),
        ),
        MetricKind::Histogram if name.ends_with("_total") => Some(
            "`_total` is for counters; a histogram's name says what it measures, e.g. `payload_size_bytes`".into(),
        ),
        MetricKind::Histogram => {
            if let Some(suffix) = ["_bucket", "_sum", "_count"].into_iter().find(|s| name.ends_with(s)) {
                return Some(format!("a histogram's name must not end in `{suffix}`: Prometheus adds `_bucket`, `_sum` and `_count` itself"));
            }
            let timed = ["duration", "latency", "_time", "elapsed", "wait"].iter().any(|w| name.contains(w));
            if timed && !name.ends_with("_seconds") {
                return Some(format!("a histogram of durations is in seconds and says so: `{name}_seconds`"));
            }
            None
        }
        _ => None,
    }
}

fn doc_text(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(lit), ..
                }) => Some(lit.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    lines
        .iter()
        .filter(|line| !line.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

fn expand_metrics(input: &DeriveInput, krate: &Path, metrics: &[MetricField]) -> TokenStream {
    let ident = &input.ident;
    let group = ident.to_string();
    let fields = metrics.iter().map(|metric| {
        let field = &metric.ident;
        let ty = &metric.ty;
        let name = &metric.name;
        let help = &metric.help;
        let kind = metric.kind.variant();
        let labels = metric
            .labels
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(()));
        let buckets = match (&metric.buckets, metric.kind, metric.histogram) {
            (Some(bounds), _, _) => quote!(&[#(#bounds),*]),
            (None, MetricKind::Histogram, Some(HistogramChoice::Native)) => quote!(&[]),
            (None, MetricKind::Histogram, _) => quote!(#krate::DEFAULT_BUCKETS),
            (None, _, _) => quote!(&[]),
        };
        let histogram = match metric.histogram {
            Some(choice) => {
                let variant = syn::Ident::new(choice.variant(), Span::call_site());
                quote!(::core::option::Option::Some(#krate::__private::HistogramBuckets::#variant))
            }
            None => quote!(::core::option::Option::None),
        };
        let declared_by = format!("{group}::{field}");
        let line = quote_spanned!(metric.span=> ::core::line!());
        quote! {
            #field: <#ty>::from_family({
                static FAMILY: #krate::__private::Family =
                    #krate::__private::Family::new(#krate::__private::FamilyInfo {
                        name: #name,
                        help: #help,
                        kind: #krate::__private::TypedKind::#kind,
                        label_names: <#labels as #krate::LabelSet>::NAMES,
                        label_values: <#labels as #krate::LabelSet>::value_lists,
                        buckets: #buckets,
                        histogram: #histogram,
                        declared_by: #declared_by,
                        file: ::core::file!(),
                        line: #line,
                    });
                #krate::__private::inventory::submit! {
                    #krate::__private::FamilyRef(&FAMILY)
                }
                &FAMILY
            })
        }
    });
    let vis = &input.vis;
    quote! {
        #[automatically_derived]
        impl #ident {
            /// The group's metrics. Every value made by `new` records into the same series:
            /// keep one in a `static`.
            #[allow(dead_code)]
            #vis const fn new() -> Self {
                Self { #(#fields),* }
            }
        }

        #[automatically_derived]
        impl ::core::default::Default for #ident {
            fn default() -> Self {
                Self::new()
            }
        }
    }
}
