//! The expansion engine of both attributes. It assumes a validated [`Spec`]; the presets differ
//! only in family names and identity labels, which the spec carries.
//!
//! The function keeps its attributes, signature and braces (their spans are the user's, so
//! lints such as `dead_code` and `#[expect(..)]` see the function as written). Inside, a
//! `static` call site, then one of four shapes, chosen by what the function is:
//!
//! ```text
//! async fn:               SITE.watch(async move { FAKE_RETURN; { user body } }, classify).await
//! fn returning a future   user statements; Box::pin(SITE.watch(async move { .. }, classify))
//!   (tail `async` block or `Box::pin(async ..)`)
//! fn returning a future   Box::pin(SITE.watch_built::<T, _, _>(move || { user body }, classify))
//!   (any other body)      (without Box::pin for `impl Future`)
//! fn:                     guard = SITE.enter(); ret = call_sync::<T, _>(move || { user body });
//!                         guard.finish(classify!(&ret)); ret
//! #[track_caller] fn:     as fn, with the body in a nested `#[track_caller]` fn instead of a
//!                         closure (closures cannot carry `#[track_caller]` on stable Rust);
//!                         methods without `return` or `?` keep their body inline
//! fn or async fn -> !:    guard = SITE.enter(); { user body }   (it can only diverge)
//! ```
//!
//! `FAKE_RETURN` is tracing-attributes' dead `if false { return <value of the declared type> }`:
//! it fixes the async block's output type before the body is checked, so `return &Thing` into
//! `&dyn Trait`, closures into `Box<dyn Fn>` and byte strings into `&[u8]` still coerce.
//! `Watched` (in the runtime) counts a panic only if it unwinds through the future's own `poll`.

use proc_macro2::{Literal, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{
    AttrStyle, Block, Expr, ExprAsync, ExprCall, FnArg, GenericArgument, GenericParam, Ident,
    ItemFn, Pat, PathArguments, ReturnType, Signature, Stmt, Type, TypeParamBound,
};

use crate::check::{HistogramChoice, ObjectiveSpec, Preset, Spec, StaticValue};

// Hygienic (mixed-site) names, never seen by the user's code; without a leading underscore,
// which clippy's `used_underscore_binding` would report.
const GUARD: &str = "metrics_runtime_guard";
const RET: &str = "metrics_runtime_ret";

pub(crate) fn generate(spec: &Spec, function: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = function;
    let (inner_attrs, outer_attrs): (Vec<_>, Vec<_>) = attrs
        .into_iter()
        .partition(|attr| matches!(attr.style, AttrStyle::Inner(_)));
    let site = site_static(spec, &sig);
    let track_caller = outer_attrs
        .iter()
        .any(|attr| attr.path().is_ident("track_caller"));

    let ret_binding = ident("metrics_runtime_body_value");
    let body = if returns_never(&sig.output) {
        diverging(spec, &block)
    } else if sig.asyncness.is_some() {
        let output = return_type(&sig.output);
        let future = async_block(&quote!(move), &output, &sig.output, &block);
        let watched = watch(spec, future, &output);
        quote!(#watched.await)
    } else if let Some(tail) = returned_future(&block) {
        returned_future_body(spec, &sig.output, &block, tail)
    } else if let Some(boxing) = builds_future(&sig.output, &block) {
        built_future_body(spec, &sig.output, &block, boxing)
    } else if track_caller && !mentions_self(&sig, &block) {
        nested_fn_body(spec, &mut sig, &block)
    } else if track_caller && !returns_early(&block.stmts) {
        // A method cannot move into a nested fn (it names `self`) and a closure would hide the
        // caller: without an early exit the body can stay where it is.
        let output = return_type(&sig.output);
        record_call(
            spec,
            quote!(),
            quote!({ let #ret_binding: #output = #block; #ret_binding }),
        )
    } else {
        let output = return_type(&sig.output);
        let krate = &spec.krate;
        let call = quote!(#krate::__private::call_sync::<#output, _>(move || #block));
        record_call(spec, quote!(), call)
    };

    let mut out = quote!(#(#outer_attrs)* #vis #sig);
    block.brace_token.surround(&mut out, |tokens| {
        tokens.extend(quote!(#(#inner_attrs)*));
        tokens.extend(site);
        tokens.extend(body);
    });
    out
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site().located_at(Span::call_site()))
}

/// Starts the guard, evaluates `call` (the user's body), records its outcome, returns it.
/// `attrs` go on the statement that evaluates `call`.
fn record_call(spec: &Spec, attrs: TokenStream, call: TokenStream) -> TokenStream {
    let krate = &spec.krate;
    let enter = enter_call(spec);
    let (guard, ret) = (ident(GUARD), ident(RET));
    quote! {
        let #guard = #enter;
        #attrs
        let #ret = #call;
        #guard.finish(#krate::classify!(&#ret));
        #ret
    }
}

/// `-> !`: nothing to classify; a drop of the guard is a panic unwinding through the body.
fn diverging(spec: &Spec, block: &Block) -> TokenStream {
    let enter = enter_call(spec);
    let guard = ident(GUARD);
    let statements = &block.stmts;
    quote! {
        let #guard = #enter;
        #(#statements)*
    }
}

/// `async #capture { FAKE_RETURN; { block } }`.
fn async_block(
    capture: &TokenStream,
    output: &Type,
    declared: &ReturnType,
    block: &Block,
) -> TokenStream {
    let span = match declared {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let fake = ident("metrics_runtime_fake_return");
    let fake_return = quote_spanned! {span=>
        #[allow(
            unknown_lints,
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::empty_loop,
            clippy::let_unit_value,
            clippy::let_with_type_underscore,
            clippy::needless_return,
            clippy::unreachable
        )]
        if false {
            let #fake: #output = loop {};
            return #fake;
        }
    };
    // The statements go in directly: braces around them would be `unused_braces`.
    let statements = &block.stmts;
    quote!(async #capture { #fake_return #(#statements)* })
}

/// `SITE.watch(future, |ret| classify!(ret))`, with dynamic labels when there are some.
fn watch(spec: &Spec, future: TokenStream, output: &Type) -> TokenStream {
    let krate = &spec.krate;
    let ret = ident(RET);
    let classify = quote!(|#ret: &#output| #krate::classify!(#ret));
    let binding = ident("metrics_runtime_future");
    let future = quote! {
        {
            // The wrapped block is ours: lints about async blocks are not about the user's code.
            #[allow(clippy::async_yields_async, clippy::redundant_async_block)]
            let #binding = #future;
            #binding
        }
    };
    if spec.dynamic_labels.is_empty() {
        quote!(__METRICS_RUNTIME_SITE.watch(#future, #classify))
    } else {
        let labels = dynamic_label_values(spec);
        quote!(__METRICS_RUNTIME_SITE.watch_with(&[#(#labels),*], #future, #classify))
    }
}

/// A function that returns an `async` block or `Box::pin(async ..)` after some statements: the
/// statements run at the call, the future is measured from its first poll to its completion.
fn returned_future_body(
    spec: &Spec,
    declared: &ReturnType,
    block: &Block,
    tail: ReturnedFuture<'_>,
) -> TokenStream {
    let statements = &block.stmts[..block.stmts.len() - 1];
    let output = future_output(declared);
    let inner = tail.future;
    let capture = &inner.capture;
    let future = async_block(
        &quote!(#capture),
        &output,
        &ReturnType::Default,
        &inner.block,
    );
    let watched = watch(spec, future, &output);
    let tail = match tail.boxing {
        Some(boxing) => quote!(#boxing(#watched)),
        None => watched,
    };
    quote! {
        #(#statements)*
        #tail
    }
}

/// Whether a sync function returns a future built by statements of its own: `Some(true)` when
/// it is boxed (`Pin<Box<dyn Future ..>>`, `BoxFuture`, a tail `Box::pin(..)` or `.boxed()`),
/// `Some(false)` for `impl Future`. Other return types (a future behind a type alias, a named
/// future type) cannot be recognised by their spelling and are measured as plain calls.
fn builds_future(output: &ReturnType, block: &Block) -> Option<bool> {
    fn last_ident(path: &syn::Path) -> String {
        path.segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default()
    }
    fn is_future_bound<'a>(mut bounds: impl Iterator<Item = &'a TypeParamBound>) -> bool {
        bounds.any(|bound| matches!(bound, TypeParamBound::Trait(bound) if last_ident(&bound.path) == "Future"))
    }
    fn boxes_dyn_future(ty: &Type) -> bool {
        match strip_groups(ty) {
            Type::TraitObject(object) => is_future_bound(object.bounds.iter()),
            Type::Path(path) => path.path.segments.last().is_some_and(|segment| {
                matches!(&segment.arguments, PathArguments::AngleBracketed(args)
                    if args.args.iter().any(|arg| matches!(arg, GenericArgument::Type(inner) if boxes_dyn_future(inner))))
            }),
            _ => false,
        }
    }
    if let ReturnType::Type(_, ty) = output {
        match strip_groups(ty) {
            Type::ImplTrait(bounds) if is_future_bound(bounds.bounds.iter()) => return Some(false),
            Type::Path(path) => {
                let name = last_ident(&path.path);
                if name == "BoxFuture" || name == "LocalBoxFuture" {
                    return Some(true);
                }
                if name == "Pin" && boxes_dyn_future(ty) {
                    return Some(true);
                }
            }
            _ => {}
        }
    }
    let Some(Stmt::Expr(tail, None)) = block.stmts.last() else {
        return None;
    };
    let boxed = match tail {
        Expr::Call(ExprCall { func, .. }) => matches!(&**func, Expr::Path(path)
            if path.path.segments.len() >= 2
                && last_ident(&path.path) == "pin"
                && path.path.segments[path.path.segments.len() - 2].ident == "Box"),
        Expr::MethodCall(call) => {
            call.args.is_empty() && (call.method == "boxed" || call.method == "boxed_local")
        }
        _ => false,
    };
    boxed.then_some(true)
}

/// A function that builds the future it returns with statements of its own: they run in a
/// closure at the call (a panic there counts as `panic`), the future is measured from its first
/// poll. The closure's return type is the declared one, so every `return` coerces to it.
fn built_future_body(
    spec: &Spec,
    declared: &ReturnType,
    block: &Block,
    boxed: bool,
) -> TokenStream {
    let krate = &spec.krate;
    let future_type = return_type(declared);
    let output = future_output(declared);
    let ret = ident(RET);
    let classify = quote!(|#ret: &#output| #krate::classify!(#ret));
    let build = quote!(move || #block);
    let watched = if spec.dynamic_labels.is_empty() {
        quote!(__METRICS_RUNTIME_SITE.watch_built::<#future_type, _, _>(#build, #classify))
    } else {
        let labels = dynamic_label_values(spec);
        quote!(__METRICS_RUNTIME_SITE.watch_built_with::<#future_type, _, _>(&[#(#labels),*], #build, #classify))
    };
    if boxed {
        quote!(::std::boxed::Box::pin(#watched))
    } else {
        watched
    }
}

/// `#[track_caller]` functions: the body moves into a nested function that keeps the attribute,
/// so `Location::caller()` and panics in the body name the caller of the instrumented function.
fn nested_fn_body(spec: &Spec, sig: &mut Signature, block: &Block) -> TokenStream {
    let inner_ident = ident("__metrics_runtime_body");
    let mut inner_sig = sig.clone();
    inner_sig.ident = inner_ident.clone();
    inner_sig.abi = None;
    let mut arguments = Vec::new();
    for (index, input) in sig.inputs.iter_mut().enumerate() {
        if let FnArg::Typed(typed) = input {
            match &*typed.pat {
                Pat::Ident(pat)
                    if pat.by_ref.is_none() && pat.mutability.is_none() && pat.subpat.is_none() =>
                {
                    arguments.push(pat.ident.clone());
                }
                _ => {
                    let name = ident(&format!("__metrics_runtime_arg{index}"));
                    *typed.pat = syn::parse_quote!(#name);
                    arguments.push(name);
                }
            }
        }
    }
    let impl_trait_argument = sig.inputs.iter().any(|input| match input {
        FnArg::Typed(typed) => contains_impl_trait(&typed.ty),
        FnArg::Receiver(_) => false,
    });
    let generics: Vec<&Ident> = sig
        .generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(param) => Some(&param.ident),
            GenericParam::Const(param) => Some(&param.ident),
            GenericParam::Lifetime(_) => None,
        })
        .collect();
    let turbofish = if generics.is_empty() || impl_trait_argument {
        quote!()
    } else {
        quote!(::<#(#generics),*>)
    };
    let record = if sig.unsafety.is_some() {
        record_call(
            spec,
            quote!(#[allow(unused_unsafe)]),
            quote!(unsafe { #inner_ident #turbofish (#(#arguments),*) }),
        )
    } else {
        record_call(
            spec,
            quote!(),
            quote!(#inner_ident #turbofish (#(#arguments),*)),
        )
    };
    quote! {
        #[track_caller]
        #[inline]
        #[allow(clippy::missing_const_for_fn)]
        #inner_sig #block
        #record
    }
}

/// The call that starts a call: with the dynamic label values read from the arguments.
fn enter_call(spec: &Spec) -> TokenStream {
    if spec.dynamic_labels.is_empty() {
        return quote!(__METRICS_RUNTIME_SITE.enter());
    }
    let values = dynamic_label_values(spec);
    quote!(__METRICS_RUNTIME_SITE.enter_with(&[#(#values),*]))
}

fn dynamic_label_values(spec: &Spec) -> impl Iterator<Item = TokenStream> + '_ {
    let krate = &spec.krate;
    spec.dynamic_labels.iter().map(move |(_, expr)| {
        // The bound `T: LabelValue` is checked at the user's expression.
        quote_spanned!(expr.span()=> #krate::__private::dynamic_label(&(#expr)))
    })
}

fn site_static(spec: &Spec, sig: &Signature) -> TokenStream {
    let krate = &spec.krate;
    let name = sig.ident.to_string();
    let name = name.trim_start_matches("r#");
    let family = &spec.family;
    let named = spec.named;
    let calls = format!("{family}_calls_total");
    let duration = format!("{family}_call_duration_seconds");
    let errors = format!("{family}_errors_total");
    let in_flight = format!("{family}_calls_in_flight");
    let [first, second] = spec.preset.identity_labels();
    let (kind, identity_first, identity_second) = match spec.preset {
        Preset::Monitored => (
            quote!(Monitored),
            quote!(#name),
            quote!(::core::module_path!()),
        ),
        Preset::ToolCall => {
            let server = match &spec.server {
                Some(server) => quote!(#server),
                None => quote!(::core::env!("CARGO_PKG_NAME")),
            };
            let tool = match &spec.tool {
                Some(tool) => quote!(#tool),
                None => quote!(#name),
            };
            (quote!(ToolCall), server, tool)
        }
    };
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
    let histogram = match spec.histogram {
        Some(choice) => {
            let variant = Ident::new(choice.variant(), Span::call_site());
            quote!(::core::option::Option::Some(#krate::__private::HistogramBuckets::#variant))
        }
        None => quote!(::core::option::Option::None),
    };
    // A `const` objective is checked by const evaluation against the same bounds; an inline
    // one was checked in `check.rs` and is built here.
    let (objective, objective_check) = match &spec.objective {
        None => (quote!(::core::option::Option::None), quote!()),
        Some(ObjectiveSpec::Path(path)) => {
            let bounds = match &spec.buckets {
                Some(bounds) => {
                    let bounds = bounds.iter().map(|bound| Literal::f64_suffixed(*bound));
                    quote!(&[#(#bounds),*])
                }
                None => quote!(#krate::DEFAULT_BUCKETS),
            };
            let native_only = spec.histogram == Some(HistogramChoice::Native);
            let check = quote_spanned! {path.span()=>
                const _: bool = #krate::__private::objective_fits(&#path, #bounds, #native_only);
            };
            (quote!(::core::option::Option::Some(&#path)), check)
        }
        Some(ObjectiveSpec::Inline {
            name,
            success,
            latency,
        }) => {
            let success = success.map(|percent| {
                let percent = Literal::f64_suffixed(percent);
                quote!(.success(#percent))
            });
            let latency = latency.map(|(threshold, percent)| {
                let threshold = Literal::f64_suffixed(threshold);
                let percent = Literal::f64_suffixed(percent);
                quote!(.latency(#threshold, #percent))
            });
            (
                quote!(::core::option::Option::Some(
                    &#krate::Objective::new(#name) #success #latency
                )),
                quote!(),
            )
        }
    };
    quote! {
        #objective_check
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
                histogram: #histogram,
                objective: #objective,
            });
        #krate::__private::inventory::submit! {
            #krate::__private::SiteRef(&__METRICS_RUNTIME_SITE)
        }
    }
}

fn returns_never(output: &ReturnType) -> bool {
    match output {
        ReturnType::Type(_, ty) => matches!(strip_groups(ty), Type::Never(_)),
        ReturnType::Default => false,
    }
}

fn strip_groups(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => strip_groups(&group.elem),
        Type::Paren(paren) => strip_groups(&paren.elem),
        other => other,
    }
}

/// The type a generated binding of the returned value gets: the declared type with
/// `impl Trait` (not nameable in a body) and `!` replaced by `_`.
fn return_type(output: &ReturnType) -> Type {
    match output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => erase_unnameable(ty),
    }
}

fn erase_unnameable(ty: &Type) -> Type {
    let mut ty = ty.clone();
    EraseUnnameable.visit_type_mut(&mut ty);
    ty
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

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl Visit<'_> for Finder {
        fn visit_type_impl_trait(&mut self, _: &syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0
}

/// Whether the function uses `self` or `Self`, which a nested function cannot name.
fn mentions_self(sig: &Signature, block: &Block) -> bool {
    fn in_tokens(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) => ident == "self" || ident == "Self",
            TokenTree::Group(group) => in_tokens(group.stream()),
            _ => false,
        })
    }
    in_tokens(sig.to_token_stream()) || in_tokens(block.to_token_stream())
}

/// The tail of a body that builds the future it returns.
struct ReturnedFuture<'a> {
    /// `Box::pin` (the path as written), or `None` for a bare `async` block.
    boxing: Option<&'a Expr>,
    future: &'a ExprAsync,
}

/// `{ statements; async move { .. } }` or `{ statements; Box::pin(async move { .. }) }`, the
/// shapes `#[async_trait]`, rmcp's `#[tool]` and hand-written `impl Future` functions have.
/// Statements that `return` early would skip the measured future: such bodies are measured as
/// plain calls.
fn returned_future(block: &Block) -> Option<ReturnedFuture<'_>> {
    let (Stmt::Expr(tail, None), statements) = block.stmts.split_last()? else {
        return None;
    };
    let tail = match tail {
        Expr::Async(future) => ReturnedFuture {
            boxing: None,
            future,
        },
        Expr::Call(ExprCall { func, args, .. }) => {
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
                Expr::Async(future) => ReturnedFuture {
                    boxing: Some(func),
                    future,
                },
                _ => return None,
            }
        }
        _ => return None,
    };
    (!returns_early(statements)).then_some(tail)
}

/// Whether any of `statements` leaves the function with `return` or `?`.
fn returns_early(statements: &[Stmt]) -> bool {
    let mut finder = EarlyReturn(false);
    for statement in statements {
        finder.visit_stmt(statement);
    }
    finder.0
}

/// Finds `return` and `?` that leave the function itself (not those of nested closures, async
/// blocks or items).
struct EarlyReturn(bool);

impl Visit<'_> for EarlyReturn {
    fn visit_expr_return(&mut self, _: &syn::ExprReturn) {
        self.0 = true;
    }
    fn visit_expr_try(&mut self, _: &syn::ExprTry) {
        self.0 = true;
    }
    fn visit_expr_closure(&mut self, _: &syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &syn::ExprAsync) {}
    fn visit_item(&mut self, _: &syn::Item) {}
}

/// `T` of `impl Future<Output = T>` or `Pin<Box<dyn Future<Output = T> + ..>>`, or `_`.
fn future_output(output: &ReturnType) -> Type {
    fn in_path(path: &syn::Path) -> Option<Type> {
        let last = path.segments.last()?;
        if last.ident == "BoxFuture" || last.ident == "LocalBoxFuture" {
            if let PathArguments::AngleBracketed(args) = &last.arguments {
                return args.args.iter().rev().find_map(|arg| match arg {
                    GenericArgument::Type(output) => Some(output.clone()),
                    _ => None,
                });
            }
        }
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
    fn in_bounds<'a>(bounds: impl IntoIterator<Item = &'a TypeParamBound>) -> Option<Type> {
        bounds.into_iter().find_map(|bound| match bound {
            TypeParamBound::Trait(bound) => in_path(&bound.path),
            _ => None,
        })
    }
    fn in_type(ty: &Type) -> Option<Type> {
        match ty {
            Type::Path(path) => in_path(&path.path),
            Type::TraitObject(object) => in_bounds(&object.bounds),
            Type::ImplTrait(object) => in_bounds(&object.bounds),
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
        Some(ty) => erase_unnameable(&ty),
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
