//! Every free-function shape `#[monitored]` accepts, called for real; the exposition shows each.
#![deny(missing_docs, unused_must_use)]

use std::fmt::Display;
use metrics_runtime::{monitored, Exporter};

/// Sync, returns a value.
#[monitored]
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

/// Async with an early `return` and `?` that converts the error type.
#[monitored]
pub async fn parse_twice(text: &str) -> Result<u64, Box<dyn std::error::Error>> {
    if text.is_empty() {
        return Ok(0);
    }
    let n: u64 = text.parse()?;
    Ok(n * 2)
}

/// Generic with a where clause.
#[monitored]
pub fn largest<T>(items: &[T]) -> Option<&T>
where
    T: PartialOrd,
{
    items.iter().fold(None, |best, item| match best {
        Some(b) if b >= item => Some(b),
        _ => Some(item),
    })
}

/// Explicit lifetimes.
#[monitored]
pub fn first_word<'a>(text: &'a str) -> &'a str {
    text.split(' ').next().unwrap_or(text)
}

/// Elided lifetime in the return type.
#[monitored]
pub fn trimmed(text: &str) -> &str {
    text.trim()
}

/// `impl Trait` argument and return.
#[monitored]
pub fn show(value: impl Display) -> impl Display {
    format!("<{value}>")
}

/// Async returning `impl Trait`.
#[monitored]
pub async fn lazy_show(value: u8) -> impl Display {
    value
}

/// Patterns in arguments.
#[monitored]
pub fn swap((a, b): (u8, u8), [x, y]: [u8; 2], mut n: u8) -> (u8, u8, u8) {
    n += x + y;
    (b, a, n)
}

/// `unsafe fn`.
///
/// # Safety
/// `ptr` must be valid for reads.
#[monitored]
pub unsafe fn read(ptr: *const u32) -> u32 {
    unsafe { *ptr }
}

/// `#[must_use]` is kept: the crate denies `unused_must_use` and uses the result.
#[must_use]
#[monitored]
pub fn important() -> u8 {
    42
}

/// No return value at all.
#[monitored]
pub fn nothing() {}

/// Returns a closure.
#[monitored]
pub fn adder(n: u32) -> impl Fn(u32) -> u32 {
    move |x| x + n
}

/// A `const` generic.
#[monitored]
pub fn sum_array<const N: usize>(values: [u32; N]) -> u32 {
    values.iter().sum()
}

/// The attribute below another attribute, and `r#` identifiers.
#[inline]
#[monitored]
pub fn r#match(r#type: u8) -> u8 {
    r#type
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let exporter = Exporter::builder().build().unwrap();
    assert_eq!(add(1, 2), 3);
    assert_eq!(parse_twice("21").await.unwrap(), 42);
    assert_eq!(parse_twice("").await.unwrap(), 0);
    assert!(parse_twice("x").await.is_err());
    assert_eq!(largest(&[3, 9, 2]), Some(&9));
    assert_eq!(first_word("hello world"), "hello");
    assert_eq!(trimmed("  x "), "x");
    assert_eq!(show(5).to_string(), "<5>");
    assert_eq!(lazy_show(7).await.to_string(), "7");
    assert_eq!(swap((1, 2), [3, 4], 5), (2, 1, 12));
    assert_eq!(unsafe { read(&7) }, 7);
    assert_eq!(important(), 42);
    nothing();
    assert_eq!(adder(2)(3), 5);
    assert_eq!(sum_array([1, 2, 3]), 6);
    assert_eq!(r#match(4), 4);

    // trybuild names the crate; the module label is its module path.
    let text = exporter.render().replace(&format!("module=\"{}\"", module_path!()), "module=\"m\"");
    for function in [
        "add", "largest", "first_word", "trimmed", "show", "lazy_show", "swap", "read", "important", "nothing",
        "adder", "sum_array", "match",
    ] {
        let line = format!("function_calls_total{{function=\"{function}\",module=\"m\",status=\"ok\"}} 1\n");
        assert!(text.contains(&line), "missing {line} in\n{text}");
    }
    assert!(text.contains("function_calls_total{function=\"parse_twice\",module=\"m\",status=\"ok\"} 2\n"));
    assert!(text.contains("function_calls_total{function=\"parse_twice\",module=\"m\",status=\"error\"} 1\n"));
    assert!(text.contains("function_errors_total{function=\"parse_twice\",module=\"m\",error_type=\"Box<dyn Error>\"} 1\n"), "{text}");
}
