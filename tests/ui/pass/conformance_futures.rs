//! Conformance, sync functions that return a future (`impl Future`, `Pin<Box<dyn Future>>`):
//! every function here compiles without `#[monitored]`, so it must compile, behave the same and
//! be counted right with it: once per call, with the outcome and duration of the returned
//! future, not of its construction. `main` runs each shape once; `tests/conformance.rs` includes
//! this file as a module and counts every shape.

use std::convert::Infallible;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use metrics_runtime::{monitored, ErrorLabel};

/// Error enum of this file, labelled by variant.
#[derive(Debug, thiserror::Error, ErrorLabel)]
pub enum FutureError {
    #[error("refused")]
    Refused,
    #[error("empty")]
    Empty,
}

/// A boxed, sendable future, as hand-written async traits return them.
pub type BoxedResult<T> = Pin<Box<dyn Future<Output = Result<T, FutureError>> + Send>>;

// ---------------------------------------------------------------------------------------------
// `-> impl Future`
// ---------------------------------------------------------------------------------------------

// tracing-attributes tests/async_fn.rs `manual_impl_future`: `impl Future` from an `async` block
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn fut_impl_future() -> impl Future<Output = ()> {
    async {
        tokio::task::yield_now().await;
    }
}

// the issue, case (b): `impl Future<Output = Result<..>>`, an `async move` block that sleeps
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn fut_impl_future_result(
    millis: u64,
    fail: bool,
) -> impl Future<Output = Result<u8, FutureError>> {
    async move {
        tokio::time::sleep(Duration::from_millis(millis)).await;
        if fail {
            Err(FutureError::Refused)
        } else {
            Ok(1)
        }
    }
}

// tracing-attributes tests/async_fn.rs repro_1831_2: `impl Future<Output = Result<(), Infallible>>`
#[allow(clippy::manual_async_fn)]
#[deny(unused_braces)]
#[monitored]
pub fn fut_impl_future_infallible() -> impl Future<Output = Result<(), Infallible>> {
    async { Ok(()) }
}

// statements before the returned `async move` block
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn fut_impl_future_statements(x: u32) -> impl Future<Output = u32> + Send {
    let doubled = x * 2;
    let label = format!("{doubled}");
    async move {
        tokio::task::yield_now().await;
        doubled + label.len() as u32
    }
}

// an `impl Future + 'a` borrowing an argument
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn fut_impl_future_lifetime<'a>(text: &'a str) -> impl Future<Output = usize> + 'a {
    async move { text.len() }
}

// a generic argument captured by the returned future
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn fut_impl_future_generic<T: Display>(value: T) -> impl Future<Output = String> {
    async move { value.to_string() }
}

// `impl Future<Output = impl Display>`
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn fut_impl_future_impl_output() -> impl Future<Output = impl Display> {
    async { 5 }
}

// a returned future that is not an `async` block: `std::future::ready`
#[monitored]
pub fn fut_impl_future_ready() -> impl Future<Output = u8> {
    std::future::ready(5)
}

// a returned ready future holding an `Err`: the future's output is the call's outcome
#[monitored]
pub fn fut_impl_future_ready_err() -> impl Future<Output = Result<u8, FutureError>> {
    std::future::ready(Err(FutureError::Empty))
}

// a returned future that panics when polled
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn fut_impl_future_panics() -> impl Future<Output = ()> {
    async {
        tokio::task::yield_now().await;
        panic!("panics in the returned future");
    }
}

// a returned future that never completes, dropped by a timeout
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn fut_impl_future_pending() -> impl Future<Output = ()> {
    async { std::future::pending::<()>().await }
}

// a returned future with an early `return` inside the `async` block
#[allow(clippy::manual_async_fn)]
#[monitored]
pub fn fut_impl_future_early_return(n: u8) -> impl Future<Output = Result<u8, FutureError>> {
    async move {
        if n == 0 {
            return Err(FutureError::Empty);
        }
        Ok(n)
    }
}

// ---------------------------------------------------------------------------------------------
// `-> Pin<Box<dyn Future>>`
// ---------------------------------------------------------------------------------------------

// tracing-attributes tests/async_fn.rs `manual_box_pin`: `Box::pin(async { .. })`, not `Send`
#[monitored]
pub fn fut_box_pin() -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async {
        tokio::task::yield_now().await;
    })
}

// tracing-attributes tests/async_fn.rs repro_1831: `Box::pin(async move {})` under `deny(unused_braces)`
#[deny(unused_braces)]
#[monitored]
pub fn fut_box_pin_move() -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async move {})
}

// the issue, case (b): statements before `Box::pin(async move { .. })` (tracing-attributes tests/async_fn.rs `out_of_scope_fields`)
#[monitored]
pub fn fut_box_pin_statements(millis: u64, fail: bool) -> BoxedResult<u8> {
    let delay = Duration::from_millis(millis);
    let answer = if fail {
        Err(FutureError::Refused)
    } else {
        Ok(2)
    };
    Box::pin(async move {
        tokio::time::sleep(delay).await;
        answer
    })
}

// the issue, case (b), spelled out: `Pin<Box<dyn Future<Output = Result<..>> + Send>>` after a `let`
#[monitored]
pub fn fut_box_pin_statements_spelled(
    millis: u64,
    fail: bool,
) -> Pin<Box<dyn Future<Output = Result<u8, FutureError>> + Send>> {
    let delay = Duration::from_millis(millis);
    Box::pin(async move {
        tokio::time::sleep(delay).await;
        if fail {
            Err(FutureError::Refused)
        } else {
            Ok(3)
        }
    })
}

// tracing-attributes tests/async_fn.rs `out_of_scope_fields` (tracing#1296): `+ Send + Sync`, a clone moved in
#[monitored]
pub fn fut_box_pin_send_sync(
    shared: &Arc<u8>,
) -> Pin<Box<dyn Future<Output = Arc<u8>> + Send + Sync>> {
    let shared = shared.clone();
    Box::pin(async move { shared })
}

// a boxed future borrowing an argument, `+ Send + 'a`, with `async move`
#[monitored]
pub fn fut_box_pin_lifetime<'a>(text: &'a str) -> Pin<Box<dyn Future<Output = usize> + Send + 'a>> {
    Box::pin(async move { text.len() })
}

// `std::boxed::Box::pin` spelled with its full path
#[monitored]
pub fn fut_box_pin_full_path() -> Pin<Box<dyn Future<Output = u8> + Send>> {
    std::boxed::Box::pin(async { 4 })
}

// a named future boxed at the end
#[monitored]
pub fn fut_box_pin_named(n: u8) -> Pin<Box<dyn Future<Output = Result<u8, FutureError>> + Send>> {
    let future = async move {
        if n == 0 {
            Err(FutureError::Empty)
        } else {
            Ok(n)
        }
    };
    Box::pin(future)
}

// `.boxed()` from `futures::FutureExt` instead of `Box::pin`
#[monitored]
pub fn fut_boxed_method(n: u8) -> Pin<Box<dyn Future<Output = Result<u8, FutureError>> + Send>> {
    async move {
        if n == 0 {
            Err(FutureError::Empty)
        } else {
            Ok(n)
        }
    }
    .boxed()
}

// two returns of two different boxed futures
#[monitored]
pub fn fut_box_pin_two_returns(n: u8) -> BoxedResult<u8> {
    if n == 0 {
        return Box::pin(async { Err(FutureError::Empty) });
    }
    Box::pin(async move { Ok(n) })
}

// a boxed future that panics when polled
#[monitored]
pub fn fut_box_pin_panics() -> Pin<Box<dyn Future<Output = u8> + Send>> {
    Box::pin(async {
        tokio::task::yield_now().await;
        panic!("panics in the boxed future")
    })
}

// a boxed future that never completes, dropped by a timeout
#[monitored]
pub fn fut_box_pin_pending() -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async { std::future::pending::<()>().await })
}

// async recursion through a function returning `Pin<Box<dyn Future>>`
#[monitored]
pub fn fut_box_pin_recursive(n: u64) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        if n <= 1 {
            1
        } else {
            n * fut_box_pin_recursive(n - 1).await
        }
    })
}

// fastrace tests/macros/tests/ui/ok/async-trait-dyn-future.rs, unboxed: a future of a future
#[monitored]
pub fn fut_returns_future_of_future() -> Pin<Box<dyn Future<Output = BoxedResult<u8>> + Send>> {
    Box::pin(async { Box::pin(async { Ok(6u8) }) as BoxedResult<u8> })
}

// ---------------------------------------------------------------------------------------------

#[tokio::main]
async fn main() {
    fut_impl_future().await;
    assert!(fut_impl_future_result(1, true).await.is_err());
    assert_eq!(fut_impl_future_infallible().await, Ok(()));
    assert_eq!(fut_impl_future_statements(5).await, 12);
    assert_eq!(fut_impl_future_lifetime("abc").await, 3);
    assert_eq!(fut_impl_future_generic(7).await, "7");
    assert_eq!(fut_impl_future_impl_output().await.to_string(), "5");
    assert_eq!(fut_impl_future_ready().await, 5);
    assert!(fut_impl_future_ready_err().await.is_err());
    assert!(std::panic::AssertUnwindSafe(fut_impl_future_panics())
        .catch_unwind()
        .await
        .is_err());
    assert!(
        tokio::time::timeout(Duration::from_millis(1), fut_impl_future_pending())
            .await
            .is_err()
    );
    assert!(fut_impl_future_early_return(0).await.is_err());

    fut_box_pin().await;
    fut_box_pin_move().await;
    assert_eq!(fut_box_pin_statements(1, false).await.unwrap(), 2);
    assert_eq!(fut_box_pin_statements_spelled(1, false).await.unwrap(), 3);
    assert_eq!(*fut_box_pin_send_sync(&Arc::new(8)).await, 8);
    assert_eq!(fut_box_pin_lifetime("ab").await, 2);
    assert_eq!(fut_box_pin_full_path().await, 4);
    assert!(fut_box_pin_named(0).await.is_err());
    assert_eq!(fut_boxed_method(2).await.unwrap(), 2);
    assert!(fut_box_pin_two_returns(0).await.is_err());
    assert!(std::panic::AssertUnwindSafe(fut_box_pin_panics())
        .catch_unwind()
        .await
        .is_err());
    assert!(
        tokio::time::timeout(Duration::from_millis(1), fut_box_pin_pending())
            .await
            .is_err()
    );
    assert_eq!(fut_box_pin_recursive(4).await, 24);
    assert_eq!(fut_returns_future_of_future().await.await.unwrap(), 6);
}
