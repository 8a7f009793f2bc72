//! Property test: whatever tokens the attributes and derives are given, they never panic. Every
//! input gets either a `compile_error!` (which keeps the user's item, so that the user sees one
//! error and not a cascade) or an expansion that parses.
//!
//! The generators know the grammar (`args.rs`, `check.rs`, `derive.rs`): most cases are
//! `key = value` lists made of real and misspelt keys with hostile values, put on hostile
//! functions; some are well-formed (so the expansion is reached too); a few are token soup.
//! Each case has its own PRNG stream, derived from the seed and the case index, so one failing
//! case can be re-run alone.
//!
//! Configuration (environment):
//! - `METRICS_MACROS_FUZZ_CASES`: attribute cases (default [`DEFAULT_CASES`]); the derive test
//!   runs a quarter of that.
//! - `METRICS_MACROS_FUZZ_SEED`: the seed, decimal or `0x` hex (default [`DEFAULT_SEED`], so CI
//!   is deterministic).
//! - `METRICS_MACROS_FUZZ_ONLY`: run only the case with this index (what a failure report says).
//! - `METRICS_MACROS_FUZZ_VERBOSE`: also list every diagnostic the attribute cases reached.
//!
//! ```text
//! METRICS_MACROS_FUZZ_CASES=1000000 \
//!     cargo test -p metrics-macros --release fuzz -- --nocapture
//! ```

use std::any::Any;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

use crate::check::Preset;

/// Attribute cases of a plain `cargo test`: about 6 s in a debug build on 2 cores (20 000 take
/// 11 s, too close to the 15 s budget when other builds share the machine).
const DEFAULT_CASES: usize = 10_000;
const DEFAULT_SEED: u64 = 0x6d65_7472_6963_7321;
/// The test stops after this many failing cases.
const MAX_FAILURES: usize = 5;

// ---------------------------------------------------------------------------------------------
// Configuration and the PRNG.

struct Config {
    seed: u64,
    cases: usize,
    only: Option<usize>,
}

impl Config {
    fn from_env() -> Config {
        fn number(name: &str) -> Option<u64> {
            let text = std::env::var(name).ok()?;
            let text = text.trim().replace('_', "");
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            Some(parsed.unwrap_or_else(|_| panic!("{name}={text:?} is not a number")))
        }
        Config {
            seed: number("METRICS_MACROS_FUZZ_SEED").unwrap_or(DEFAULT_SEED),
            cases: number("METRICS_MACROS_FUZZ_CASES").map_or(DEFAULT_CASES, |n| n as usize),
            only: number("METRICS_MACROS_FUZZ_ONLY").map(|n| n as usize),
        }
    }

    fn indices(&self, cases: usize) -> Vec<usize> {
        match self.only {
            Some(index) => vec![index],
            None => (0..cases).collect(),
        }
    }
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent stream for one case.
    fn for_case(seed: u64, stream: u64, index: usize) -> Rng {
        let base = Rng::new(seed ^ stream.rotate_left(29)).next();
        let mut rng = Rng::new(base ^ (index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `0..n`, `n > 0`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `low..=high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---------------------------------------------------------------------------------------------
// Token helpers.

/// Source text of the generator itself: it always lexes.
fn lex(text: &str) -> TokenStream {
    text.parse()
        .unwrap_or_else(|error| panic!("fuzz generator bug: {text:?} does not lex: {error}"))
}

fn span(rng: &mut Rng) -> Span {
    if rng.percent(10) {
        Span::mixed_site()
    } else {
        Span::call_site()
    }
}

/// `r#name` as a raw identifier, anything else as is; `name` must be a valid identifier.
fn ident(name: &str) -> TokenTree {
    let span = Span::call_site();
    TokenTree::Ident(match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, span),
        None => Ident::new(name, span),
    })
}

fn group(delimiter: Delimiter, inner: TokenStream) -> TokenTree {
    TokenTree::Group(Group::new(delimiter, inner))
}

fn any_delimiter(rng: &mut Rng) -> Delimiter {
    rng.pick(&[
        Delimiter::Parenthesis,
        Delimiter::Bracket,
        Delimiter::Brace,
        Delimiter::None,
    ])
}

/// `=>`, `::`, `'`: joint punctuation (`'a` is a lifetime).
fn punct(text: &str) -> TokenStream {
    if text.chars().any(char::is_alphanumeric) {
        return lex(text);
    }
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &ch)| {
            let spacing = if i + 1 < chars.len() || ch == '\'' {
                Spacing::Joint
            } else {
                Spacing::Alone
            };
            TokenTree::Punct(Punct::new(ch, spacing))
        })
        .collect()
}

fn one(tree: impl Into<TokenTree>) -> TokenStream {
    TokenStream::from(tree.into())
}

/// Tokens as text, with invisible `Delimiter::None` groups shown as `⟦ .. ⟧`.
fn render(tokens: &TokenStream) -> String {
    let mut out = String::new();
    for tree in tokens.clone() {
        if !out.is_empty() {
            out.push(' ');
        }
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("⟦", "⟧"),
                };
                out.push_str(&format!("{open} {} {close}", render(&group.stream())));
            }
            TokenTree::Punct(punct) if punct.spacing() == Spacing::Joint => {
                out.push(punct.as_char());
                out.push('\u{2060}');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    out.replace("\u{2060} ", "")
}

fn has_none_group(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Group(group) => {
            group.delimiter() == Delimiter::None || has_none_group(&group.stream())
        }
        _ => false,
    })
}

// ---------------------------------------------------------------------------------------------
// Values: strings, numbers, paths, arrays, expressions.

const STRINGS: &[&str] = &[
    "",
    "jobs",
    "http_requests",
    "agent_runs",
    "a.b",
    "a:b",
    ":jobs",
    "a-b",
    "ünïcödé",
    "名前",
    "1abc",
    "9",
    "jobs_total",
    "jobs_bucket",
    "jobs_count",
    "jobs_sum",
    "_total",
    "_bucket",
    "le",
    "quantile",
    "__name__",
    "__x",
    "job",
    "instance",
    "function",
    "module",
    "status",
    "error_type",
    "tool",
    "server",
    "with \"quotes\"",
    "tab\tnew\nline\r",
    "nul\0byte",
    "back\\slash",
    "emoji 😀",
    "\u{202e}rtl",
    "\u{feff}bom",
    "e\u{301}",
    " ",
    "a b",
    "::a::b",
    "a::<u8>",
    "a::<>",
    "Vec<u8>",
    "metrics_runtime<'static>",
    "crate",
    "self",
    "super",
    "Self",
    "crate::rt",
    "self::rt",
    "super::super",
    "my_metrics",
    "metrics_runtime",
    "::metrics_runtime",
    "::",
    "a::",
    "a,b",
    "/*",
    "*/",
    "//",
    "/* x */ a",
    "/// doc",
    "\"",
    "'a",
    "'",
    "r#type",
    "r#crate",
    "r#",
    "#[x]",
    "a::b::c",
    "{",
    "}",
    "(",
    "1.0",
    "-1",
    "$crate",
    "<T as U>::x",
    "a\\u{0}",
    "NaN",
];

fn gen_string(rng: &mut Rng) -> String {
    match rng.below(12) {
        0..=6 => rng.pick(STRINGS).to_owned(),
        7 => {
            // A valid metric name, sometimes with a reserved suffix.
            let first = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
            let rest = b"abcdefghijklmnopqrstuvwxyz0123456789_";
            let mut name = String::new();
            name.push(rng.pick(first) as char);
            for _ in 0..rng.below(16) {
                name.push(rng.pick(rest) as char);
            }
            if rng.percent(30) {
                name.push_str(rng.pick(&["_total", "_count", "_sum", "_bucket", ":x", "."]));
            }
            name
        }
        8 => {
            let length = rng.range(100, 5000);
            if rng.percent(50) {
                "a".repeat(length)
            } else {
                (0..length)
                    .map(|_| (b' ' + rng.below(95) as u8) as char)
                    .collect()
            }
        }
        9 => (0..rng.below(30))
            .map(|_| (b' ' + rng.below(95) as u8) as char)
            .collect(),
        _ => (0..rng.below(12))
            .map(|_| loop {
                let code = match rng.below(4) {
                    0 => rng.below(0x80) as u32,
                    1 => rng.below(0x800) as u32,
                    2 => rng.below(0x1_0000) as u32,
                    _ => rng.below(0x11_0000) as u32,
                };
                if let Some(ch) = char::from_u32(code) {
                    break ch;
                }
            })
            .collect(),
    }
}

/// A string literal of `text`, sometimes raw, suffixed, byte, C or char.
fn string_literal(rng: &mut Rng, text: &str) -> TokenStream {
    let plain = || one(Literal::string(text));
    match rng.below(20) {
        0..=13 => plain(),
        14 | 15 if !text.contains("\"#") => {
            format!("r#\"{text}\"#").parse().unwrap_or_else(|_| plain())
        }
        16 | 17 => {
            let suffix = rng.pick(&["suffix", "x", "_", "u8", "f64", "s", "_total", "r#x"]);
            format!("{}{suffix}", Literal::string(text))
                .parse()
                .unwrap_or_else(|_| plain())
        }
        18 => one(Literal::byte_string(text.as_bytes())),
        _ => match text.chars().next() {
            Some(ch) if rng.percent(50) => one(Literal::character(ch)),
            _ => format!("c{}", Literal::string(text))
                .parse()
                .unwrap_or_else(|_| plain()),
        },
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "1u8",
    "0.5f32",
    "0.5f64",
    "1e400",
    "-1e400",
    "-0.0",
    "0.0",
    "1.",
    "1e-400",
    "0x10",
    "0b101",
    "0o7",
    "1_000",
    "1__0",
    "1e3",
    "2.5e-3",
    "1f64",
    "1f32",
    "1i32",
    "1usize",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "1e308",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "4.9e-324",
    "2e-324",
    "NaN",
    "nan",
    "inf",
    "INFINITY",
    "f64::NAN",
    "f64::INFINITY",
    "-f64::INFINITY",
    "f64::MAX",
    "- 1",
    "--1",
    "!0",
    "1.0f128",
    "0.1f16",
    "1e+5",
    "0e0",
    "1x",
    "0xFFf64",
    "1.0_f64",
    "0.000_001",
    "true",
    "false",
    "'a'",
    "b'a'",
];

fn finite_f64(rng: &mut Rng) -> f64 {
    match rng.below(6) {
        0 => rng.pick(&[
            0.0,
            -0.0,
            1e-320,
            f64::MIN_POSITIVE,
            f64::MAX,
            -f64::MAX,
            f64::EPSILON,
            0.1,
            1.0,
            2.5,
            1e10,
            5e-324,
            -1.0,
        ]),
        1 => -rng.unit() * 100.0,
        2 => f64::from_bits(rng.next()),
        _ => rng.unit() * 10f64.powi(rng.range(0, 12) as i32 - 6),
    }
}

fn number(rng: &mut Rng) -> TokenStream {
    match rng.below(10) {
        0..=4 => lex(rng.pick(NUMBERS)),
        5 => one(Literal::i64_unsuffixed(rng.next() as i64 >> rng.below(64))),
        6 => {
            let value = finite_f64(rng);
            if value.is_finite() {
                one(Literal::f64_unsuffixed(value))
            } else {
                lex("1e400")
            }
        }
        7 => {
            let value = finite_f64(rng);
            if value.is_finite() {
                one(Literal::f64_suffixed(value))
            } else {
                lex("NaN")
            }
        }
        8 => one(Literal::u128_suffixed(u128::MAX >> rng.below(128))),
        _ => one(Literal::f32_suffixed(rng.unit() as f32 * 10.0)),
    }
}

const PATHS: &[&str] = &[
    "a::<>",
    "Vec<u8>",
    "metrics_runtime<'static>",
    "::a::b",
    "crate",
    "self",
    "super",
    "Self",
    "self::rt",
    "super::super::rt",
    "crate::rt",
    "::metrics_runtime",
    "metrics_runtime",
    "my_metrics",
    "<T as Tr>::x",
    "<T>::x",
    "a::b::<c>::d",
    "AGENT",
    "consts::REGION",
    "Self::KIND",
    "r#type",
    "r#CONST",
    "A1",
    "_",
    "Fn(u8) -> u8",
    "a::<'static, T, 1>",
    "a::b<C = D>",
    "crate::<>",
    "$crate",
    "r#self_",
    "std::f64::consts::PI",
];

const SEGMENTS: &[&str] = &[
    "a",
    "b",
    "crate",
    "self",
    "super",
    "Self",
    "metrics_runtime",
    "r#type",
    "my_metrics",
    "AGENT",
    "r#async",
];

const GENERIC_ARGS: &[&str] = &[
    "<>",
    "::<>",
    "<u8>",
    "::<u8>",
    "<'static>",
    "::<'a, T>",
    "<T = u8>",
    "(u8) -> u8",
    "()",
];

fn path(rng: &mut Rng) -> TokenStream {
    if rng.percent(50) {
        return lex(rng.pick(PATHS));
    }
    let mut text = String::new();
    if rng.percent(20) {
        text.push_str("::");
    }
    for i in 0..rng.range(1, 4) {
        if i > 0 {
            text.push_str("::");
        }
        text.push_str(rng.pick(SEGMENTS));
        if rng.percent(15) {
            text.push_str(rng.pick(GENERIC_ARGS));
        }
    }
    lex(&text)
}

const BUCKET_PRESETS: &[&str] = &[
    "default",
    "\"latency\"",
    "Buckets::Latency",
    "latency",
    "exponential(0.001, 2.0, 10)",
    "linear(0.1, 0.1, 5)",
    "DEFAULT_BUCKETS",
    "metrics_runtime::buckets::LATENCY",
    "vec![0.1, 1.0]",
    "&[0.1, 1.0]",
    "(0.1, 1.0)",
    "{ [0.1] }",
    "[0.1; 3]",
    "[[0.1]]",
    "[0.1, 1.0,]",
    "[0.1,, 1.0]",
    "[0.1 1.0]",
    "[0.1; ]",
    "[-0.0]",
    "[0]",
    "[+1.0]",
    "[1.0 + 1.0]",
    "[(1.0)]",
    "[{1.0}]",
    "[1e400]",
    "[NaN]",
    "[f64::INFINITY]",
    "[0.5f32, 1u8]",
];

/// A list of bounds, valid or not.
fn buckets(rng: &mut Rng) -> TokenStream {
    if rng.percent(15) {
        return lex(rng.pick(BUCKET_PRESETS));
    }
    let count = match rng.below(20) {
        0 => 0,
        1 => rng.range(100, 2000),
        _ => rng.range(1, 10),
    };
    let style = rng.below(4); // 0: sorted and valid, 1: unsorted, 2: duplicates, 3: anything
    let mut values: Vec<f64> = (0..count)
        .map(|_| rng.unit() * 10f64.powi(rng.range(0, 6) as i32 - 3))
        .collect();
    if style != 1 {
        values.sort_by(f64::total_cmp);
    }
    if style == 0 {
        values.dedup();
        values.retain(|value| *value > 0.0);
    }
    let mut inner = TokenStream::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            inner.extend(punct(","));
        }
        if style == 2 && i > 0 && rng.percent(30) {
            inner.extend(one(Literal::f64_unsuffixed(values[i - 1])));
            continue;
        }
        let element = if style == 3 && rng.percent(40) {
            match rng.below(4) {
                0 => number(rng),
                1 => {
                    let mut negative = punct("-");
                    negative.extend(one(Literal::f64_unsuffixed(*value)));
                    negative
                }
                2 => value_tokens(rng, 2, &[]),
                _ => string_literal(rng, "0.1"),
            }
        } else {
            match rng.below(6) {
                0 => one(Literal::f64_suffixed(*value)),
                1 => one(Literal::f32_suffixed(*value as f32)),
                2 if *value >= 1.0 => one(Literal::u64_unsuffixed(*value as u64)),
                _ => one(Literal::f64_unsuffixed(*value)),
            }
        };
        inner.extend(element);
    }
    if rng.percent(20) {
        inner.extend(punct(","));
    }
    one(group(Delimiter::Bracket, inner))
}

const EXPRESSIONS: &[&str] = &[
    "|x| x",
    "{ 1 }",
    "async {}",
    "async move { agent }",
    "concat!(\"a\", \"b\")",
    "env!(\"X\")",
    "stringify!(x)",
    "a.b()",
    "agent.kind()",
    "1 as f64",
    "0..1",
    "&agent",
    "*agent",
    "(1, 2)",
    "()",
    "S { a: 1 }",
    "if a { b } else { c }",
    "match x { _ => 1 }",
    "'l: loop { break 'l 1 }",
    "x?",
    "x.await",
    "-x",
    "!x",
    "a + b",
    "a = b",
    "a == b",
    "return",
    "break",
    "continue",
    "unsafe { x }",
    "const { 1 }",
    "#[attr] x",
    "x[0]",
    "x.0",
    "Vec::<u8>::new()",
    "<T>::f()",
    "format!(\"{}\", x)",
    "\"a\" \"b\"",
    "a b",
    "Kind::A",
    "self.kind",
    "self",
    "Self::KIND",
    "agent.clone()",
    "move || agent",
    "[agent]",
    "yield 1",
    "become f()",
    "builtin # offset_of(S, a)",
    "'a",
    "'a: {}",
    "..",
    "a..=",
    "=",
    "==",
    "=> x",
    "# [x]",
    "::",
    ",",
    "let x = 1",
    "fn f() {}",
    "struct S;",
];

/// `key = <value>`: anything an attribute argument could be given.
fn value_tokens(rng: &mut Rng, depth: usize, arguments: &[String]) -> TokenStream {
    match rng.below(100) {
        0..=29 => {
            let text = gen_string(rng);
            string_literal(rng, &text)
        }
        30..=44 => number(rng),
        45..=57 => path(rng),
        58..=67 => buckets(rng),
        68..=77 => lex(rng.pick(EXPRESSIONS)),
        78..=87 if depth < 4 => {
            let inner = value_tokens(rng, depth + 1, arguments);
            one(group(any_delimiter(rng), inner))
        }
        88..=94 if !arguments.is_empty() => {
            let name = arguments[rng.below(arguments.len())].clone();
            one(ident(&name))
        }
        95..=97 => punct(rng.pick(&["=", "#", "'", "::", "=>", ",", "@", "$", ";", "..."])),
        _ => TokenStream::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Attribute arguments.

/// Every key either attribute accepts, in `Preset::keys()` order (#[monitored]'s first).
fn every_key() -> Vec<&'static str> {
    let mut keys = Preset::Monitored.keys().to_vec();
    for key in Preset::ToolCall.keys() {
        if !keys.contains(key) {
            keys.push(key);
        }
    }
    keys
}

const OTHER_KEYS: &[&str] = &[
    "nmae",
    "label",
    "bucket",
    "krate",
    "type",
    "r#type",
    "r#name",
    "r#labels",
    "Name",
    "NAME",
    "_",
    "async",
    "fn",
    "self",
    "super",
    "Self",
    "le",
    "quantile",
    "métrique",
    "default",
    "union",
    "dyn",
    "await",
    "description",
    "namespace",
    "r#tool",
    "toool",
    "serve",
    "labels_",
];
const LABEL_IDENTS: &[&str] = &[
    "agent",
    "region",
    "tier",
    "kind",
    "r#type",
    "type",
    "le",
    "quantile",
    "__name__",
    "__x",
    "job",
    "instance",
    "function",
    "module",
    "server",
    "tool",
    "status",
    "error_type",
    "_",
    "a1",
    "über",
    "Agent",
    "r#match",
    "self",
    "crate",
    "Self",
    "super",
    "exported_job",
    "fn",
];
const LABEL_STRINGS: &[&str] = &[
    "agent", "a-b", "1a", "", "le", "__x", "kind", "ü", "a b", "region", "type", "job",
];

/// Label names that pass every check, and their values.
const VALID_LABELS: &[&str] = &[
    "agent", "region", "tier", "kind", "r#type", "_x", "a1", "zone",
];
const VALID_STATIC_VALUES: &[&str] = &[
    "\"crawler\"",
    "\"\"",
    "\"ü\"",
    "AGENT",
    "consts::REGION",
    "Self::KIND",
    "crate::A_1",
];
const VALID_NAMES: &[&str] = &[
    "jobs",
    "http_requests",
    "a",
    "_x",
    "agent_runs",
    "Ab9",
    "a_b_c",
];
const VALID_CRATES: &[&str] = &[
    "\"my_metrics\"",
    "my_metrics",
    "::metrics_runtime",
    "crate::metrics",
    "self",
    "super::rt",
    "\"crate::x\"",
    "\"::a::b\"",
    "r#type",
];

/// The names of the function's arguments that a dynamic label may take, and whether their type
/// is bounded (a label may take it).
struct Arguments {
    all: Vec<String>,
    bounded: Vec<String>,
}

fn key_tokens(rng: &mut Rng, preset: Preset) -> TokenStream {
    match rng.below(100) {
        0..=59 => {
            let every = every_key();
            let keys = match rng.percent(80) {
                true => preset.keys(),
                false => &every,
            };
            one(ident(rng.pick(keys)))
        }
        60..=89 => one(ident(rng.pick(OTHER_KEYS))),
        90..=93 => {
            let key = rng.pick(&every_key());
            string_literal(rng, key)
        }
        94..=96 => number(rng),
        _ => punct(rng.pick(&["#", "'", "::", "-", "="])),
    }
}

fn separator(rng: &mut Rng) -> TokenStream {
    if rng.percent(88) {
        punct(",")
    } else {
        match rng.below(8) {
            0 => TokenStream::new(),
            1 => lex(",,"),
            2 => punct(";"),
            3 => punct("=>"),
            4 => punct("::"),
            5 => punct("="),
            6 => punct("#"),
            _ => punct("|"),
        }
    }
}

fn label_list(rng: &mut Rng, arguments: &Arguments) -> TokenStream {
    let mut out = TokenStream::new();
    let count = rng.range(0, 5);
    for i in 0..count {
        if i > 0 {
            out.extend(separator(rng));
        }
        // The name.
        match rng.below(100) {
            0..=69 => out.extend(one(ident(rng.pick(LABEL_IDENTS)))),
            70..=84 => {
                let name = rng.pick(LABEL_STRINGS);
                out.extend(string_literal(rng, name));
            }
            85..=89 if !arguments.all.is_empty() => {
                let name = arguments.all[rng.below(arguments.all.len())].clone();
                out.extend(one(ident(&name)));
            }
            90..=94 => out.extend(path(rng)),
            _ => out.extend(number(rng)),
        }
        // `=`.
        match rng.below(100) {
            0..=84 => out.extend(punct("=")),
            85..=89 => {}
            90..=92 => out.extend(punct("==")),
            93..=95 => out.extend(punct("=>")),
            _ => out.extend(punct(":")),
        }
        // The value.
        match rng.below(100) {
            0..=24 => {
                let text = gen_string(rng);
                out.extend(string_literal(rng, &text));
            }
            25..=39 => out.extend(lex(rng.pick(VALID_STATIC_VALUES))),
            40..=64 if !arguments.all.is_empty() => {
                let name = arguments.all[rng.below(arguments.all.len())].clone();
                out.extend(one(ident(&name)));
            }
            65..=94 => out.extend(value_tokens(rng, 1, &arguments.all)),
            _ => {}
        }
    }
    if rng.percent(20) {
        out.extend(punct(","));
    }
    out
}

/// A value of the kind `key` takes, mostly wrong in the details.
fn value_for_key(rng: &mut Rng, key: &str, arguments: &[String]) -> TokenStream {
    match key {
        "name" | "tool" | "server" => {
            let text = if rng.percent(30) {
                rng.pick(VALID_NAMES).to_owned()
            } else {
                gen_string(rng)
            };
            string_literal(rng, &text)
        }
        "buckets" => buckets(rng),
        "histogram" => lex(rng.pick(&[
            "native",
            "classic",
            "both",
            "\"native\"",
            "nativ",
            "[native]",
            "Native",
            "native::x",
        ])),
        "objective" => lex(rng.pick(&[
            "API",
            "crate::objectives::API",
            "\"api\"",
            "(name = \"api\", success = 99.9)",
            "(name = \"api\", success = 100)",
            "(name = \"\", latency = 0.3, latency_target = 99)",
            "(name = \"api\", latency = 0.25)",
            "(name = \"api\", latency = -1, latency_target = 0)",
            "(sucess = 99.9)",
            "(name = api, success = x)",
            "()",
        ])),
        "crate" if rng.percent(50) => path(rng),
        "crate" => {
            let text = if rng.percent(60) {
                rng.pick(PATHS).to_owned()
            } else {
                gen_string(rng)
            };
            string_literal(rng, &text)
        }
        _ => value_tokens(rng, 0, arguments),
    }
}

/// One `key = value`, `labels(...)`, or something that is neither.
fn hostile_arg(rng: &mut Rng, preset: Preset, arguments: &Arguments) -> TokenStream {
    let mut out = TokenStream::new();
    match rng.below(100) {
        0..=69 => {
            let key = key_tokens(rng, preset);
            let name = key.to_string();
            out.extend(key);
            out.extend(punct("="));
            if rng.percent(60) {
                out.extend(value_for_key(rng, &name, &arguments.all));
            } else {
                out.extend(value_tokens(rng, 0, &arguments.all));
            }
        }
        70..=81 => {
            if rng.percent(80) {
                out.extend(one(ident("labels")));
            } else {
                out.extend(key_tokens(rng, preset));
            }
            let delimiter = if rng.percent(85) {
                Delimiter::Parenthesis
            } else {
                any_delimiter(rng)
            };
            out.extend(one(group(delimiter, label_list(rng, arguments))));
        }
        82..=86 => out.extend(key_tokens(rng, preset)),
        87..=91 => {
            out.extend(key_tokens(rng, preset));
            out.extend(punct("="));
        }
        92..=95 => {
            // `key = value` inside an invisible group, as a `macro_rules!` `$arg:meta` passes it.
            let mut inner = key_tokens(rng, preset);
            inner.extend(punct("="));
            inner.extend(value_tokens(rng, 0, &arguments.all));
            out.extend(one(group(Delimiter::None, inner)));
        }
        _ => {
            out.extend(punct(rng.pick(&[
                "=", ",", "::", "#", "'a", "=>", "!", "?", "..", "$", "@",
            ])))
        }
    }
    out
}

fn hostile_args(rng: &mut Rng, preset: Preset, arguments: &Arguments) -> TokenStream {
    let mut entries: Vec<TokenStream> = Vec::new();
    for _ in 0..rng.range(1, 6) {
        if !entries.is_empty() && rng.percent(8) {
            let again = entries[rng.below(entries.len())].clone();
            entries.push(again);
        } else {
            entries.push(hostile_arg(rng, preset, arguments));
        }
    }
    let mut out = TokenStream::new();
    if rng.percent(3) {
        out.extend(punct(","));
    }
    for (i, entry) in entries.into_iter().enumerate() {
        if i > 0 {
            out.extend(separator(rng));
        }
        out.extend(entry);
    }
    if rng.percent(25) {
        out.extend(punct(","));
    }
    if rng.percent(3) {
        out = one(group(any_delimiter(rng), out));
    }
    out
}

/// Arguments every check accepts (given a function the attribute accepts).
fn valid_args(rng: &mut Rng, preset: Preset, arguments: &Arguments) -> TokenStream {
    let mut entries: Vec<TokenStream> = Vec::new();
    let mut with_buckets = false;
    for &key in preset.keys() {
        if !rng.percent(45) {
            continue;
        }
        let mut entry = one(ident(key));
        match key {
            "name" => {
                entry.extend(punct("="));
                entry.extend(one(Literal::string(rng.pick(VALID_NAMES))));
            }
            "tool" | "server" => {
                entry.extend(punct("="));
                let mut text = gen_string(rng);
                if text.is_empty() {
                    text.push('x');
                }
                entry.extend(one(Literal::string(&text)));
            }
            "buckets" => {
                entry.extend(punct("="));
                let count = rng.range(1, 12);
                let mut bound = 0.0;
                let mut inner = TokenStream::new();
                for i in 0..count {
                    bound += 0.001 + rng.unit() * 10f64.powi(rng.range(0, 4) as i32 - 2);
                    if i > 0 {
                        inner.extend(punct(","));
                    }
                    inner.extend(one(if rng.percent(50) {
                        Literal::f64_unsuffixed(bound)
                    } else {
                        Literal::f64_suffixed(bound)
                    }));
                }
                entry.extend(one(group(Delimiter::Bracket, inner)));
                with_buckets = true;
            }
            // `native` has no classic buckets to set.
            "histogram" => {
                entry.extend(punct("="));
                let choices: &[&str] = match with_buckets {
                    true => &["classic", "both"],
                    false => &["classic", "both", "native", "\"native\""],
                };
                entry.extend(lex(rng.pick(choices)));
            }
            "crate" => {
                entry.extend(punct("="));
                entry.extend(lex(rng.pick(VALID_CRATES)));
            }
            // A success target fits any buckets and histogram choice.
            "objective" => entry.extend(lex(rng.pick(&[
                "(name = \"fuzz\", success = 99.9)",
                "(name = \"fuzz\", success = 1)",
            ]))),
            _ => {
                let mut labels = TokenStream::new();
                let mut used = Vec::new();
                for _ in 0..rng.range(0, 4) {
                    let dynamic = !arguments.bounded.is_empty() && rng.percent(40);
                    let name = rng.pick(VALID_LABELS);
                    if used.contains(&name.trim_start_matches("r#")) {
                        continue;
                    }
                    used.push(name.trim_start_matches("r#"));
                    if !labels.is_empty() {
                        labels.extend(punct(","));
                    }
                    labels.extend(if rng.percent(20) {
                        one(Literal::string(name.trim_start_matches("r#")))
                    } else {
                        one(ident(name))
                    });
                    labels.extend(punct("="));
                    if dynamic {
                        let argument =
                            arguments.bounded[rng.below(arguments.bounded.len())].clone();
                        labels.extend(one(ident(&argument)));
                    } else {
                        labels.extend(lex(rng.pick(VALID_STATIC_VALUES)));
                    }
                }
                entry.extend(one(group(Delimiter::Parenthesis, labels)));
            }
        }
        entries.push(entry);
    }
    let mut out = TokenStream::new();
    for (i, entry) in entries.into_iter().enumerate() {
        if i > 0 {
            out.extend(punct(","));
        }
        out.extend(entry);
    }
    if rng.percent(15) {
        out.extend(punct(","));
    }
    out
}

const SOUP_IDENTS: &[&str] = &[
    "name", "labels", "buckets", "crate", "tool", "server", "fn", "async", "self", "Self", "super",
    "r#type", "le", "_", "a", "b", "x", "impl", "dyn", "where", "move", "return", "await", "union",
    "default",
];
const SOUP_PUNCT: &[char] = &[
    '=', '<', '>', '!', '~', '+', '-', '*', '/', '%', '^', '&', '|', '@', '.', ',', ';', ':', '#',
    '$', '?', '\'',
];

/// Random tokens.
fn soup(rng: &mut Rng, depth: usize) -> TokenStream {
    let count = rng.range(0, if depth == 0 { 30 } else { 8 });
    let mut out = TokenStream::new();
    for _ in 0..count {
        match rng.below(10) {
            0..=2 => {
                let mut tree = ident(rng.pick(SOUP_IDENTS));
                tree.set_span(span(rng));
                out.extend(one(tree));
            }
            3..=5 => {
                let ch = rng.pick(SOUP_PUNCT);
                let spacing = if rng.percent(40) {
                    Spacing::Joint
                } else {
                    Spacing::Alone
                };
                out.extend(one(Punct::new(ch, spacing)));
            }
            6 => {
                let text = gen_string(rng);
                out.extend(string_literal(rng, &text));
            }
            7 => out.extend(number(rng)),
            _ if depth < 3 => {
                let inner = soup(rng, depth + 1);
                out.extend(one(group(any_delimiter(rng), inner)));
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Items.

const FN_NAMES: &[&str] = &[
    "f",
    "handler",
    "search_files",
    "r#type",
    "r#match",
    "über",
    "_private",
    "Foo",
    "f2",
    "call_sync",
    "metrics_runtime_guard",
    "__metrics_runtime_body",
    "__METRICS_RUNTIME_SITE",
    "new",
    "r#async",
    "main",
    "drop",
];
const OUTER_ATTRS: &[&str] = &[
    "#[track_caller]",
    "#[inline]",
    "#[doc = \"d\"]",
    "/// doc",
    "#[must_use]",
    "#[cfg_attr(test, allow(unused))]",
    "#[tool(description = \"d\")]",
    "#[monitored]",
    "#[tool_call(name = \"x\")]",
    "#[allow(clippy::all)]",
    "#[async_trait]",
    "#[expect(dead_code)]",
    "#[cfg(any())]",
];
const RECEIVERS: &[&str] = &[
    "self",
    "&self",
    "&mut self",
    "mut self",
    "self: Box<Self>",
    "self: Pin<&mut Self>",
    "&'a self",
    "self: &Arc<Self>",
];
/// `(argument, its name when a dynamic label may refer to it, whether its type is bounded)`.
const PARAMS: &[(&str, Option<&str>, bool)] = &[
    ("a: u8", Some("a"), false),
    ("agent: Agent", Some("agent"), true),
    ("agent: &Agent", Some("agent"), true),
    ("name: String", Some("name"), false),
    ("s: &str", Some("s"), false),
    ("s: &'static str", Some("s"), true),
    ("id: Uuid", Some("id"), false),
    ("c: char", Some("c"), false),
    ("x: f64", Some("x"), false),
    ("(a, b): (u8, u8)", None, false),
    ("Parameters(p): Parameters<String>", None, false),
    ("mut m: Vec<u8>", Some("m"), true),
    ("ref r: u8", Some("r"), false),
    ("_: u8", None, false),
    ("cb: impl Fn() -> u8", Some("cb"), true),
    ("t: T", Some("t"), true),
    ("region: &'a Region", Some("region"), true),
    ("kind: Cow<'static, str>", Some("kind"), false),
    ("#[allow(unused)] flag: bool", Some("flag"), true),
    ("x @ _: u8", Some("x"), false),
    ("r#type: Kind", Some("r#type"), true),
    ("tier: Option<Tier>", Some("tier"), true),
    ("S { a, .. }: S", None, false),
    ("[a, b]: [u8; 2]", None, false),
    ("f: fn() -> !", Some("f"), true),
    ("n: <T as Tr>::Assoc", Some("n"), true),
    ("d: dyn Fn()", Some("d"), true),
];
const RETURNS: &[&str] = &[
    "",
    "-> u8",
    "-> !",
    "-> Result<u8, E>",
    "-> Result<(), Box<dyn std::error::Error>>",
    "-> impl Future<Output = Result<u8, E>>",
    "-> impl Future<Output = u8> + Send + 'a",
    "-> impl std::future::Future<Output = ()>",
    "-> Pin<Box<dyn Future<Output = u8> + Send>>",
    "-> std::pin::Pin<Box<dyn Future<Output = Result<u8, E>> + Send + 'static>>",
    "-> BoxFuture<'static, u8>",
    "-> LocalBoxFuture<'a, Result<u8, E>>",
    "-> impl Iterator<Item = u8>",
    "-> Self",
    "-> &'a str",
    "-> (impl Future<Output = u8>)",
    "-> impl Fn() -> !",
    "-> Box<dyn Fn() -> u8>",
    "-> [u8; 4]",
    "-> fn() -> !",
    "-> (!)",
    "-> Option<impl Future<Output = !>>",
    "-> impl Future",
    "-> Pin<Box<u8>>",
    "-> ()",
    "-> _",
    "-> T",
    "-> Result<Json<Out>, ErrorData>",
];
const GENERICS: &[&str] = &[
    "<T>",
    "<'a, T: Clone + 'a, const N: usize>",
    "<T = u8>",
    "<F: Fn() -> u8>",
    "<'a>",
    "<const N: usize>",
    "<T: ?Sized>",
    "<>",
];
const WHERES: &[&str] = &[
    "where T: Send",
    "where Self: Sized",
    "where",
    "where for<'b> F: Fn(&'b u8),",
];
const STATEMENTS: &[&str] = &[
    "let x = 1;",
    "return Default::default();",
    "return;",
    "let y = g()?;",
    "g()?;",
    "loop { break; }",
    "panic!(\"boom\");",
    "let _ = || return 1;",
    "let _ = async { return 1; };",
    "fn inner() -> u8 { return 1 }",
    "if a { return x; }",
    "drop(self);",
    "let s = self.x;",
    "let s = Self::new();",
    "#[allow(unused)] let z = 2;",
    "{ return; }",
    "'l: loop { break 'l; }",
    "unsafe { std::hint::unreachable_unchecked() }",
    "const { 1 };",
    "macro_rules! m { () => {} }",
    "m!();",
    "let Parameters(q) = p;",
    "let (a, b) = (1, 2);",
    "yield_now().await;",
    "x.await?;",
    ";",
    "let metrics_runtime_ret = 1;",
    "static __METRICS_RUNTIME_SITE: u8 = 0;",
    "let closure = |x: u8| -> Result<u8, E> { Ok(x?) };",
];
const TAILS: &[&str] = &[
    "1",
    "x",
    "Ok(1)",
    "Err(e)?",
    "async move { 1 }",
    "async { Ok(x?) }",
    "Box::pin(async move { 1 })",
    "std::boxed::Box::pin(async { return 1; })",
    "Box::pin(fut)",
    "fut.boxed()",
    "async move {}",
    "todo!()",
    "loop {}",
    "unreachable!()",
    "self",
    "match x { _ => 1 }",
    "if a { 1 } else { 2 }",
    "{ 1 }",
    "async move { x? }",
    "Box::pin(async move { 1 }, extra)",
    "Box::pin(async move { 1 }).boxed_local()",
    "Box::pin(async move { return 1 })",
    "pin(async {})",
    "Box::pin::<_>(async {})",
    "async || 1",
    "(async {})",
];
const NOT_FUNCTIONS: &[&str] = &[
    "struct S;",
    "struct S { a: u8 }",
    "enum E { A }",
    "trait T { fn f(&self); }",
    "fn f(&self);",
    "pub fn f() -> u8;",
    "async fn f();",
    "impl S { fn f() {} }",
    "impl Trait for S { fn f() {} }",
    "mod m {}",
    "mod m;",
    "const C: u8 = 1;",
    "static S: u8 = 1;",
    "type T = u8;",
    "use a::b;",
    "|x| x + 1",
    "async || {}",
    "macro_rules! m {}",
    "extern \"C\" { fn f(); }",
    "union U { a: u8 }",
    "",
    "fn",
    "fn f() {} fn g() {}",
    "fn f() {} extra",
    "#[x]",
    "let x = 1;",
    "1 + 1",
    "struct",
    "async const fn f() {}",
    "unsafe async fn f() {}",
    "extern \"C\" const fn f() {}",
    "default fn f() {}",
    "fn f() -> u8 = 1;",
    "fn f<>() where {}",
    "fn f() -> {}",
    "fn() {}",
    "fn 1() {}",
    "pub(crate) fn f(..) {}",
    "fn f(self, self) {}",
    "impl<T> S<T> { #[monitored] fn f(&self) {} }",
    "#![inner] fn f() {}",
    "safe fn f() {}",
    "gen fn f() {}",
];

/// The item and what the property needs to know about it.
struct Item {
    tokens: TokenStream,
    /// The identifier the output must still contain when the attribute refuses.
    ident: Option<String>,
    arguments: Arguments,
}

fn function_item(rng: &mut Rng) -> Item {
    let mut tokens = TokenStream::new();
    let name = rng.pick(FN_NAMES);
    // Attributes.
    for _ in 0..rng.range(0, 2) {
        tokens.extend(lex(rng.pick(OUTER_ATTRS)));
    }
    if rng.percent(20) {
        tokens.extend(lex("#[track_caller]"));
    }
    tokens.extend(lex(rng.pick(&[
        "",
        "",
        "",
        "pub",
        "pub(crate)",
        "pub(super)",
        "pub(in crate::a)",
    ])));
    // Qualifiers, in the order Rust wants them.
    if rng.percent(5) {
        tokens.extend(lex("const"));
    }
    if rng.percent(40) {
        tokens.extend(lex("async"));
    }
    if rng.percent(10) {
        tokens.extend(lex("unsafe"));
    }
    if rng.percent(8) {
        tokens.extend(lex(rng.pick(&[
            "extern \"C\"",
            "extern",
            "extern \"Rust\"",
            "extern \"system\"",
        ])));
    }
    tokens.extend(lex("fn"));
    tokens.extend(one(ident(name)));
    if rng.percent(25) {
        tokens.extend(lex(rng.pick(GENERICS)));
    }
    // Arguments.
    let mut arguments = Arguments {
        all: Vec::new(),
        bounded: Vec::new(),
    };
    let mut params = TokenStream::new();
    if rng.percent(25) {
        params.extend(lex(rng.pick(RECEIVERS)));
    }
    for _ in 0..rng.range(0, 4) {
        if !params.is_empty() {
            params.extend(punct(","));
        }
        let (text, name, bounded) = rng.pick(PARAMS);
        if rng.percent(5) {
            // The type as `macro_rules!` passes a `$ty:ty`: in an invisible group.
            let (pattern, ty) = text.split_once(": ").unwrap_or((text, "u8"));
            params.extend(lex(pattern));
            params.extend(punct(":"));
            params.extend(one(group(Delimiter::None, lex(ty))));
        } else {
            params.extend(lex(text));
        }
        if let Some(name) = name {
            arguments.all.push(name.to_owned());
            if bounded {
                arguments.bounded.push(name.to_owned());
            }
        }
    }
    if rng.percent(3) {
        if !params.is_empty() {
            params.extend(punct(","));
        }
        params.extend(punct("..."));
    }
    if rng.percent(10) {
        params.extend(punct(","));
    }
    tokens.extend(one(group(Delimiter::Parenthesis, params)));
    // The return type.
    let output = rng.pick(RETURNS);
    if !output.is_empty() && rng.percent(5) {
        tokens.extend(punct("->"));
        tokens.extend(one(group(Delimiter::None, lex(&output[3..]))));
    } else {
        tokens.extend(lex(output));
    }
    if rng.percent(10) {
        tokens.extend(lex(rng.pick(WHERES)));
    }
    // The body.
    let mut body = TokenStream::new();
    if rng.percent(8) {
        body.extend(lex(rng.pick(&["#![allow(unused)]", "#![doc = \"x\"]"])));
    }
    for _ in 0..rng.range(0, 3) {
        body.extend(lex(rng.pick(STATEMENTS)));
    }
    if rng.percent(70) {
        let tail = lex(rng.pick(TAILS));
        if rng.percent(5) {
            body.extend(one(group(Delimiter::None, tail)));
        } else {
            body.extend(tail);
        }
    }
    if rng.percent(3) {
        tokens.extend(punct(";"));
    } else {
        tokens.extend(one(group(Delimiter::Brace, body)));
    }
    if rng.percent(2) {
        tokens = one(group(Delimiter::None, tokens));
    }
    Item {
        tokens,
        ident: Some(name.to_owned()),
        arguments,
    }
}

fn item(rng: &mut Rng) -> Item {
    let no_arguments = || Arguments {
        all: Vec::new(),
        bounded: Vec::new(),
    };
    match rng.below(100) {
        0..=84 => function_item(rng),
        85..=95 => {
            let text = rng.pick(NOT_FUNCTIONS);
            Item {
                tokens: lex(text),
                ident: None,
                arguments: no_arguments(),
            }
        }
        _ => Item {
            tokens: soup(rng, 0),
            ident: None,
            arguments: no_arguments(),
        },
    }
}

struct AttributeCase {
    preset: Preset,
    args: TokenStream,
    item: Item,
}

fn attribute_case(seed: u64, index: usize) -> AttributeCase {
    let mut rng = Rng::for_case(seed, 1, index);
    let preset = if rng.percent(50) {
        Preset::Monitored
    } else {
        Preset::ToolCall
    };
    let item = item(&mut rng);
    let args = match rng.below(100) {
        0..=9 => TokenStream::new(),
        10..=39 => valid_args(&mut rng, preset, &item.arguments),
        40..=91 => hostile_args(&mut rng, preset, &item.arguments),
        _ => soup(&mut rng, 0),
    };
    AttributeCase { preset, args, item }
}

// ---------------------------------------------------------------------------------------------
// Derive inputs.

const TYPE_NAMES: &[&str] = &[
    "E",
    "Kind",
    "HTTPError",
    "r#Type",
    "Über",
    "Error",
    "Tier",
    "S",
];
const VARIANT_NAMES: &[&str] = &[
    "Timeout",
    "HTTPError",
    "IoError",
    "Io2Error",
    "io_error",
    "A",
    "a",
    "r#Type",
    "r#type",
    "Über",
    "_A",
    "ABC",
    "Abc",
    "X1",
    "V",
    "Self_",
    "r#match",
];
const DERIVE_GENERICS: &[&str] = &[
    "",
    "",
    "",
    "<T>",
    "<'a, T: Clone, const N: usize>",
    "<T = u8>",
    "<'a>",
];
const FIELD_TYPES: &[&str] = &[
    "u8",
    "String",
    "io::Error",
    "Box<dyn Error>",
    "T",
    "&'a str",
    "Inner",
    "Counter",
    "Counter<Lookup>",
    "Gauge<()>",
    "Histogram<Lookup>",
    "CallbackGauge",
    "metrics_runtime::Counter<String>",
    "RegisteredValue",
    "Counter<A, B>",
    "Gauge<'a>",
];

/// `#[label(...)]`, `#[error_label(...)]`, or another attribute, with hostile content.
fn derive_attribute(rng: &mut Rng) -> TokenStream {
    let name = rng.pick(&[
        "label",
        "label",
        "error_label",
        "error_label",
        "doc",
        "serde",
        "r#label",
        "metrics",
        "metric",
    ]);
    let mut inner = one(ident(name));
    match rng.below(100) {
        0..=79 => {
            let mut metas = TokenStream::new();
            for i in 0..rng.range(0, 3) {
                if i > 0 {
                    metas.extend(if rng.percent(90) {
                        punct(",")
                    } else {
                        separator(rng)
                    });
                }
                match rng.below(100) {
                    0..=34 => {
                        metas.extend(lex("rename ="));
                        let text = gen_string(rng);
                        metas.extend(if rng.percent(70) {
                            one(Literal::string(&text))
                        } else {
                            string_literal(rng, &text)
                        });
                    }
                    35..=49 => {
                        metas.extend(lex("crate ="));
                        let text = if rng.percent(50) {
                            rng.pick(&[
                                "my_metrics",
                                "::metrics_runtime",
                                "a<b>",
                                "",
                                "::",
                                "self",
                                "a::<>",
                            ])
                            .to_owned()
                        } else {
                            gen_string(rng)
                        };
                        metas.extend(one(Literal::string(&text)));
                    }
                    50..=57 => metas.extend(lex("transparent")),
                    58..=64 => metas.extend(lex(rng.pick(&[
                        "values = AGENTS",
                        "values = a::B",
                        "values = 1",
                        "values = \"x\"",
                        "prefix = \"hub\"",
                        "prefix = \"hub_\"",
                        "prefix = \"\"",
                        "prefix = \"__x\"",
                        "name = \"x_total\"",
                        "name = \"\"",
                        "name = 1",
                        "buckets = [0.1, 1.0]",
                        "buckets = []",
                        "buckets = [1.0, 0.1]",
                        "buckets = [-1.0]",
                        "buckets = x",
                    ]))),
                    65..=79 => metas.extend(lex(rng.pick(&[
                        "rename",
                        "rename = 1",
                        "crate = a::b",
                        "unknown",
                        "a::b",
                        "rename(x)",
                        "transparent = true",
                        "transparent()",
                        "crate",
                        "rename = \"x\" \"y\"",
                        "r#transparent",
                        "r#rename = \"x\"",
                    ]))),
                    _ => metas.extend(value_tokens(rng, 2, &[])),
                }
            }
            inner.extend(one(group(
                if rng.percent(90) {
                    Delimiter::Parenthesis
                } else {
                    any_delimiter(rng)
                },
                metas,
            )));
        }
        80..=89 => {}
        _ => {
            inner.extend(punct("="));
            let text = gen_string(rng);
            inner.extend(one(Literal::string(&text)));
        }
    }
    let mut out = punct("#");
    out.extend(one(group(Delimiter::Bracket, inner)));
    out
}

fn fields(rng: &mut Rng, allow_unit: bool) -> TokenStream {
    let count = rng.range(0, 3);
    match rng.below(if allow_unit { 10 } else { 4 }) {
        0 | 1 => {
            let mut inner = TokenStream::new();
            for i in 0..count {
                if i > 0 {
                    inner.extend(punct(","));
                }
                if rng.percent(10) {
                    inner.extend(derive_attribute(rng));
                }
                inner.extend(lex(rng.pick(FIELD_TYPES)));
            }
            one(group(Delimiter::Parenthesis, inner))
        }
        2 | 3 => {
            let mut inner = TokenStream::new();
            for i in 0..count {
                if i > 0 {
                    inner.extend(punct(","));
                }
                if rng.percent(40) {
                    inner.extend(lex("/// Help."));
                }
                if rng.percent(15) {
                    inner.extend(derive_attribute(rng));
                }
                let name = match rng.below(10) {
                    0..=4 => format!("field{i}"),
                    _ => rng
                        .pick(&[
                            "lookups_total",
                            "active_operations",
                            "llm_call_duration_seconds",
                            "payload_bytes",
                            "le",
                            "job",
                            "r#type",
                            "wait_ms",
                        ])
                        .to_owned(),
                };
                inner.extend(lex(&format!("{name}: {}", rng.pick(FIELD_TYPES))));
            }
            one(group(Delimiter::Brace, inner))
        }
        _ => TokenStream::new(),
    }
}

fn derive_input(rng: &mut Rng) -> TokenStream {
    let mut out = TokenStream::new();
    for _ in 0..rng.range(0, 2) {
        out.extend(derive_attribute(rng));
    }
    if rng.percent(20) {
        out.extend(lex("pub"));
    }
    let name = rng.pick(TYPE_NAMES);
    let generics = rng.pick(DERIVE_GENERICS);
    match rng.below(100) {
        0..=69 => {
            out.extend(lex("enum"));
            out.extend(one(ident(name)));
            out.extend(lex(generics));
            let mut variants = TokenStream::new();
            let count = if rng.percent(8) { 0 } else { rng.range(1, 8) };
            for i in 0..count {
                if i > 0 {
                    variants.extend(punct(","));
                }
                for _ in 0..rng.range(0, 2) {
                    variants.extend(derive_attribute(rng));
                }
                variants.extend(one(ident(rng.pick(VARIANT_NAMES))));
                variants.extend(fields(rng, true));
                if rng.percent(5) {
                    variants.extend(lex("= 1"));
                }
            }
            if rng.percent(20) {
                variants.extend(punct(","));
            }
            out.extend(one(group(Delimiter::Brace, variants)));
        }
        70..=89 => {
            out.extend(lex("struct"));
            out.extend(one(ident(name)));
            out.extend(lex(generics));
            let body = fields(rng, true);
            let braced = matches!(body.clone().into_iter().next(), Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace);
            out.extend(body);
            if !braced {
                out.extend(punct(";"));
            }
        }
        90..=96 => {
            out.extend(lex("union"));
            out.extend(one(ident(name)));
            out.extend(lex(generics));
            out.extend(lex("{ a: u8, b: u16 }"));
        }
        _ => out.extend(soup(rng, 0)),
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Running cases.

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// The hook that was there before the first [`QuietPanics`], and how many are alive: the two
/// fuzz tests run in parallel and share the process-wide hook.
static HOOK: Mutex<Option<(usize, Arc<Hook>)>> = Mutex::new(None);

/// While alive, panics inside [`quietly`] print nothing (the property reports them); other
/// panics, of this thread or of other tests, go to the previous hook, which the last
/// `QuietPanics` puts back.
struct QuietPanics;

impl QuietPanics {
    fn install() -> QuietPanics {
        let mut state = HOOK.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *state {
            Some((count, _)) => *count += 1,
            None => {
                let previous: Arc<Hook> = Arc::new(panic::take_hook());
                let forward = Arc::clone(&previous);
                panic::set_hook(Box::new(move |info| {
                    if !QUIET.with(Cell::get) {
                        forward(info);
                    }
                }));
                *state = Some((1, previous));
            }
        }
        QuietPanics
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        let mut state = HOOK.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((count, _)) = &mut *state else {
            return;
        };
        *count -= 1;
        // While unwinding the hook cannot be set; the installed one forwards everything then.
        if *count > 0 || std::thread::panicking() {
            return;
        }
        let Some((_, previous)) = state.take() else {
            return;
        };
        drop(panic::take_hook()); // the filter, and its reference to `previous`
        match Arc::try_unwrap(previous) {
            Ok(previous) => panic::set_hook(previous),
            Err(previous) => panic::set_hook(Box::new(move |info| previous(info))),
        }
    }
}

/// `catch_unwind`, with the panic hook silent for this thread while `f` runs.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    QUIET.with(|quiet| quiet.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|quiet| quiet.set(false));
    result
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic with a payload that is not a string)".to_owned()
    }
}

/// The messages of the top-level `compile_error!`s: the attribute refused the input.
fn compile_errors(output: &TokenStream) -> Vec<String> {
    let trees: Vec<TokenTree> = output.clone().into_iter().collect();
    let mut messages = Vec::new();
    for window in trees.windows(3) {
        if let [TokenTree::Ident(name), TokenTree::Punct(bang), TokenTree::Group(body)] = window {
            if name == "compile_error" && bang.as_char() == '!' {
                let message = body
                    .stream()
                    .into_iter()
                    .next()
                    .map_or_else(String::new, |tree| tree.to_string());
                messages.push(message);
            }
        }
    }
    messages
}

/// A diagnostic with its specifics (what is between backticks, numbers) erased, to count how
/// many different checks the cases reach.
fn diagnostic_kind(message: &str) -> String {
    let mut kind = String::new();
    let mut quoted = false;
    for ch in message.chars() {
        if ch == '`' {
            if !quoted {
                kind.push_str("`…`");
            }
            quoted = !quoted;
        } else if !quoted && !ch.is_ascii_digit() {
            kind.push(ch);
        }
    }
    kind.chars().take(90).collect()
}

fn contains_ident(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident == name,
        TokenTree::Group(group) => contains_ident(&group.stream(), name),
        _ => false,
    })
}

/// Whether the output ends with exactly the tokens of the item.
fn ends_with(output: &TokenStream, item: &TokenStream) -> bool {
    let output: Vec<TokenTree> = output.clone().into_iter().collect();
    let item: Vec<TokenTree> = item.clone().into_iter().collect();
    output.len() >= item.len() && same_trees(&output[output.len() - item.len()..], &item)
}

fn same_trees(a: &[TokenTree], b: &[TokenTree]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|pair| match pair {
            (TokenTree::Ident(a), TokenTree::Ident(b)) => a == b,
            (TokenTree::Punct(a), TokenTree::Punct(b)) => {
                a.as_char() == b.as_char() && a.spacing() == b.spacing()
            }
            (TokenTree::Literal(a), TokenTree::Literal(b)) => a.to_string() == b.to_string(),
            (TokenTree::Group(a), TokenTree::Group(b)) => {
                a.delimiter() == b.delimiter()
                    && same_trees(
                        &a.stream().into_iter().collect::<Vec<_>>(),
                        &b.stream().into_iter().collect::<Vec<_>>(),
                    )
            }
            _ => false,
        })
}

#[derive(Default)]
struct AttributeStats {
    cases: usize,
    function_items: usize,
    expanded: usize,
    refused: usize,
    refused_functions: usize,
    kinds: BTreeMap<String, usize>,
    generate_time: Duration,
    macro_time: Duration,
    check_time: Duration,
}

enum Outcome {
    Expanded,
    /// The diagnostics, and whether the item was a function.
    Refused(Vec<String>, bool),
}

/// The property for one attribute case; `Err` says how it failed.
fn check_attribute_case(
    case: &AttributeCase,
    stats: &mut AttributeStats,
) -> Result<Outcome, String> {
    let (args, item) = (case.args.clone(), case.item.tokens.clone());
    let started = Instant::now();
    let output = quietly(|| crate::instrument(case.preset, args, item))
        .map_err(|payload| format!("the macro panicked: {}", panic_message(&*payload)))?;
    stats.macro_time += started.elapsed();
    let started = Instant::now();
    let function = syn::parse2::<syn::ItemFn>(case.item.tokens.clone()).ok();
    stats.function_items += usize::from(function.is_some());
    let checked = quietly(|| -> Result<Outcome, String> {
        let errors = compile_errors(&output);
        if let Some(function) = &function {
            let file = syn::parse2::<syn::File>(output.clone()).map_err(|error| {
                format!("the output does not parse as a file: {error}\noutput: {output}")
            })?;
            if errors.is_empty() {
                let expanded_ident = match file.items.as_slice() {
                    [syn::Item::Fn(expanded)] => &expanded.sig.ident,
                    _ => {
                        return Err(format!(
                            "the expansion is not exactly one function\noutput: {output}"
                        ))
                    }
                };
                if *expanded_ident != function.sig.ident {
                    return Err(format!(
                        "the expansion renamed `{}` to `{expanded_ident}`",
                        function.sig.ident
                    ));
                }
                if function.sig.constness.is_some() {
                    return Err(format!("a `const fn` was expanded\noutput: {output}"));
                }
            }
        } else if errors.is_empty() {
            return Err(format!(
                "an item that is not a function was expanded without an error\noutput: {output}"
            ));
        }
        if errors.is_empty() {
            return Ok(Outcome::Expanded);
        }
        if !ends_with(&output, &case.item.tokens) {
            return Err(format!(
                "the error does not keep the item as it was\noutput: {output}"
            ));
        }
        if let Some(name) = &case.item.ident {
            if !contains_ident(&output, name) {
                return Err(format!(
                    "the error lost the function `{name}`\noutput: {output}"
                ));
            }
        }
        Ok(Outcome::Refused(errors, function.is_some()))
    });
    stats.check_time += started.elapsed();
    checked
        .map_err(|payload| format!("checking the output panicked: {}", panic_message(&*payload)))?
}

fn report(
    test: &str,
    config: &Config,
    index: usize,
    problem: &str,
    inputs: &[(&str, &TokenStream)],
) -> String {
    let mut text = format!(
        "\n=== metrics-macros fuzz: {test} case {index} failed (seed {seed}, {seed:#x})\n\
         reproduce: METRICS_MACROS_FUZZ_SEED={seed} METRICS_MACROS_FUZZ_ONLY={index} \
         cargo test -p metrics-macros {test} -- --nocapture\n\
         problem: {problem}\n",
        seed = config.seed
    );
    for (name, tokens) in inputs {
        text.push_str(&format!("{name}: {tokens}\n"));
        if has_none_group(tokens) {
            text.push_str(&format!(
                "{name} (⟦ ⟧ is an invisible Delimiter::None group): {}\n",
                render(tokens)
            ));
        }
    }
    text
}

#[test]
fn fuzz_attribute_inputs_never_panic() {
    let config = Config::from_env();
    let started = Instant::now();
    let mut stats = AttributeStats::default();
    let mut failures = Vec::new();
    let quiet = QuietPanics::install();
    for index in config.indices(config.cases) {
        let started = Instant::now();
        let case = attribute_case(config.seed, index);
        stats.generate_time += started.elapsed();
        stats.cases += 1;
        match check_attribute_case(&case, &mut stats) {
            Ok(Outcome::Expanded) => stats.expanded += 1,
            Ok(Outcome::Refused(errors, is_function)) => {
                stats.refused += 1;
                stats.refused_functions += usize::from(is_function);
                for error in errors {
                    *stats.kinds.entry(diagnostic_kind(&error)).or_default() += 1;
                }
            }
            Err(problem) => {
                let preset = one(ident(match case.preset {
                    Preset::Monitored => "monitored",
                    Preset::ToolCall => "tool_call",
                }));
                failures.push(report(
                    "fuzz_attribute_inputs_never_panic",
                    &config,
                    index,
                    &problem,
                    &[
                        ("attribute", &preset),
                        ("args", &case.args),
                        ("item", &case.item.tokens),
                    ],
                ));
                if failures.len() >= MAX_FAILURES {
                    break;
                }
            }
        }
    }
    drop(quiet);
    let share = |n: usize| 100.0 * n as f64 / stats.cases.max(1) as f64;
    eprintln!(
        "metrics-macros fuzz (attribute): seed {seed} ({seed:#x}), {} cases in {:.1?}: \
         {} expanded ({:.1}%), {} refused with compile_error ({:.1}%, {} of them on functions \
         syn accepts); {} of the items were functions; {} different diagnostics; time in \
         generator {:.1?}, macro {:.1?}, checks {:.1?}",
        stats.cases,
        started.elapsed(),
        stats.expanded,
        share(stats.expanded),
        stats.refused,
        share(stats.refused),
        stats.refused_functions,
        stats.function_items,
        stats.kinds.len(),
        stats.generate_time,
        stats.macro_time,
        stats.check_time,
        seed = config.seed,
    );
    if std::env::var_os("METRICS_MACROS_FUZZ_VERBOSE").is_some() {
        for (kind, count) in &stats.kinds {
            eprintln!("  {count:>8}  {kind}");
        }
    }
    if !failures.is_empty() {
        for failure in &failures {
            eprintln!("{failure}");
        }
        panic!(
            "{} failing attribute case(s), see above (seed {})",
            failures.len(),
            config.seed
        );
    }
    if config.only.is_none() && stats.cases >= 1000 {
        assert!(
            share(stats.expanded) >= 5.0 && share(stats.refused) >= 5.0,
            "the generator is off: expanded {:.1}%, refused {:.1}%; each must be at least 5%",
            share(stats.expanded),
            share(stats.refused)
        );
        assert!(
            stats.kinds.len() >= 30,
            "the generator reaches only {} different diagnostics",
            stats.kinds.len()
        );
    }
}

#[derive(Default)]
struct DeriveStats {
    cases: usize,
    unparsable: usize,
    ok: usize,
    err: usize,
}

#[test]
fn fuzz_derive_inputs_never_panic() {
    let config = Config::from_env();
    let cases = (config.cases / 4).max(1);
    let started = Instant::now();
    let mut stats = DeriveStats::default();
    let mut failures = Vec::new();
    let quiet = QuietPanics::install();
    'cases: for index in config.indices(cases) {
        let mut rng = Rng::for_case(config.seed, 2, index);
        let tokens = derive_input(&mut rng);
        stats.cases += 1;
        // `parse_macro_input!` turns what is not a `DeriveInput` into an error before the derive.
        let Ok(input) = syn::parse2::<syn::DeriveInput>(tokens.clone()) else {
            stats.unparsable += 1;
            continue;
        };
        for (derive, run) in [
            (
                "LabelValue",
                crate::derive::label_value as fn(syn::DeriveInput) -> syn::Result<TokenStream>,
            ),
            ("ErrorLabel", crate::derive::error_label),
            ("LabelSet", crate::families::label_set),
            ("Metrics", crate::families::metrics),
        ] {
            let input = input.clone();
            let result = quietly(|| -> Result<_, TokenStream> {
                let output = run(input).map_err(|error| error.to_compile_error())?;
                Ok(syn::parse2::<syn::File>(output.clone()).map_err(|error| (error, output)))
            });
            let problem = match result {
                Err(payload) => format!("the derive panicked: {}", panic_message(&*payload)),
                Ok(Err(_)) => {
                    stats.err += 1;
                    continue;
                }
                Ok(Ok(Ok(_))) => {
                    stats.ok += 1;
                    continue;
                }
                Ok(Ok(Err((error, output)))) => {
                    format!("the expansion does not parse as a file: {error}\noutput: {output}")
                }
            };
            let derive_name = one(ident(derive));
            failures.push(report(
                "fuzz_derive_inputs_never_panic",
                &config,
                index,
                &problem,
                &[("derive", &derive_name), ("input", &tokens)],
            ));
            if failures.len() >= MAX_FAILURES {
                break 'cases;
            }
        }
    }
    drop(quiet);
    let runs = (stats.ok + stats.err).max(1) as f64;
    eprintln!(
        "metrics-macros fuzz (derive): seed {seed} ({seed:#x}), {} inputs in {:.1?} ({} not a \
         DeriveInput); of the derive runs {} expanded ({:.1}%), {} refused ({:.1}%)",
        stats.cases,
        started.elapsed(),
        stats.unparsable,
        stats.ok,
        100.0 * stats.ok as f64 / runs,
        stats.err,
        100.0 * stats.err as f64 / runs,
        seed = config.seed,
    );
    if !failures.is_empty() {
        for failure in &failures {
            eprintln!("{failure}");
        }
        panic!(
            "{} failing derive case(s), see above (seed {})",
            failures.len(),
            config.seed
        );
    }
    if config.only.is_none() && stats.cases >= 250 {
        assert!(
            stats.ok as f64 / runs >= 0.05 && stats.err as f64 / runs >= 0.05,
            "the derive generator is off: {} expanded, {} refused",
            stats.ok,
            stats.err
        );
    }
}
