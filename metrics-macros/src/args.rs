//! The argument grammar of `#[monitored(...)]` and `#[tool_call(...)]`, parsed into plain
//! syntax with spans. Nothing is judged here beyond syntax; `check.rs` does that.
//!
//! ```text
//! args   := (arg),*
//! arg    := key "=" expr | "labels" "(" (label),* ")"
//! label  := (ident | string) "=" expr
//! ```

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{token, Expr, Ident, LitStr, Token};

/// One `key = value` or `labels(...)`.
pub(crate) struct Arg {
    pub key: Ident,
    pub value: ArgValue,
}

pub(crate) enum ArgValue {
    Expr(Expr),
    Labels {
        labels: Vec<LabelArg>,
    },
    /// A key without a value, kept so the error can say what it expected.
    Missing,
}

/// A label name as written: an identifier (keywords allowed, `type = ...`) or a string.
pub(crate) enum LabelName {
    Ident(Ident),
    Str(LitStr),
}

impl LabelName {
    pub fn value(&self) -> String {
        match self {
            LabelName::Ident(ident) => ident.unraw().to_string(),
            LabelName::Str(lit) => lit.value(),
        }
    }

    pub fn span(&self) -> Span {
        match self {
            LabelName::Ident(ident) => ident.span(),
            LabelName::Str(lit) => lit.span(),
        }
    }
}

pub(crate) struct LabelArg {
    pub name: LabelName,
    pub value: Expr,
}

pub(crate) struct Args {
    pub args: Vec<Arg>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let args = Punctuated::<Arg, Token![,]>::parse_terminated(input)?;
        Ok(Args {
            args: args.into_iter().collect(),
        })
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // `crate` is a keyword; every key is read as an identifier of any kind.
        let key = Ident::parse_any(input)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            ArgValue::Expr(input.parse()?)
        } else if input.peek(token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let labels = Punctuated::<LabelArg, Token![,]>::parse_terminated(&content)?;
            ArgValue::Labels {
                labels: labels.into_iter().collect(),
            }
        } else if input.is_empty() || input.peek(Token![,]) {
            ArgValue::Missing
        } else {
            return Err(input.error(format!("expected `=` or `(...)` after `{key}`")));
        };
        Ok(Arg { key, value })
    }
}

impl Parse for LabelArg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = if input.peek(LitStr) {
            LabelName::Str(input.parse()?)
        } else if input.peek(Ident::peek_any) {
            LabelName::Ident(Ident::parse_any(input)?)
        } else {
            return Err(input.error("expected a label name, e.g. `labels(agent = \"crawler\")`"));
        };
        if !input.peek(Token![=]) {
            return Err(syn::Error::new(
                name.span(),
                format!(
                    "label `{}` needs a value: `{} = \"value\"` or `{} = argument`",
                    name.value(),
                    name.value(),
                    name.value()
                ),
            ));
        }
        input.parse::<Token![=]>()?;
        Ok(LabelArg {
            name,
            value: input.parse()?,
        })
    }
}
