//! Conformance, free `async fn`s: every function here compiles without `#[monitored]`, so it
//! must compile, behave the same and be counted right with it. `main` runs each shape once and
//! checks its value; `tests/conformance.rs` includes this file as a module and counts every
//! shape. Each shape names the public test suite its shape comes from.

use std::any::Any;
use std::cell::Cell;
use std::error::Error;
use std::fmt::{self, Display};
use std::future::{Future, Ready};
use std::io;
use std::num::{ParseIntError, TryFromIntError};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::{FutureExt, Stream, StreamExt};
use metrics_runtime::{monitored, ErrorLabel};

/// Error enum of this file, labelled by variant.
#[derive(Debug, thiserror::Error, ErrorLabel)]
pub enum AsyncError {
    #[error("negative")]
    Negative,
    #[error("parse: {0}")]
    Parse(#[from] ParseIntError),
}

/// A `Result` alias, as applications declare them.
pub type AsyncResult<T> = Result<T, AsyncError>;

/// anyhow-style `bail!`: an early `return Err(..)` written by a macro.
macro_rules! bail {
    ($err:expr) => {
        return Err($err.into())
    };
}

/// Yields to the executor `polls` times, like tracing's `PollN` test future.
pub async fn poll_n(polls: usize) {
    for _ in 0..polls {
        tokio::task::yield_now().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments and return values
// ---------------------------------------------------------------------------------------------

// tracing-attributes tests/async_fn.rs `test_async_fn_empty`
#[monitored]
pub async fn af_empty() {}

// tracing-attributes tests/async_fn.rs `test_async_unsafe_fn_empty`: `async unsafe fn`
///
/// # Safety
/// Nothing to uphold; the shape is what matters.
#[monitored]
pub async unsafe fn af_unsafe_empty() {}

// `async unsafe fn` doing an unsafe operation
///
/// # Safety
/// `ptr` must be valid for reads.
#[monitored]
pub async unsafe fn af_unsafe_read(ptr: *const u32) -> u32 {
    unsafe { *ptr }
}

// fastrace tests/macros/tests/ui/ok/has-name-async.rs: one argument, returned
#[monitored]
pub async fn af_value(a: u32) -> u32 {
    a
}

// fastrace tests/macros/tests/ui/ok/has-name-async-mut.rs: a `mut` argument
#[monitored]
pub async fn af_mut_arg(mut a: u32) -> u32 {
    a += 1;
    a
}

// tracing-attributes tests/async_fn.rs `test_async_fn`: several polls before a `Result<(), ()>`
#[monitored]
pub async fn af_polls(polls: usize, fail: bool) -> Result<(), ()> {
    poll_n(polls).await;
    if fail {
        Err(())
    } else {
        Ok(())
    }
}

// tracing-attributes tests/ret.rs `ret_async`
#[monitored]
pub async fn af_ret() -> i32 {
    42
}

// tracing-attributes tests/async_fn.rs tracing#1615: `Result<impl Iterator, ()>`
#[monitored]
pub async fn af_ret_impl_trait(n: i32) -> Result<impl Iterator<Item = i32>, ()> {
    Ok((0..10).filter(move |x| *x < n))
}

// tracing-attributes tests/async_fn.rs tracing#1615 with `err`: `Result<impl Iterator, &'static str>`
#[monitored]
pub async fn af_ret_impl_trait_err(n: i32) -> Result<impl Iterator<Item = i32>, &'static str> {
    if n < 0 {
        return Err("negative");
    }
    Ok((0..10).filter(move |x| *x < n))
}

// `impl Display` returned from an `async fn`
#[monitored]
pub async fn af_impl_display(value: u8) -> impl Display {
    value
}

// an `impl Trait` return of an `async fn` that borrows an argument
#[monitored]
pub async fn af_impl_borrowing<'a>(values: &'a [u8]) -> impl Iterator<Item = &'a u8> + 'a {
    values.iter().rev()
}

// fastrace tests/macros/tests/ui/ok/impl-stream.rs: `async fn` returning `impl Stream`
#[monitored]
pub async fn af_impl_stream() -> impl Stream<Item = i64> {
    futures::stream::iter(0..3)
}

// `impl Trait` arguments
#[monitored]
pub async fn af_impl_arg(value: impl Display + Send, other: impl AsRef<str>) -> String {
    format!("{value}{}", other.as_ref())
}

// a generic `async fn` with an inline bound
#[monitored]
pub async fn af_generic<T: Display + Send>(x: T) -> String {
    x.to_string()
}

// a generic `async fn` with a where clause
#[monitored]
pub async fn af_generic_where<T>(x: T) -> (T, T)
where
    T: Clone + Send,
{
    (x.clone(), x)
}

// async-trait tests/test.rs issue57: a type and a const parameter
#[monitored]
pub async fn af_const_generic<T: Send, const C: usize>(values: [T; C]) -> usize {
    values.len()
}

// async-trait tests/test.rs `elided_lifetime`
#[monitored]
pub async fn af_elided(x: &str) -> &str {
    x.trim()
}

// async-trait tests/test.rs `explicit_lifetime`
#[monitored]
pub async fn af_explicit<'a>(x: &'a str) -> &'a str {
    x.trim()
}

// async-trait tests/test.rs issue28 `Trait3`: two independent lifetimes
#[monitored]
pub async fn af_two_lifetimes<'a, 'b>(x: &'a str, y: &'b str) -> (&'a str, &'b str) {
    (x, y)
}

// autometrics tests/integration_test.rs `single_function`, async: `&'static str`
#[monitored]
pub async fn af_static_str() -> &'static str {
    "Hello world!"
}

// tracing-attributes tests/err.rs `err_mut_async`: `&mut` out parameter written with `?`
#[monitored]
pub async fn af_err_mut(polls: usize, out: &mut u8, n: i32) -> Result<(), TryFromIntError> {
    poll_n(polls).await;
    *out = u8::try_from(n)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Patterns in arguments
// ---------------------------------------------------------------------------------------------

/// A tuple struct.
pub struct Pair(pub u8, pub u8);

/// A struct with named fields.
pub struct Point {
    pub x: u8,
    pub y: u8,
}

// tracing-attributes tests/destructuring.rs `destructure_tuples`, async
#[monitored]
pub async fn af_tuple_pattern((a, b): (u8, u8)) -> u8 {
    a + b
}

// tracing-attributes tests/destructuring.rs `destructure_structs`, async
#[monitored]
pub async fn af_struct_pattern(Point { x, y: renamed }: Point) -> u8 {
    x + renamed
}

// tracing-attributes tests/destructuring.rs `destructure_refs`, async
#[monitored]
pub async fn af_ref_pattern(&n: &u8) -> u8 {
    n
}

// async-trait tests/test.rs issue234: `_` and a tuple struct with a `_` field
#[monitored]
pub async fn af_wildcards(_: u8, Pair(_, b): Pair) -> u8 {
    b
}

// async-trait tests/test.rs `test_can_destruct`, async: `ref mut` and `ref` bindings
#[monitored]
pub async fn af_ref_mut_pattern((a, ref mut b, ref c): (u8, u8, u8)) -> u8 {
    *b += 1;
    a + *b + *c
}

/// Sets its flag when dropped (async-trait tests/test.rs `drop_order`).
pub struct Flagger<'a>(pub &'a AtomicBool);

impl Drop for Flagger<'_> {
    fn drop(&mut self) {
        self.0.fetch_xor(true, Ordering::AcqRel);
    }
}

// async-trait tests/test.rs `drop_order`: an argument bound to `_` is dropped after the body ran
#[monitored]
pub async fn af_drop_order(_: Flagger<'_>, flag: &AtomicBool) {
    flag.fetch_or(true, Ordering::AcqRel);
}

// ---------------------------------------------------------------------------------------------
// Results, `?`, early returns
// ---------------------------------------------------------------------------------------------

// tracing-attributes tests/err.rs `err_async`
#[monitored]
pub async fn af_err(polls: usize, n: i32) -> Result<u8, TryFromIntError> {
    poll_n(polls).await;
    u8::try_from(n)
}

// an early `return` of a plain value
#[monitored]
pub async fn af_early_return(n: u32) -> u32 {
    if n == 0 {
        return 100;
    }
    tokio::task::yield_now().await;
    n
}

// an early `return Err` and a `?` in one body
#[monitored]
pub async fn af_early_return_err(text: &str) -> Result<u32, ParseIntError> {
    if text.is_empty() {
        return Ok(0);
    }
    tokio::task::yield_now().await;
    let n: u32 = text.parse()?;
    Ok(n + 1)
}

// `?` converting with `From` into an `ErrorLabel` enum
#[monitored]
pub async fn af_question_from(text: &str) -> AsyncResult<u32> {
    Ok(text.parse::<u32>()?)
}

// anyhow-style `bail!` in an async body
#[monitored]
pub async fn af_bail(n: i32) -> Result<u32, AsyncError> {
    tokio::task::yield_now().await;
    if n < 0 {
        bail!(AsyncError::Negative);
    }
    Ok(n as u32)
}

// `?` inside `format!` in an async body
#[monitored]
pub async fn af_question_in_format(x: Result<u8, fmt::Error>) -> Result<String, fmt::Error> {
    Ok(format!("<{}>", x?))
}

// `?` on an awaited value inside `format!`
#[monitored]
pub async fn af_question_await_in_format(text: &str) -> Result<String, ParseIntError> {
    Ok(format!("{}", async { text.parse::<u8>() }.await?))
}

// `?` on an `Option` in an `async fn` returning `Option`
#[monitored]
pub async fn af_option(values: &[u8]) -> Option<u8> {
    Some(*values.last()? * 2)
}

// `io::Result`, labelled by the error kind
#[monitored]
pub async fn af_io_alias(path: &str) -> io::Result<String> {
    std::fs::read_to_string(path)
}

// `Box<dyn Error + Send + Sync>` filled by `?`
#[monitored]
pub async fn af_box_dyn_error(text: &str) -> Result<u32, Box<dyn Error + Send + Sync>> {
    Ok(text.parse::<u32>()?)
}

// fastrace tests/macros/tests/ui/ok/async-in-trait.rs body: `unimplemented!()` in an async fn
#[monitored]
pub async fn af_unimplemented() -> usize {
    unimplemented!()
}

// a panic after an await point
#[monitored]
pub async fn af_panics_after_await(fail: bool) -> u8 {
    tokio::task::yield_now().await;
    if fail {
        panic!("boom after await");
    }
    1
}

// async-trait tests/test.rs issue266 (`-> !`), native: an `async fn` that can only panic
#[monitored]
pub async fn af_never(message: &str) -> ! {
    tokio::task::yield_now().await;
    panic!("{message}")
}

// a future that never completes, dropped by a timeout: counted `cancelled`
#[monitored]
pub async fn af_pending_forever() {
    std::future::pending::<()>().await
}

// the issue, case (a): the sibling that is pending when `af_join_explodes` panics
#[monitored]
pub async fn af_join_waits() {
    std::future::pending::<()>().await
}

// the issue, case (a): panics on its first poll while `af_join_waits` is pending
#[monitored]
pub async fn af_join_explodes() {
    panic!("explodes inside join!")
}

// ---------------------------------------------------------------------------------------------
// Returns coerced to the declared type, and inferred from it
// ---------------------------------------------------------------------------------------------

/// A trait for coercion shapes (async-trait tests/test.rs issue149's `Ret`).
pub trait Ret {
    /// A value to compare.
    fn value(&self) -> u8;
}

/// One implementor.
pub struct Thing;

impl Ret for Thing {
    fn value(&self) -> u8 {
        1
    }
}

// async-trait tests/test.rs issue149 `ok()`: `return &Thing` into `&'static dyn Ret`
#[allow(clippy::needless_return)]
#[monitored]
pub async fn af_coerce_dyn_return() -> &'static dyn Ret {
    return &Thing;
}

// `&Thing` as the tail into `&'static dyn Ret`
#[monitored]
pub async fn af_coerce_dyn_tail() -> &'static dyn Ret {
    &Thing
}

// a closure into `Box<dyn Fn + Send>`
#[monitored]
pub async fn af_coerce_box_fn(n: u32) -> Box<dyn Fn(u32) -> u32 + Send> {
    Box::new(move |x| x + n)
}

// a byte string into `&'static [u8]`
#[monitored]
pub async fn af_coerce_bytes() -> &'static [u8] {
    b"abc"
}

// `Arc<u8>` into `Arc<dyn Any + Send + Sync>`
#[monitored]
pub async fn af_coerce_arc_any(n: u8) -> Arc<dyn Any + Send + Sync> {
    Arc::new(n)
}

// async-trait tests/test.rs `test_inference`: `Box::new(iter::empty())` into `Box<dyn Iterator>`
#[monitored]
pub async fn af_coerce_box_iter() -> Box<dyn Iterator<Item = ()> + Send> {
    Box::new(std::iter::empty())
}

// an error boxed in `Err(Box::new(..))` coerced to `Box<dyn Error>` in an early return
#[monitored]
pub async fn af_coerce_err_box(fail: bool) -> Result<(), Box<dyn Error + Send + Sync>> {
    if fail {
        return Err(Box::new(io::Error::other("boxed")));
    }
    Ok(())
}

// `.collect()` whose target type comes from the return type only
#[monitored]
pub async fn af_infer_collect(n: u32) -> Vec<u32> {
    (0..n).collect()
}

// `.into()` whose target type comes from the return type only
#[monitored]
pub async fn af_infer_into(text: &str) -> String {
    text.into()
}

// `.parse()` whose target type comes from the return type only
#[monitored]
pub async fn af_infer_parse(text: &str) -> Result<u16, ParseIntError> {
    text.parse()
}

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

// tracing-attributes tests/async_fn.rs tracing#2294: an inner attribute in an async body
#[allow(clippy::mixed_attributes_style)]
#[monitored]
pub async fn af_inner_attribute() -> u8 {
    #![allow(unused_variables)]
    let unused = 42;
    1
}

// tracing-attributes tests/async_fn.rs `async_fn_nested`: instrumented async fns declared in the body
#[monitored]
pub async fn af_nested_outer() -> u8 {
    #[monitored]
    async fn af_nested_inner() -> u8 {
        1
    }
    af_nested_inner().await + 1
}

// async blocks inside the body, one with its own `return`
#[monitored]
pub async fn af_async_blocks(n: u8) -> u8 {
    let inner = async {
        if n == 0 {
            return 10;
        }
        n
    };
    let other = async move { 1 };
    inner.await + other.await
}

// an async closure inside the body
#[monitored]
pub async fn af_async_closure(n: u8) -> u8 {
    let add = async |x: u8| x + n;
    add(1).await
}

// async-trait tests/test.rs issue161: `futures::select!` in the body
#[monitored]
pub async fn af_select(n: u8) -> u8 {
    futures::select! {
        x = async { n }.fuse() => x,
    }
}

// an async recursion through `Box::pin`
#[monitored]
pub async fn af_recursive(n: u64) -> u64 {
    if n <= 1 {
        1
    } else {
        n * Box::pin(af_recursive(n - 1)).await
    }
}

// an argument shadowed in the body
#[monitored]
pub async fn af_shadowed(x: u32) -> u32 {
    let x = x * 2;
    tokio::task::yield_now().await;
    let x = x + 1;
    x
}

// argument names that clash with names an expansion is likely to generate
#[monitored]
pub async fn af_clashing_args(guard: u8, ret: u8, site: u8, __ret: u8, future: u8) -> u8 {
    tokio::task::yield_now().await;
    guard + ret + site + __ret + future
}

// locals that clash with likely generated names, one of them returned
#[monitored]
pub async fn af_clashing_locals(x: u8) -> u8 {
    let guard = x;
    let ret = guard + 1;
    tokio::task::yield_now().await;
    let __ret = ret * 2;
    __ret
}

// a `Send` future with owned data across an await, spawned on a multi-thread runtime
#[monitored]
pub async fn af_spawnable(text: String) -> usize {
    tokio::task::yield_now().await;
    text.len()
}

// a future that is not `Send` (an `Rc` held across an await): fine when not spawned
#[monitored]
pub async fn af_not_send(n: u8) -> u8 {
    let shared = Rc::new(Cell::new(n));
    tokio::task::yield_now().await;
    shared.set(shared.get() + 1);
    shared.get()
}

// async-trait tests/test.rs issue236: an `async fn` whose output is itself a future
#[monitored]
pub async fn af_returns_ready() -> Ready<u8> {
    std::future::ready(3)
}

/// A boxed future with an error (fastrace tests/macros/tests/ui/ok/dyn-future.rs).
pub type MyFuture = Pin<Box<dyn Future<Output = Result<u32, OuterError>> + Send>>;

/// Inner error of [`MyFuture`].
#[derive(Debug)]
pub struct InnerError;

/// Outer error of [`MyFuture`].
#[derive(Debug)]
pub struct OuterError(pub InnerError);

// fastrace tests/macros/tests/ui/ok/dyn-future.rs: `async fn` returning `Result<boxed future, E>`
#[monitored]
pub async fn af_dyn_future() -> Result<MyFuture, OuterError> {
    let inner = async { Err(InnerError) };
    let mapped = async move { inner.await.map_err(OuterError) };
    Ok(Box::pin(mapped))
}

// a `Stream` consumed in the body
#[monitored]
pub async fn af_consumes_stream(n: i64) -> i64 {
    futures::stream::iter(0..n)
        .fold(0, |a, b| async move { a + b })
        .await
}

// ---------------------------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------------------------

// async-trait tests/ui/must-use.rs: `#[must_use]` on an `async fn`
#[must_use]
#[monitored]
pub async fn af_must_use() -> u8 {
    1
}

/// Documented `async fn`.
#[doc = "More documentation."]
#[monitored]
pub async fn af_documented() -> u8 {
    2
}

// `#[inline]` on an `async fn`
#[inline]
#[monitored]
pub async fn af_inline() -> u8 {
    3
}

// the attribute through `#[cfg_attr]` on an `async fn`
#[cfg_attr(all(), monitored)]
pub async fn af_cfg_attr() -> u8 {
    4
}

// tracing-attributes tests/async_fn.rs repro_1613: `#[rustfmt::skip]`
#[rustfmt::skip]
#[monitored]
pub async fn af_rustfmt_skip(var: bool) -> String {
    format!(
        "{}",
        if var { "true" } else { "false" }
    )
}

/// autometrics tests/integration_test.rs `caller_labels`, async: a module of async shapes.
pub mod inner {
    use metrics_runtime::monitored;

    // autometrics tests/integration_test.rs `caller_labels`: an async fn in a module
    #[monitored]
    pub async fn af_in_module() -> u8 {
        super::af_value(1).await as u8
    }
}

// ---------------------------------------------------------------------------------------------

#[tokio::main]
async fn main() {
    af_empty().await;
    unsafe { af_unsafe_empty() }.await;
    assert_eq!(unsafe { af_unsafe_read(&3) }.await, 3);
    assert_eq!(af_value(1).await, 1);
    assert_eq!(af_mut_arg(1).await, 2);
    assert!(af_polls(2, true).await.is_err());
    assert_eq!(af_ret().await, 42);
    assert_eq!(af_ret_impl_trait(3).await.unwrap().count(), 3);
    assert!(af_ret_impl_trait_err(-1).await.is_err());
    assert_eq!(af_impl_display(5).await.to_string(), "5");
    assert_eq!(af_impl_borrowing(&[1, 2]).await.next(), Some(&2));
    assert_eq!(af_impl_stream().await.count().await, 3);
    assert_eq!(af_impl_arg(1, "a").await, "1a");
    assert_eq!(af_generic(2).await, "2");
    assert_eq!(af_generic_where(1).await, (1, 1));
    assert_eq!(af_const_generic([0u8; 4]).await, 4);
    assert_eq!(af_elided(" a ").await, "a");
    assert_eq!(af_explicit(" b ").await, "b");
    assert_eq!(af_two_lifetimes("a", "b").await, ("a", "b"));
    assert_eq!(af_static_str().await, "Hello world!");
    let mut out = 0;
    assert!(af_err_mut(1, &mut out, 1234).await.is_err());

    assert_eq!(af_tuple_pattern((1, 2)).await, 3);
    assert_eq!(af_struct_pattern(Point { x: 1, y: 2 }).await, 3);
    assert_eq!(af_ref_pattern(&4).await, 4);
    assert_eq!(af_wildcards(1, Pair(2, 3)).await, 3);
    assert_eq!(af_ref_mut_pattern((1, 2, 3)).await, 7);
    let flag = AtomicBool::new(false);
    af_drop_order(Flagger(&flag), &flag).await;
    assert!(
        !flag.load(Ordering::Acquire),
        "the argument was dropped before the body ran"
    );

    assert!(af_err(1, 1234).await.is_err());
    assert_eq!(af_early_return(0).await, 100);
    assert_eq!(af_early_return_err("").await, Ok(0));
    assert!(af_question_from("x").await.is_err());
    assert!(af_bail(-1).await.is_err());
    assert_eq!(af_question_in_format(Ok(1)).await.unwrap(), "<1>");
    assert!(af_question_await_in_format("x").await.is_err());
    assert_eq!(af_option(&[2]).await, Some(4));
    assert!(af_io_alias("/definitely/not/here").await.is_err());
    assert!(af_box_dyn_error("x").await.is_err());
    assert!(std::panic::AssertUnwindSafe(af_unimplemented())
        .catch_unwind()
        .await
        .is_err());
    assert_eq!(af_panics_after_await(false).await, 1);
    assert!(std::panic::AssertUnwindSafe(af_never("never"))
        .catch_unwind()
        .await
        .is_err());
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(1), af_pending_forever())
            .await
            .is_err()
    );
    let joined = std::panic::AssertUnwindSafe(async {
        futures::join!(af_join_waits(), af_join_explodes());
    })
    .catch_unwind()
    .await;
    assert!(joined.is_err());

    assert_eq!(af_coerce_dyn_return().await.value(), 1);
    assert_eq!(af_coerce_dyn_tail().await.value(), 1);
    assert_eq!((af_coerce_box_fn(1).await)(1), 2);
    assert_eq!(af_coerce_bytes().await, b"abc");
    assert_eq!(af_coerce_arc_any(3).await.downcast_ref::<u8>(), Some(&3));
    assert_eq!(af_coerce_box_iter().await.count(), 0);
    assert!(af_coerce_err_box(true).await.is_err());
    assert_eq!(af_infer_collect(2).await, [0, 1]);
    assert_eq!(af_infer_into("x").await, "x");
    assert_eq!(af_infer_parse("7").await, Ok(7));

    assert_eq!(af_inner_attribute().await, 1);
    assert_eq!(af_nested_outer().await, 2);
    assert_eq!(af_async_blocks(0).await, 11);
    assert_eq!(af_async_closure(1).await, 2);
    assert_eq!(af_select(4).await, 4);
    assert_eq!(af_recursive(4).await, 24);
    assert_eq!(af_shadowed(1).await, 3);
    assert_eq!(af_clashing_args(1, 1, 1, 1, 1).await, 5);
    assert_eq!(af_clashing_locals(1).await, 4);
    assert_eq!(tokio::spawn(af_spawnable("abc".into())).await.unwrap(), 3);
    assert_eq!(af_not_send(1).await, 2);
    assert_eq!(af_returns_ready().await.await, 3);
    assert!(af_dyn_future().await.unwrap().await.is_err());
    assert_eq!(af_consumes_stream(4).await, 6);

    assert_eq!(af_must_use().await, 1);
    assert_eq!(af_documented().await, 2);
    assert_eq!(af_inline().await, 3);
    assert_eq!(af_cfg_attr().await, 4);
    assert_eq!(af_rustfmt_skip(false).await, "false");
    assert_eq!(inner::af_in_module().await, 1);
}
