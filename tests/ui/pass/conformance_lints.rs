//! Conformance under strict lints: every function here compiles without `#[monitored]` with
//! warnings denied and a set of allow-by-default lints denied too, so it must compile with it:
//! the expansion may not introduce a warning into the user's crate. `main` runs each shape once;
//! `tests/conformance.rs` includes this file as a module and counts every shape.

#![deny(warnings)]
#![deny(
    rust_2018_idioms,
    unused_qualifications,
    unused_results,
    unused_lifetimes,
    single_use_lifetimes,
    unsafe_op_in_unsafe_fn,
    missing_docs,
    unit_bindings,
    let_underscore_drop,
    trivial_casts,
    trivial_numeric_casts,
    redundant_lifetimes,
    unreachable_code,
    non_snake_case
)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use metrics_runtime::monitored;

// tracing-attributes tests/dead_code.rs `unused`: an uncalled instrumented fn whose `dead_code` is expected
#[deny(unfulfilled_lint_expectations)]
#[expect(dead_code)]
#[monitored]
fn lint_expect_dead_code() {}

// tracing-attributes tests/dead_code.rs `unused_async`: the same for an `async fn`
#[deny(unfulfilled_lint_expectations)]
#[expect(dead_code)]
#[monitored]
async fn lint_expect_dead_code_async() {}

// tracing-attributes tests/ui/fail/unused_instrumented_fn.rs, inverted: a used private fn is not dead
#[monitored]
pub(crate) fn lint_private_used() -> u8 {
    1
}

/// tracing-attributes tests/instrument.rs tracing#2294: an inner `#![allow]` in a body that denies the lint.
#[deny(unused_variables)]
#[allow(clippy::mixed_attributes_style)]
#[monitored]
pub fn lint_inner_allow() {
    #![allow(unused_variables)]
    let i = 42;
}

/// tracing-attributes tests/async_fn.rs tracing#2294, async.
#[deny(unused_variables)]
#[allow(clippy::mixed_attributes_style)]
#[monitored]
pub async fn lint_inner_allow_async() {
    #![allow(unused_variables)]
    let i = 42;
}

/// tracing-attributes tests/async_fn.rs tracing#1613: `#[rustfmt::skip]` and `clippy::suspicious_else_formatting`.
#[rustfmt::skip]
#[deny(clippy::suspicious_else_formatting)]
#[monitored]
pub async fn lint_suspicious_else(var: bool) -> String {
    format!(
        "{}",
        if var { "true" } else { "false" }
    )
}

/// tracing-attributes tests/async_fn.rs tracing#1613 (rust-clippy#7760): a body of comments only.
#[deny(clippy::suspicious_else_formatting)]
#[monitored]
pub async fn lint_comment_only_body() {
    // hello world
    // else
}

/// A diverging function under `deny(unreachable_code)`.
#[monitored]
pub fn lint_never(message: &str) -> ! {
    panic!("{message}")
}

/// A body that always panics, under `deny(unreachable_code)`.
#[allow(clippy::diverging_sub_expression)]
#[monitored]
pub fn lint_always_panics() -> u8 {
    panic!("always")
}

/// An async body that always panics, under `deny(unreachable_code)`.
#[monitored]
pub async fn lint_always_panics_async() -> u8 {
    panic!("always")
}

/// A unit-returning body that ends in a call, under `deny(unit_bindings)`.
#[monitored]
pub fn lint_unit_call(values: &mut Vec<u8>) {
    values.clear()
}

/// A unit-returning async body that ends in a call, under `deny(unit_bindings)`.
#[monitored]
pub async fn lint_unit_call_async(values: &mut Vec<u8>) {
    values.clear()
}

/// A `mut` argument that is mutated, under `deny(unused_mut)`.
#[monitored]
pub fn lint_mut_arg(mut a: u32) -> u32 {
    a += 1;
    a
}

/// An unused argument named with a leading underscore, under `deny(unused_variables)`.
#[monitored]
pub fn lint_underscore_arg(_unused: u8) -> u8 {
    0
}

/// async-trait tests/test.rs issue85: a camel-case name allowed on the function, `non_snake_case` denied.
#[allow(non_snake_case)]
#[monitored]
pub fn lintCamelCase() -> u8 {
    1
}

/// `unsafe_op_in_unsafe_fn` denied: the unsafe operation is in an `unsafe` block.
///
/// # Safety
/// `ptr` must be valid for reads.
#[monitored]
pub unsafe fn lint_unsafe_block(ptr: *const u8) -> u8 {
    unsafe { *ptr }
}

/// `rust_2018_idioms` (elided lifetimes in paths) denied: `Formatter<'_>` written out.
#[monitored]
pub fn lint_elided_in_path(f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("x")
}

/// Wraps a value for `Display`, to call [`lint_elided_in_path`].
pub struct Shown;

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        lint_elided_in_path(f)
    }
}

/// `#[must_use]` under `deny(unused_must_use)`, its result used.
#[must_use]
#[monitored]
pub fn lint_must_use() -> u8 {
    2
}

/// tracing-attributes tests/async_fn.rs repro_1831 under `deny(warnings)`: `Box::pin(async move {})`.
#[monitored]
pub fn lint_boxed_unit() -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {})
}

/// tracing-attributes tests/async_fn.rs repro_1831_2 under `deny(warnings)`: `impl Future` from `async {}`.
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn lint_impl_future() -> impl Future<Output = Result<(), fmt::Error>> + Send {
    async { Ok(()) }
}

/// An `async fn` with no `.await` (clippy's `unused_async` is its business, not ours).
#[allow(clippy::unused_async)]
#[monitored]
pub async fn lint_async_without_await(n: u8) -> u8 {
    n
}

/// A method whose receiver lifetime is written once, under `deny(single_use_lifetimes)`.
pub trait LintDescribe {
    /// Describes.
    fn lint_for_ref(&self) -> usize;
}

/// An implementor.
pub struct LintStruct;

// async-trait tests/test.rs issue238: `impl Trait for &Struct` under `deny(single_use_lifetimes)`
impl LintDescribe for &LintStruct {
    #[monitored]
    fn lint_for_ref(&self) -> usize {
        1
    }
}

/// async-trait tests/test.rs issue238 and issue120, with `#[async_trait]`.
#[async_trait::async_trait]
pub trait LintAsync {
    /// Async method.
    async fn lint_async_trait(&self) -> u8;
}

// async-trait tests/test.rs issue238/issue120: `#[async_trait] impl Trait for &Struct` under strict lints
#[async_trait::async_trait]
impl LintAsync for &LintStruct {
    #[monitored]
    async fn lint_async_trait(&self) -> u8 {
        3
    }
}

/// async-trait tests/test.rs issue145 (`clippy::type_complexity`): a `Result` of associated types.
#[deny(clippy::type_complexity)]
#[monitored]
pub async fn lint_type_complexity(fail: bool) -> Result<Vec<(u8, String)>, fmt::Error> {
    if fail {
        return Err(fmt::Error);
    }
    Ok(vec![(1, "a".to_owned())])
}

/// async-trait tests/test.rs issue147 (`clippy::let_unit_value`): bodies returning unit.
#[deny(clippy::let_unit_value)]
#[monitored]
pub async fn lint_let_unit_value() {}

/// async-trait tests/test.rs issue236 (`clippy::async_yields_async`): an async fn returning a future.
#[deny(clippy::async_yields_async)]
#[monitored]
pub async fn lint_async_yields_async() -> std::future::Ready<()> {
    std::future::ready(())
}

/// async-trait tests/test.rs issue183 (`clippy::shadow_same`): an argument not shadowed by the expansion.
#[deny(clippy::shadow_same, clippy::shadow_reuse, clippy::shadow_unrelated)]
#[monitored]
pub async fn lint_no_shadowing(n: i32) -> i32 {
    n
}

/// async-trait tests/test.rs issue120 (`clippy::trivially_copy_pass_by_ref`): `&self` of a unit type.
pub trait LintUnit {
    /// A method on `()`.
    fn lint_unit_receiver(&self) -> u8;
}

impl LintUnit for () {
    #[deny(clippy::trivially_copy_pass_by_ref)]
    #[monitored]
    fn lint_unit_receiver(&self) -> u8 {
        4
    }
}

/// `clippy::used_underscore_binding` denied: the expansion must not read `_`-prefixed names.
#[deny(clippy::used_underscore_binding)]
#[monitored]
pub fn lint_no_underscore_binding(value: u8) -> u8 {
    value
}

/// `clippy::needless_return` denied: the expansion must not add a `return` of its own.
#[deny(clippy::needless_return)]
#[monitored]
pub fn lint_no_needless_return(value: u8) -> u8 {
    value
}

/// `clippy::semicolon_if_nothing_returned` and `clippy::unit_arg` denied, on a unit body.
#[deny(clippy::semicolon_if_nothing_returned, clippy::unit_arg)]
#[monitored]
pub fn lint_unit_body(values: &mut Vec<u8>) {
    values.push(1);
}

// ---------------------------------------------------------------------------------------------

#[tokio::main]
async fn main() {
    assert_eq!(lint_private_used(), 1);
    lint_inner_allow();
    lint_inner_allow_async().await;
    assert_eq!(lint_suspicious_else(true).await, "true");
    lint_comment_only_body().await;
    assert!(std::panic::catch_unwind(|| lint_never("never")).is_err());
    assert!(std::panic::catch_unwind(lint_always_panics).is_err());
    assert!(tokio::spawn(lint_always_panics_async()).await.is_err());
    let mut values = vec![1];
    lint_unit_call(&mut values);
    lint_unit_call_async(&mut values).await;
    assert_eq!(lint_mut_arg(1), 2);
    assert_eq!(lint_underscore_arg(1), 0);
    assert_eq!(lintCamelCase(), 1);
    assert_eq!(unsafe { lint_unsafe_block(&5) }, 5);
    assert_eq!(Shown.to_string(), "x");
    assert_eq!(lint_must_use(), 2);
    lint_boxed_unit().await;
    assert_eq!(lint_impl_future().await, Ok(()));
    assert_eq!(lint_async_without_await(3).await, 3);
    assert_eq!((&LintStruct).lint_for_ref(), 1);
    assert_eq!((&LintStruct).lint_async_trait().await, 3);
    assert!(lint_type_complexity(true).await.is_err());
    lint_let_unit_value().await;
    lint_async_yields_async().await.await;
    assert_eq!(lint_no_shadowing(1).await, 1);
    assert_eq!(().lint_unit_receiver(), 4);
    assert_eq!(lint_no_underscore_binding(1), 1);
    assert_eq!(lint_no_needless_return(1), 1);
    lint_unit_body(&mut values);
}
