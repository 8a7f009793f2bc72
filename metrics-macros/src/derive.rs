//! `#[derive(LabelValue)]` and `#[derive(ErrorLabel)]`: parse, check, expand, in that order.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields, LitStr, Path};

use crate::check::Errors;
use crate::names::snake_case;

/// Options read from `#[label(...)]` / `#[error_label(...)]`.
#[derive(Default)]
struct Options {
    rename: Option<LitStr>,
    transparent: bool,
    krate: Option<Path>,
}

/// Which keys an attribute accepts where.
struct Allowed {
    rename: bool,
    transparent: bool,
    krate: bool,
}

fn options(attrs: &[Attribute], attr_name: &str, allowed: Allowed, errors: &mut Errors) -> Options {
    let mut options = Options::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(attr_name)) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") && allowed.rename {
                let value: LitStr = meta.value()?.parse()?;
                if value.value().is_empty() {
                    return Err(syn::Error::new(value.span(), "a label value must not be empty: Prometheus treats an empty value as a missing label"));
                }
                options.rename = Some(value);
            } else if meta.path.is_ident("transparent") && allowed.transparent {
                options.transparent = true;
            } else if meta.path.is_ident("crate") && allowed.krate {
                let value: LitStr = meta.value()?.parse()?;
                options.krate = Some(crate::check::crate_literal(&value)?);
            } else {
                let mut expected = Vec::new();
                if allowed.rename {
                    expected.push("`rename = \"...\"`");
                }
                if allowed.transparent {
                    expected.push("`transparent`");
                }
                if allowed.krate {
                    expected.push("`crate = \"...\"`");
                }
                let name = meta.path.get_ident().map_or_else(|| "?".to_owned(), |i| i.to_string());
                return Err(meta.error(format!("unknown option `{name}` of `#[{attr_name}]` here: expected {}", expected.join(" or "))));
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.add(error);
        }
    }
    options
}

fn runtime_path(options: &Options) -> Path {
    options
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::metrics_runtime))
}

pub(crate) fn label_value(input: DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let type_options = options(
        &input.attrs,
        "label",
        Allowed {
            rename: false,
            transparent: false,
            krate: true,
        },
        &mut errors,
    );
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "`#[derive(LabelValue)]` needs a fieldless enum: its variants are the label's only values",
        ));
    };
    if data.variants.is_empty() {
        errors.push(input.ident.span(), "`#[derive(LabelValue)]` needs at least one variant: an empty enum has no value to label with");
    }
    let mut values: Vec<(String, proc_macro2::Span)> = Vec::new();
    let mut arms_index = Vec::new();
    let mut arms_value = Vec::new();
    for (index, variant) in data.variants.iter().enumerate() {
        let variant_options = options(
            &variant.attrs,
            "label",
            Allowed {
                rename: true,
                transparent: false,
                krate: false,
            },
            &mut errors,
        );
        if !matches!(variant.fields, Fields::Unit) {
            errors.push(
                variant.fields.span(),
                format!("variant `{}` has fields: a label value must come from a fixed set, so `#[derive(LabelValue)]` takes fieldless variants only", variant.ident),
            );
        }
        let value = variant_options
            .rename
            .as_ref()
            .map_or_else(|| snake_case(&variant.ident.to_string()), LitStr::value);
        let span = variant_options
            .rename
            .as_ref()
            .map_or_else(|| variant.ident.span(), LitStr::span);
        if let Some((_, first)) = values.iter().find(|(existing, _)| *existing == value) {
            let mut error = syn::Error::new(span, format!("two variants have the label value `{value}`; rename one with `#[label(rename = \"...\")]`"));
            error.combine(syn::Error::new(
                *first,
                format!("`{value}` first used here"),
            ));
            errors.add(error);
        }
        values.push((value.clone(), span));
        let ident = &variant.ident;
        arms_index.push(quote!(Self::#ident => #index));
        arms_value.push(quote!(Self::#ident => #value));
    }
    errors.finish(())?;
    let krate = runtime_path(&type_options);
    let name = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let all_values = values.iter().map(|(value, _)| value);
    // Every variant is a label value exported at zero, so none is dead code, even in a
    // program that never constructs it.
    let variants = data.variants.iter().map(|variant| &variant.ident);
    let uses = if input.generics.params.is_empty() {
        quote! {
            const _: () = {
                #(let _ = #name::#variants;)*
            };
        }
    } else {
        TokenStream::new()
    };
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::LabelValue for #name #type_generics #where_clause {
            fn label_values() -> ::core::option::Option<&'static [&'static str]> {
                ::core::option::Option::Some(&[#(#all_values),*])
            }
            fn label_index(&self) -> usize {
                match self { #(#arms_index,)* }
            }
            fn label_value(&self) -> &'static str {
                match self { #(#arms_value,)* }
            }
        }
        #[automatically_derived]
        impl #impl_generics #krate::FixedLabelValue for #name #type_generics #where_clause {}
        #uses
    })
}

pub(crate) fn error_label(input: DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let name = &input.ident;
    let body = match &input.data {
        Data::Enum(data) => {
            let type_options = options(
                &input.attrs,
                "error_label",
                Allowed {
                    rename: false,
                    transparent: false,
                    krate: true,
                },
                &mut errors,
            );
            let arms: Vec<TokenStream> = data
                .variants
                .iter()
                .map(|variant| {
                    let variant_options =
                        options(&variant.attrs, "error_label", Allowed { rename: true, transparent: true, krate: false }, &mut errors);
                    let ident = &variant.ident;
                    if variant_options.transparent {
                        if variant.fields.len() != 1 {
                            errors.push(
                                variant.ident.span(),
                                "`#[error_label(transparent)]` needs a variant with exactly one field, whose `ErrorLabel` gives the label",
                            );
                        }
                        let krate = runtime_path(&type_options);
                        return match &variant.fields {
                            Fields::Named(fields) => {
                                let field = fields.named.first().and_then(|f| f.ident.as_ref());
                                quote!(Self::#ident { #field: inner, .. } => #krate::ErrorLabel::error_label(inner))
                            }
                            _ => quote!(Self::#ident(inner, ..) => #krate::ErrorLabel::error_label(inner)),
                        };
                    }
                    let value = variant_options.rename.as_ref().map_or_else(|| snake_case(&ident.to_string()), LitStr::value);
                    match &variant.fields {
                        Fields::Unit => quote!(Self::#ident => #value),
                        Fields::Unnamed(_) => quote!(Self::#ident(..) => #value),
                        Fields::Named(_) => quote!(Self::#ident { .. } => #value),
                    }
                })
                .collect();
            let krate = runtime_path(&type_options);
            let body = if arms.is_empty() {
                quote!(match *self {})
            } else {
                quote!(match self { #(#arms,)* })
            };
            (krate, body)
        }
        Data::Struct(_) => {
            let type_options = options(
                &input.attrs,
                "error_label",
                Allowed {
                    rename: true,
                    transparent: false,
                    krate: true,
                },
                &mut errors,
            );
            let value = type_options
                .rename
                .as_ref()
                .map_or_else(|| snake_case(&name.to_string()), LitStr::value);
            (runtime_path(&type_options), quote!(#value))
        }
        Data::Union(_) => {
            return Err(syn::Error::new(
                name.span(),
                "`#[derive(ErrorLabel)]` needs an enum or a struct",
            ));
        }
    };
    errors.finish(())?;
    let (krate, body) = body;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::ErrorLabel for #name #type_generics #where_clause {
            fn error_label(&self) -> &'static str {
                #body
            }
        }
    })
}
