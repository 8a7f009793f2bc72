//! Attribute and derive macros of [`metrics-runtime`](https://docs.rs/metrics-runtime).
//!
//! Depend on `metrics-runtime`, which re-exports everything here and which the expansion
//! refers to (`::metrics_runtime::__private::...`); this crate is not meant to be used alone.
//!
//! Layout: `args.rs` parses the attribute's arguments, `check.rs` validates them and the item,
//! `expand.rs` generates code for both attributes (one engine, a preset each), `derive.rs`
//! holds the derives of label values, `families.rs` those of typed metric families.

mod args;
mod check;
mod derive;
mod expand;
mod families;
mod names;

#[cfg(test)]
mod fuzz;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use syn::spanned::Spanned;

use crate::check::{Errors, Preset};

/// Records calls, duration, errors and in-flight calls of a function. See `metrics_runtime::monitored`.
#[proc_macro_attribute]
pub fn monitored(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument(Preset::Monitored, args.into(), item.into()).into()
}

/// Records calls, duration, errors and in-flight calls of an MCP tool handler. See `metrics_runtime::tool_call`.
#[proc_macro_attribute]
pub fn tool_call(args: TokenStream, item: TokenStream) -> TokenStream {
    instrument(Preset::ToolCall, args.into(), item.into()).into()
}

/// Implements `metrics_runtime::LabelValue` for a fieldless enum.
#[proc_macro_derive(LabelValue, attributes(label))]
pub fn derive_label_value(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    derive::label_value(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `metrics_runtime::ErrorLabel` for an error enum or struct.
#[proc_macro_derive(ErrorLabel, attributes(error_label))]
pub fn derive_error_label(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    derive::error_label(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `metrics_runtime::LabelSet` for a struct of label values.
#[proc_macro_derive(LabelSet, attributes(label))]
pub fn derive_label_set(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    families::label_set(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declares a group of typed metrics: each field a `Counter`, `Gauge`, `Histogram` or
/// `CallbackGauge`. See `metrics_runtime::Metrics`.
#[proc_macro_derive(Metrics, attributes(metrics, metric))]
pub fn derive_metrics(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    families::metrics(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn instrument(preset: Preset, args: TokenStream2, item: TokenStream2) -> TokenStream2 {
    let function = match parse_function(preset, item.clone()) {
        Ok(function) => function,
        Err(error) => return expand::fallback(item, error),
    };
    let mut errors = Errors::default();
    check::check_signature(preset, &function.sig, &mut errors);
    let spec =
        syn::parse2::<args::Args>(args).and_then(|args| check::check(preset, args, &function.sig));
    match (spec, errors.finish(())) {
        (Ok(spec), Ok(())) => expand::generate(&spec, function),
        (Err(mut error), Err(other)) => {
            error.combine(other);
            expand::fallback(item, error)
        }
        (Err(error), _) | (_, Err(error)) => expand::fallback(item, error),
    }
}

/// The item as a function with a body, or an error that says what the attribute accepts.
fn parse_function(preset: Preset, item: TokenStream2) -> syn::Result<syn::ItemFn> {
    let attribute = preset.attribute();
    if let Ok(function) = syn::parse2::<syn::ItemFn>(item.clone()) {
        return Ok(function);
    }
    if let Ok(declaration) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        return Err(syn::Error::new(
            declaration.sig.span(),
            format!("`{attribute}` needs a function with a body; on a trait, put it on the method of each `impl`"),
        ));
    }
    let found = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Struct(_)) => "a struct",
        Ok(syn::Item::Enum(_)) => "an enum",
        Ok(syn::Item::Impl(_)) => "an impl block (put it on the methods instead)",
        Ok(syn::Item::Trait(_)) => "a trait",
        Ok(syn::Item::Mod(_)) => "a module",
        Ok(syn::Item::Const(_)) | Ok(syn::Item::Static(_)) => "a constant",
        Ok(syn::Item::Type(_)) => "a type alias",
        Ok(syn::Item::Use(_)) => "a `use`",
        _ if syn::parse2::<syn::ExprClosure>(item.clone()).is_ok() => "a closure",
        _ => "something else",
    };
    Err(syn::Error::new(
        item.span(),
        format!("`{attribute}` can only be applied to a function or method (`fn` or `async fn`), not to {found}"),
    ))
}
