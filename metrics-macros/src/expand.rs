//! The expansion engine of both attributes. It assumes a validated [`Spec`]; the presets differ
//! only in family names and identity labels, which the spec carries.
//!
//! The function keeps its signature and attributes; its body becomes
//!
//! ```text
//! static SITE: CallSite = ...;            // names, labels, buckets; registered in the catalog
//! let guard = SITE.enter();               // in flight +1, clock starts
//! let ret = call_sync::<T, _>(move || { user body });        // or, async: typed_future(async move { .. }).await
//! guard.finish(classify!(&ret));          // ok / error + error_type; a panic or a drop records panic / cancelled
//! ret
//! ```
//!
//! The user's block is moved in whole, so its spans (and error messages) stay on the user's code.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    Block, Expr, ExprAsync, ExprCall, GenericArgument, ItemFn, PathArguments, ReturnType, Stmt,
    Type, TypeParamBound,
};

use crate::check::{Preset, Spec, StaticValue};

pub(crate) fn generate(spec: &Spec, mut function: ItemFn) -> TokenStream {
    let site = site_static(spec, &function);
    let krate = &spec.krate;
    let enter = enter_call(spec);

    let body = if function.sig.asyncness.is_some() {
        let output = return_type(&function.sig.output);
        instrument_future(krate, &enter, &output, &quote!(move), &function.block)
    } else if let Some((boxing, inner)) = boxed_async_block(&function.block) {
        // `#[async_trait]` and rmcp's `#[tool]` turn `async fn` into `fn` returning
        // `Box::pin(async move { .. })`: time the inner future, not the allocation.
        let output = boxed_future_output(&function.sig.output);
        let capture = &inner.capture;
        let instrumented =
            instrument_future(krate, &enter, &output, &quote!(#capture), &inner.block);
        quote! { #boxing(async #capture { #instrumented }) }
    } else {
        let output = return_type(&function.sig.output);
        let block = &function.block;
        let call = quote!(#krate::__private::call_sync::<#output, _>(move || #block));
        record_call(krate, &enter, call)
    };

    *function.block = syn::parse_quote!({
        #site
        #body
    });
    quote!(#function)
}

/// `capture` is `move` for an `async fn` (its arguments belong to its future) and whatever the
/// original block had for a `Box::pin(async { .. })` body.
fn instrument_future(
    krate: &syn::Path,
    enter: &TokenStream,
    output: &Type,
    capture: &TokenStream,
    block: &Block,
) -> TokenStream {
    let call = quote!(#krate::__private::typed_future::<#output, _>(async #capture #block).await);
    record_call(krate, enter, call)
}

/// Starts the guard, evaluates `call` (the user's body), records its outcome, returns it.
fn record_call(krate: &syn::Path, enter: &TokenStream, call: TokenStream) -> TokenStream {
    quote! {
        let __metrics_runtime_guard = #enter;
        let __metrics_runtime_ret = #call;
        __metrics_runtime_guard.finish(#krate::classify!(&__metrics_runtime_ret));
        __metrics_runtime_ret
    }
}

/// The call that starts a call: with the dynamic label values read from the arguments.
fn enter_call(spec: &Spec) -> TokenStream {
    let krate = &spec.krate;
    if spec.dynamic_labels.is_empty() {
        return quote!(__METRICS_RUNTIME_SITE.enter());
    }
    let values = spec.dynamic_labels.iter().map(|(_, expr)| {
        // The bound `T: LabelValue` is checked at the user's expression.
        quote_spanned!(expr.span()=> #krate::__private::dynamic_label(&(#expr)))
    });
    quote!(__METRICS_RUNTIME_SITE.enter_with(&[#(#values),*]))
}

fn site_static(spec: &Spec, function: &ItemFn) -> TokenStream {
    let krate = &spec.krate;
    let name = function.sig.ident.to_string();
    let name = name.trim_start_matches("r#");
    let family = &spec.family;
    let named = spec.named;
    let calls = format!("{family}_calls_total");
    let duration = format!("{family}_call_duration_seconds");
    let errors = format!("{family}_errors_total");
    let in_flight = format!("{family}_calls_in_flight");
    let [first, second] = spec.preset.identity_labels();
    let (kind, identity) = match spec.preset {
        Preset::Monitored => (quote!(Monitored), quote!(#name, ::core::module_path!())),
        Preset::ToolCall => {
            let server = match &spec.server {
                Some(server) => quote!(#server),
                None => quote!(::core::env!("CARGO_PKG_NAME")),
            };
            let tool = match &spec.tool {
                Some(tool) => quote!(#tool),
                None => quote!(#name),
            };
            (quote!(ToolCall), quote!(#server, #tool))
        }
    };
    let (identity_first, identity_second) = split_pair(identity);
    let static_labels = spec.static_labels.iter().map(|(label, value)| match value {
        StaticValue::Literal(lit) => quote!((#label, #lit)),
        StaticValue::Const(path) => quote!((#label, #path)),
    });
    let dynamic_names = spec.dynamic_labels.iter().map(|(label, _)| label);
    let buckets = match &spec.buckets {
        Some(bounds) => {
            let bounds = bounds.iter().map(|bound| Literal::f64_suffixed(*bound));
            quote!(::core::option::Option::Some(&[#(#bounds),*]))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        static __METRICS_RUNTIME_SITE: #krate::__private::CallSite =
            #krate::__private::CallSite::new(&#krate::__private::SiteInfo {
                kind: #krate::__private::SiteKind::#kind,
                families: #krate::__private::FamilyNames {
                    calls: #calls,
                    duration: #duration,
                    errors: #errors,
                    in_flight: #in_flight,
                },
                named: #named,
                function: #name,
                module: ::core::module_path!(),
                file: ::core::file!(),
                line: ::core::line!(),
                labels: &[(#first, #identity_first), (#second, #identity_second) #(, #static_labels)*],
                dynamic_labels: &[#(#dynamic_names),*],
                buckets: #buckets,
            });
        #krate::__private::inventory::submit! {
            #krate::__private::SiteRef(&__METRICS_RUNTIME_SITE)
        }
    }
}

/// Splits `a, b` produced by `quote!` into its two halves.
fn split_pair(tokens: TokenStream) -> (TokenStream, TokenStream) {
    let mut first = TokenStream::new();
    let mut second = TokenStream::new();
    let mut past_comma = false;
    for token in tokens {
        match &token {
            proc_macro2::TokenTree::Punct(p) if p.as_char() == ',' && !past_comma => {
                past_comma = true
            }
            _ if past_comma => second.extend([token]),
            _ => first.extend([token]),
        }
    }
    (first, second)
}

/// The type a generated binding of the returned value gets: the declared type with
/// `impl Trait` (not nameable in a body) and `!` replaced by `_`.
fn return_type(output: &ReturnType) -> Type {
    match output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => {
            let mut ty = (**ty).clone();
            EraseUnnameable.visit_type_mut(&mut ty);
            ty
        }
    }
}

struct EraseUnnameable;

impl VisitMut for EraseUnnameable {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        match ty {
            Type::ImplTrait(_) | Type::Never(_) => {
                *ty = Type::Infer(syn::TypeInfer {
                    underscore_token: Default::default(),
                })
            }
            _ => syn::visit_mut::visit_type_mut(self, ty),
        }
    }
}

/// `{ Box::pin(async move { .. }) }`: the boxing call's function path and the async block.
fn boxed_async_block(block: &Block) -> Option<(&Expr, &ExprAsync)> {
    let [Stmt::Expr(Expr::Call(ExprCall { func, args, .. }), None)] = block.stmts.as_slice() else {
        return None;
    };
    let Expr::Path(path) = &**func else {
        return None;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if !segments.ends_with(&["Box".to_owned(), "pin".to_owned()]) || args.len() != 1 {
        return None;
    }
    match &args[0] {
        Expr::Async(inner) => Some((func, inner)),
        _ => None,
    }
}

/// `T` of `Pin<Box<dyn Future<Output = T> + ..>>`, or `_`.
fn boxed_future_output(output: &ReturnType) -> Type {
    fn in_path(path: &syn::Path) -> Option<Type> {
        path.segments
            .iter()
            .find_map(|segment| match &segment.arguments {
                PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
                    GenericArgument::AssocType(assoc) if assoc.ident == "Output" => {
                        Some(assoc.ty.clone())
                    }
                    GenericArgument::Type(inner) => in_type(inner),
                    _ => None,
                }),
                _ => None,
            })
    }
    fn in_type(ty: &Type) -> Option<Type> {
        match ty {
            Type::Path(path) => in_path(&path.path),
            Type::TraitObject(object) => object.bounds.iter().find_map(|bound| match bound {
                TypeParamBound::Trait(bound) => in_path(&bound.path),
                _ => None,
            }),
            Type::Paren(inner) => in_type(&inner.elem),
            Type::Group(inner) => in_type(&inner.elem),
            _ => None,
        }
    }
    let found = match output {
        ReturnType::Type(_, ty) => in_type(ty),
        ReturnType::Default => None,
    };
    match found {
        Some(ty) => return_type(&ReturnType::Type(Default::default(), Box::new(ty))),
        None => Type::Infer(syn::TypeInfer {
            underscore_token: Default::default(),
        }),
    }
}

/// What replaces an item the attribute refused: the item unchanged, so that the user sees the
/// attribute's errors and not a cascade of errors about a missing function.
pub(crate) fn fallback(item: TokenStream, error: syn::Error) -> TokenStream {
    let errors = error.to_compile_error();
    quote!(#errors #item)
}
