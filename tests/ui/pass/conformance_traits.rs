//! Conformance, async methods of traits: native `async fn` in traits (impls and default
//! methods), `-> impl Future` in traits, and `#[async_trait]` with and without `?Send`, default
//! methods, generic traits, every receiver. Every method here compiles without `#[monitored]`, so
//! it must compile, behave the same and be counted right with it. The `function` label is the
//! method name: a method implemented by several types is counted under one name.

#![allow(async_fn_in_trait)]

use std::cell::Cell;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use futures::FutureExt;
use metrics_runtime::{monitored, ErrorLabel};

/// Error enum of this file, labelled by variant.
#[derive(Debug, thiserror::Error, ErrorLabel)]
pub enum StoreError {
    #[error("missing")]
    Missing,
    #[error("parse: {0}")]
    Parse(#[from] std::num::ParseIntError),
}

// ---------------------------------------------------------------------------------------------
// Native `async fn` in traits
// ---------------------------------------------------------------------------------------------

/// A trait with native `async fn`s.
pub trait Store {
    /// `&self`.
    async fn t_native_ref(&self, key: &str) -> Option<String>;
    /// `&mut self`.
    async fn t_native_mut(&mut self, value: u32) -> u32;
    /// `self` by value.
    async fn t_native_value(self) -> u32
    where
        Self: Sized;
    /// No receiver, returns `Self`.
    async fn t_native_new() -> Self
    where
        Self: Sized;
    /// A generic method.
    async fn t_native_generic<T: std::fmt::Display + Send>(&self, value: T) -> String;
    /// `Result` with `?`.
    async fn t_native_result(&self, text: &str) -> Result<u32, StoreError>;
    /// Unimplemented in the impl.
    async fn t_native_unimplemented(&self) -> usize;
    /// Instrumented default method.
    async fn t_native_default(&self) -> u32 {
        1
    }
    /// A default method whose body is instrumented in the trait.
    #[monitored]
    async fn t_native_default_instrumented(&self, n: u32) -> u32 {
        n + 1
    }
    /// `-> impl Future` written out in the trait (return-position `impl Trait` in traits).
    fn t_native_rpitit(&self, n: u32) -> impl Future<Output = Result<u32, StoreError>> + Send;
}

/// The implementor of [`Store`].
#[derive(Default)]
pub struct Memory {
    pub total: u32,
}

impl Store for Memory {
    // fastrace tests/macros/tests/ui/ok/async-in-trait.rs: native `async fn` in a trait impl, `&self`
    #[monitored]
    async fn t_native_ref(&self, key: &str) -> Option<String> {
        tokio::task::yield_now().await;
        (!key.is_empty()).then(|| key.to_uppercase())
    }

    // native `async fn` in a trait impl, `&mut self`
    #[monitored]
    async fn t_native_mut(&mut self, value: u32) -> u32 {
        self.total += value;
        self.total
    }

    // native `async fn` in a trait impl, `self` by value
    #[monitored]
    async fn t_native_value(self) -> u32 {
        self.total
    }

    // native `async fn` in a trait impl without receiver, returning `Self`
    #[monitored]
    async fn t_native_new() -> Self {
        Self { total: 0 }
    }

    // native `async fn` in a trait impl with a type parameter
    #[monitored]
    async fn t_native_generic<T: std::fmt::Display + Send>(&self, value: T) -> String {
        format!("{value}{}", self.total)
    }

    // native `async fn` in a trait impl with `?` and an early return
    #[monitored]
    async fn t_native_result(&self, text: &str) -> Result<u32, StoreError> {
        if text.is_empty() {
            return Err(StoreError::Missing);
        }
        Ok(text.parse::<u32>()? + self.total)
    }

    // fastrace tests/macros/tests/ui/ok/async-in-trait.rs: `unimplemented!()` body
    #[monitored]
    async fn t_native_unimplemented(&self) -> usize {
        unimplemented!()
    }

    // an instrumented override of a default method
    #[monitored]
    async fn t_native_default(&self) -> u32 {
        2
    }

    // `-> impl Future + Send` in a trait impl, an `async move` block after a statement
    #[allow(clippy::manual_async_fn)]
    #[monitored]
    fn t_native_rpitit(&self, n: u32) -> impl Future<Output = Result<u32, StoreError>> + Send {
        let total = self.total;
        async move {
            tokio::task::yield_now().await;
            if n == 0 {
                Err(StoreError::Missing)
            } else {
                Ok(n + total)
            }
        }
    }
}

/// A generic trait with a native `async fn`.
pub trait Convert<T> {
    /// Converts.
    async fn t_native_convert(&self, value: T) -> T;
}

impl<T: Clone + Send> Convert<T> for Memory {
    // native `async fn` in the impl of a generic trait, generic impl
    #[monitored]
    async fn t_native_convert(&self, value: T) -> T {
        value.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// `#[async_trait]`
// ---------------------------------------------------------------------------------------------

/// async-trait tests/test.rs `Trait`: every receiver, an associated type, generics, lifetimes.
#[async_trait]
pub trait Basic {
    /// An associated type.
    type Assoc;

    /// `self` by value.
    async fn t_at_selfvalue(self)
    where
        Self: Sized;
    /// `&self`.
    async fn t_at_selfref(&self) -> u8;
    /// `&mut self`.
    async fn t_at_selfmut(&mut self) -> u8;
    /// No receiver, an associated type.
    async fn t_at_required() -> Self::Assoc;
    /// An elided lifetime.
    async fn t_at_elided(x: &str) -> usize;
    /// An explicit lifetime.
    async fn t_at_explicit<'a>(x: &'a str) -> &'a str;
    /// A type parameter.
    async fn t_at_generic<T: Send>(x: Box<T>) -> T;
    /// Calls the others.
    async fn t_at_calls(&self) -> usize;
    /// `self: Box<Self>`.
    async fn t_at_boxed(self: Box<Self>) -> u8;
    /// `self: Arc<Self>`.
    async fn t_at_arc(self: Arc<Self>) -> usize;
}

/// The implementor of the `#[async_trait]` traits.
#[derive(Default)]
pub struct Remote {
    pub calls: u8,
}

#[async_trait]
impl Basic for Remote {
    type Assoc = u8;

    // async-trait tests/test.rs `selfvalue`
    #[monitored]
    async fn t_at_selfvalue(self) {}

    // async-trait tests/test.rs `selfref`
    #[monitored]
    async fn t_at_selfref(&self) -> u8 {
        self.calls
    }

    // async-trait tests/test.rs `selfmut`
    #[monitored]
    async fn t_at_selfmut(&mut self) -> u8 {
        self.calls += 1;
        self.calls
    }

    // async-trait tests/test.rs `required`: `-> Self::Assoc`, no receiver
    #[monitored]
    async fn t_at_required() -> Self::Assoc {
        7
    }

    // async-trait tests/test.rs `elided_lifetime`
    #[monitored]
    async fn t_at_elided(x: &str) -> usize {
        x.len()
    }

    // async-trait tests/test.rs `explicit_lifetime`
    #[monitored]
    async fn t_at_explicit<'a>(x: &'a str) -> &'a str {
        x
    }

    // async-trait tests/test.rs `generic_type_param`
    #[monitored]
    async fn t_at_generic<T: Send>(x: Box<T>) -> T {
        *x
    }

    // async-trait tests/test.rs `calls`: `Self::` and `<Self>::` calls in the body
    #[monitored]
    async fn t_at_calls(&self) -> usize {
        let a = self.t_at_selfref().await as usize;
        let b = Self::t_at_elided("ab").await;
        let c = <Self>::t_at_elided("c").await;
        a + b + c
    }

    // async-trait `self: Box<Self>`
    #[monitored]
    async fn t_at_boxed(self: Box<Self>) -> u8 {
        self.calls
    }

    // async-trait tests/test.rs issue11/issue161: `self: Arc<Self>` with `futures::select!`
    #[monitored]
    async fn t_at_arc(self: Arc<Self>) -> usize {
        futures::select! {
            n = async { Arc::strong_count(&self) }.fuse() => n,
        }
    }
}

/// async-trait tests/test.rs `test_dyn_compatible_with_default`: default methods, used as `dyn`.
#[async_trait]
pub trait WithDefaults: Sync {
    /// A default method instrumented in the trait definition.
    #[monitored]
    async fn t_at_default(&self) -> u8 {
        tokio::task::yield_now().await;
        1
    }

    /// A default method taking `self` by value (async-trait tests/test.rs issue23 `g`).
    #[monitored]
    async fn t_at_default_mut_self(mut self) -> u8
    where
        Self: Sized + Send,
    {
        let rebound = &mut self;
        let _ = rebound;
        2
    }

    /// A required method, implemented and instrumented in the impl.
    async fn t_at_required_in_dyn(&self) -> Result<u8, StoreError>;
}

#[async_trait]
impl WithDefaults for Remote {
    // async-trait tests/test.rs `test_dyn_compatible_without_default`: called through `&dyn`
    #[monitored]
    async fn t_at_required_in_dyn(&self) -> Result<u8, StoreError> {
        if self.calls == 0 {
            return Err(StoreError::Missing);
        }
        Ok(self.calls)
    }
}

/// async-trait tests/test.rs issue199 and `test_dyn_compatible_no_send`: `?Send`.
#[async_trait(?Send)]
pub trait Local {
    /// Not `Send`: takes a `&Cell`.
    async fn t_at_not_send(&self, counter: &Cell<usize>, arg: IncrementOnDrop<'_>) -> usize;
    /// A `?Send` default method instrumented in the trait.
    #[monitored]
    async fn t_at_not_send_default(&self) -> usize {
        let shared = std::rc::Rc::new(3);
        tokio::task::yield_now().await;
        *shared
    }
}

/// Increments a counter when dropped (async-trait tests/test.rs issue199).
pub struct IncrementOnDrop<'a>(pub &'a Cell<usize>);

impl Drop for IncrementOnDrop<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[async_trait(?Send)]
impl Local for Remote {
    // async-trait tests/test.rs issue199: `?Send`, the second argument not dropped before the body ran
    #[monitored]
    async fn t_at_not_send(&self, counter: &Cell<usize>, _: IncrementOnDrop<'_>) -> usize {
        tokio::task::yield_now().await;
        counter.get()
    }
}

/// async-trait tests/test.rs issue232: a generic trait.
#[async_trait]
pub trait Generic<T> {
    /// Takes a reference to a `T`.
    async fn t_at_take_ref(&self, thing: &T) -> usize;
}

/// One implementor of [`Generic`].
pub struct One;

/// Another implementor of [`Generic`], for pairs.
pub struct Two;

#[async_trait]
impl<T: Sync> Generic<T> for One {
    // async-trait tests/test.rs issue232 `One`: `impl<T> Generic<T>`, argument `_`
    #[monitored]
    async fn t_at_take_ref(&self, _: &T) -> usize {
        1
    }
}

#[async_trait]
impl<T: Sync> Generic<(T, T)> for Two {
    // async-trait tests/test.rs issue232 `Two`: a tuple pattern behind a reference
    #[monitored]
    async fn t_at_take_ref(&self, (a, b): &(T, T)) -> usize {
        let _ = (a, b);
        2
    }
}

/// async-trait tests/test.rs issue28: a trait with a lifetime parameter.
#[async_trait]
pub trait Named<'a> {
    /// Returns a borrowed name.
    async fn t_at_lifetime_param(x: Holder<'a>) -> &'a str;
}

/// A struct with a lifetime.
pub struct Holder<'a>(pub &'a str);

#[async_trait]
impl<'a> Named<'a> for Remote {
    // async-trait tests/test.rs issue28 `Trait1`: the trait's lifetime in argument and return
    #[monitored]
    async fn t_at_lifetime_param(x: Holder<'a>) -> &'a str {
        x.0
    }
}

/// Several shapes of async-trait's issue list in one trait.
#[async_trait]
pub trait Issues {
    /// issue57: a const parameter.
    async fn t_at_const_generic<T: Send, const C: usize>(values: [T; C]) -> usize;
    /// issue177: an `impl FnMut` argument.
    async fn t_at_impl_arg(&self, callback: impl FnMut(&str) + Send) -> usize;
    /// issue281: `Result<impl Trait, Self::Error>`.
    async fn t_at_impl_result(
        &self,
        fail: bool,
    ) -> Result<impl AsRef<str> + Send + Sync, StoreError>;
    /// issue149: `&'static dyn Trait` from `return &Thing`.
    async fn t_at_coerce_dyn() -> &'static dyn Ret;
    /// `test_inference`: `Box<dyn Iterator>` from `Box::new(iter::empty())`.
    async fn t_at_coerce_box() -> Box<dyn Iterator<Item = ()> + Send>;
    /// issue68/issue92: `Self` inside a macro in the body.
    async fn t_at_self_in_macro(&self) -> u8;
    /// `test_can_destruct`: `ref mut`, `ref` and by-value bindings.
    async fn t_at_destructure(&self, values: (u8, u8, u8, u8)) -> u8;
    /// issue226: arguments under `#[cfg]`.
    async fn t_at_cfg_param(&self, param: u8) -> u8;
    /// issue300: `-> ()` and `&mut self` rebound.
    async fn t_at_unit_mut(&mut self) -> ();
    /// issue106: generic future-producing closure in a where clause.
    async fn t_at_spawn<F, Fut, T>(&self, work: F) -> T
    where
        F: FnOnce(&u8) -> Fut + Send,
        Fut: Future<Output = T> + Send + 'static,
        T: Send;
    /// fastrace tests/macros/tests/ui/ok/async-trait-dyn-future.rs: a boxed future in a `Result`.
    async fn t_at_dyn_future() -> Result<MyFuture, OuterError>;
    /// autometrics tests/compilation/result_labels/pass/async_trait_support.rs.
    async fn t_at_bool() -> bool;
}

/// A trait for coercion shapes (async-trait tests/test.rs issue149's `Ret`).
pub trait Ret {
    /// A value.
    fn value(&self) -> u8;
}

/// The implementor of [`Ret`].
pub struct Thing;

impl Ret for Thing {
    fn value(&self) -> u8 {
        1
    }
}

/// A boxed future with an error (fastrace tests/macros/tests/ui/ok/async-trait-dyn-future.rs).
pub type MyFuture = Pin<Box<dyn Future<Output = Result<u32, OuterError>> + Send>>;

/// Inner error of [`MyFuture`].
#[derive(Debug)]
pub struct InnerError;

/// Outer error of [`MyFuture`].
#[derive(Debug)]
pub struct OuterError(pub InnerError);

#[async_trait]
impl Issues for Remote {
    // async-trait tests/test.rs issue57: a const parameter in an `#[async_trait]` method
    #[monitored]
    async fn t_at_const_generic<T: Send, const C: usize>(values: [T; C]) -> usize {
        values.len()
    }

    // async-trait tests/test.rs issue177: an `impl FnMut(&str) + Send` argument
    #[monitored]
    async fn t_at_impl_arg(&self, mut callback: impl FnMut(&str) + Send) -> usize {
        callback("x");
        1
    }

    // async-trait tests/test.rs issue281: `Result<impl AsRef<str> + Send + Sync, E>`
    #[monitored]
    async fn t_at_impl_result(
        &self,
        fail: bool,
    ) -> Result<impl AsRef<str> + Send + Sync, StoreError> {
        if fail {
            return Err(StoreError::Missing);
        }
        Ok("Hello World")
    }

    // async-trait tests/test.rs issue149: `return &Thing` coerced to `&'static dyn Ret`
    #[allow(clippy::needless_return)]
    #[monitored]
    async fn t_at_coerce_dyn() -> &'static dyn Ret {
        return &Thing;
    }

    // async-trait tests/test.rs `test_inference`: `Box::new(iter::empty())` as `Box<dyn Iterator>`
    #[monitored]
    async fn t_at_coerce_box() -> Box<dyn Iterator<Item = ()> + Send> {
        Box::new(std::iter::empty())
    }

    // async-trait tests/test.rs issue68/issue92: `Self` and `self` inside a `macro_rules!` in the body
    #[monitored]
    async fn t_at_self_in_macro(&self) -> u8 {
        macro_rules! calls_of {
            ($this:expr) => {{
                let this: &Self = $this;
                this.calls
            }};
        }
        calls_of!(self)
    }

    // async-trait tests/test.rs `test_can_destruct`
    #[monitored]
    async fn t_at_destructure(&self, (a, ref mut b, ref c, d): (u8, u8, u8, u8)) -> u8 {
        *b += 1;
        a + *b + *c + d
    }

    // async-trait tests/test.rs issue226: `#[cfg]` on arguments
    #[monitored]
    async fn t_at_cfg_param(&self, #[cfg(any())] param: u8, #[cfg(all())] kept: u8) -> u8 {
        kept
    }

    // async-trait tests/test.rs issue300: `-> ()` with `let _ = &mut self;`
    #[allow(clippy::unused_unit)]
    #[monitored]
    async fn t_at_unit_mut(&mut self) -> () {
        let _ = &mut self;
    }

    // async-trait tests/test.rs issue106: a generic future-producing closure
    #[monitored]
    async fn t_at_spawn<F, Fut, T>(&self, work: F) -> T
    where
        F: FnOnce(&u8) -> Fut + Send,
        Fut: Future<Output = T> + Send + 'static,
        T: Send,
    {
        work(&self.calls).await
    }

    // fastrace tests/macros/tests/ui/ok/async-trait-dyn-future.rs
    #[monitored]
    async fn t_at_dyn_future() -> Result<MyFuture, OuterError> {
        let inner = async { Err(InnerError) };
        let mapped = async move { inner.await.map_err(OuterError) };
        Ok(Box::pin(mapped))
    }

    // autometrics tests/compilation/result_labels/pass/async_trait_support.rs
    #[monitored]
    async fn t_at_bool() -> bool {
        true
    }
}

/// async-trait tests/test.rs issue81/issue87: `Self::Variant` patterns on an enum.
#[async_trait]
pub trait Handle {
    /// Handles.
    async fn t_at_enum_self(&self) -> u8;
}

/// An enum implementor.
pub enum Signal {
    Go,
    Stop(),
    Wait {},
}

#[async_trait]
impl Handle for Signal {
    // async-trait tests/test.rs issue81/issue87: `Self::` patterns in an `#[async_trait]` body
    #[monitored]
    async fn t_at_enum_self(&self) -> u8 {
        match self {
            Self::Go => 1,
            Self::Stop() => 2,
            Self::Wait {} => 3,
        }
    }
}

/// async-trait tests/test.rs issue89: impls for `dyn Trait` types.
#[async_trait]
pub trait ForDyn {
    /// Called on a trait object type.
    async fn t_at_for_dyn(&self) -> u8;
}

#[async_trait]
impl ForDyn for dyn Fn(u8) -> u8 + Send + Sync {
    // async-trait tests/test.rs issue89: `impl Trait for dyn Fn(..) + Send + Sync`
    #[monitored]
    async fn t_at_for_dyn(&self) -> u8 {
        self(1)
    }
}

/// async-trait tests/test.rs issue283: a blanket impl using `Self::` of a bound.
#[async_trait]
pub trait Blanket {
    /// Calls a bound's function.
    async fn t_at_blanket() -> u8;
}

/// The bound of the blanket impl.
pub trait Bound {
    /// A value.
    fn b() -> u8;
}

impl Bound for Thing {
    fn b() -> u8 {
        5
    }
}

#[async_trait]
impl<T: Bound> Blanket for T {
    // async-trait tests/test.rs issue283: a blanket `impl<T: Bound>` calling `Self::b()`
    #[monitored]
    async fn t_at_blanket() -> u8 {
        Self::b()
    }
}

/// async-trait tests/test.rs issue110: an impl for a type with an anonymous lifetime.
#[async_trait]
pub trait Loader {
    /// Loads.
    async fn t_at_load(&self, key: &str) -> usize;
}

/// A type with a lifetime marker.
pub struct MetadataLoader<'a> {
    pub marker: PhantomData<&'a ()>,
}

#[async_trait]
impl Loader for MetadataLoader<'_> {
    // async-trait tests/test.rs issue110: `impl Trait for Type<'_>`
    #[monitored]
    async fn t_at_load(&self, key: &str) -> usize {
        key.len()
    }
}

/// A trait with a panicking and a cancelled method, for the statuses through `#[async_trait]`.
#[async_trait]
pub trait Failing {
    /// Panics after an await.
    async fn t_at_panics(&self) -> u8;
    /// Never completes.
    async fn t_at_pending(&self);
}

#[async_trait]
impl Failing for Remote {
    // async-trait: a panic inside the boxed future
    #[monitored]
    async fn t_at_panics(&self) -> u8 {
        tokio::task::yield_now().await;
        panic!("panics in an async-trait method")
    }

    // async-trait: a boxed future dropped before it completes
    #[monitored]
    async fn t_at_pending(&self) {
        std::future::pending::<()>().await
    }
}

// ---------------------------------------------------------------------------------------------

#[tokio::main]
async fn main() {
    let mut memory = Memory::t_native_new().await;
    assert_eq!(memory.t_native_ref("a").await, Some("A".into()));
    assert_eq!(memory.t_native_mut(2).await, 2);
    assert_eq!(memory.t_native_generic(1).await, "12");
    assert!(memory.t_native_result("").await.is_err());
    assert!(
        std::panic::AssertUnwindSafe(memory.t_native_unimplemented())
            .catch_unwind()
            .await
            .is_err()
    );
    assert_eq!(memory.t_native_default().await, 2);
    assert_eq!(memory.t_native_default_instrumented(1).await, 2);
    assert_eq!(memory.t_native_rpitit(1).await.unwrap(), 3);
    assert_eq!(memory.t_native_convert(5u8).await, 5);
    assert_eq!(memory.t_native_value().await, 2);

    let mut remote = Remote::default();
    assert_eq!(remote.t_at_selfmut().await, 1);
    assert_eq!(remote.t_at_selfref().await, 1);
    assert_eq!(Remote::t_at_required().await, 7);
    assert_eq!(Remote::t_at_explicit("e").await, "e");
    assert_eq!(Remote::t_at_generic(Box::new(3)).await, 3);
    assert_eq!(remote.t_at_calls().await, 4);
    assert_eq!(Box::new(Remote { calls: 4 }).t_at_boxed().await, 4);
    assert_eq!(Arc::new(Remote::default()).t_at_arc().await, 1);
    Remote::default().t_at_selfvalue().await;

    let object: &dyn WithDefaults = &remote;
    assert_eq!(object.t_at_default().await, 1);
    assert_eq!(object.t_at_required_in_dyn().await.unwrap(), 1);
    assert_eq!(Remote::default().t_at_default_mut_self().await, 2);

    let counter = Cell::new(0);
    assert_eq!(
        remote
            .t_at_not_send(&counter, IncrementOnDrop(&counter))
            .await,
        0
    );
    assert_eq!(counter.get(), 1);
    assert_eq!(remote.t_at_not_send_default().await, 3);

    assert_eq!(One.t_at_take_ref(&"x").await, 1);
    assert_eq!(Two.t_at_take_ref(&(1, 2)).await, 2);
    assert_eq!(Remote::t_at_lifetime_param(Holder("h")).await, "h");

    assert_eq!(Remote::t_at_const_generic([1, 2]).await, 2);
    assert_eq!(remote.t_at_impl_arg(|_| {}).await, 1);
    assert_eq!(
        remote.t_at_impl_result(false).await.unwrap().as_ref(),
        "Hello World"
    );
    assert_eq!(Remote::t_at_coerce_dyn().await.value(), 1);
    assert_eq!(Remote::t_at_coerce_box().await.count(), 0);
    assert_eq!(remote.t_at_self_in_macro().await, 1);
    assert_eq!(remote.t_at_destructure((1, 2, 3, 4)).await, 11);
    assert_eq!(remote.t_at_cfg_param(6).await, 6);
    remote.t_at_unit_mut().await;
    assert_eq!(remote.t_at_spawn(|n| std::future::ready(*n)).await, 1);
    assert!(Remote::t_at_dyn_future().await.unwrap().await.is_err());
    assert!(Remote::t_at_bool().await);

    assert_eq!(Signal::Wait {}.t_at_enum_self().await, 3);
    let _ = (Signal::Go, Signal::Stop());
    let double: &(dyn Fn(u8) -> u8 + Send + Sync) = &|x| x * 2;
    assert_eq!(double.t_at_for_dyn().await, 2);
    assert_eq!(Thing::t_at_blanket().await, 5);
    let loader = MetadataLoader {
        marker: PhantomData,
    };
    assert_eq!(loader.t_at_load("key").await, 3);
    assert!(std::panic::AssertUnwindSafe(remote.t_at_panics())
        .catch_unwind()
        .await
        .is_err());
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(1), remote.t_at_pending())
            .await
            .is_err()
    );
}
