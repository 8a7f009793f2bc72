//! Conformance, methods: every receiver, inherent impls of generic types, `Self` in bodies and
//! signatures, and sync trait impls (std traits and our own). Every method here compiles without
//! `#[monitored]`, so it must compile, behave the same and be counted right with it. The
//! `function` label is the method name, so names are unique across the conformance files.

use std::fmt;
use std::num::ParseIntError;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use metrics_runtime::{monitored, ErrorLabel};

/// Error enum of this file, labelled by variant.
#[derive(Debug, thiserror::Error, ErrorLabel)]
pub enum AccountError {
    #[error("insufficient funds")]
    Insufficient,
    #[error("parse: {0}")]
    Parse(#[from] ParseIntError),
}

/// The receiver of most shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub balance: i64,
    pub name: String,
}

impl Account {
    /// An associated constant read as `Self::LIMIT`.
    pub const LIMIT: i64 = 1_000;

    // tracing-attributes tests/instrument.rs `methods`: a constructor returning `Self`, no receiver
    #[monitored]
    pub fn m_new(name: &str) -> Self {
        Self {
            balance: 0,
            name: name.to_owned(),
        }
    }

    // tracing-attributes tests/instrument.rs `methods`: `&self`
    #[monitored]
    pub fn m_by_ref(&self) -> i64 {
        self.balance
    }

    // `&mut self` returning `&mut Self` for chaining
    #[monitored]
    pub fn m_by_mut(&mut self, by: i64) -> &mut Self {
        self.balance += by;
        self
    }

    // `self` by value
    #[monitored]
    pub fn m_by_value(self) -> i64 {
        self.balance
    }

    // async-trait tests/test.rs issue23: `mut self` by value
    #[monitored]
    pub fn m_by_mut_value(mut self) -> Self {
        self.balance *= 2;
        self
    }

    // `self: Box<Self>`
    #[monitored]
    pub fn m_boxed(self: Box<Self>) -> i64 {
        self.balance
    }

    // `self: Pin<&mut Self>`
    #[monitored]
    pub fn m_pinned(self: Pin<&mut Self>) -> i64 {
        self.get_mut().balance += 1;
        1
    }

    // async-trait tests/test.rs issue11: `self: Arc<Self>`
    #[monitored]
    pub fn m_arc(self: Arc<Self>) -> usize {
        Arc::strong_count(&self)
    }

    // `self: Rc<Self>`
    #[monitored]
    pub fn m_rc(self: Rc<Self>) -> i64 {
        self.balance
    }

    // async-trait tests/test.rs issue83: `self: &Self`
    #[allow(clippy::needless_arbitrary_self_type)]
    #[monitored]
    pub fn m_explicit_ref(self: &Self) -> i64 {
        self.balance
    }

    // `self: &mut Self`
    #[allow(clippy::needless_arbitrary_self_type)]
    #[monitored]
    pub fn m_explicit_mut(self: &mut Self) {
        self.balance -= 1;
    }

    // async-trait tests/test.rs issue277: `mut self: &Self`, the reference itself rebound
    #[allow(clippy::needless_arbitrary_self_type)]
    #[monitored]
    pub fn m_mut_ref_binding(mut self: &Self, other: &'static Account) -> i64 {
        if self.balance < other.balance {
            self = other;
        }
        self.balance
    }

    // explicit lifetimes on the receiver and the return
    #[monitored]
    pub fn m_lifetimes<'a, 'b>(&'a self, suffix: &'b str) -> (&'a str, &'b str) {
        (&self.name, suffix)
    }

    // `Self::CONST`, `Self::method` and `Self { .. }` in the body
    #[monitored]
    pub fn m_self_in_body(&self) -> Self {
        let capped = self.balance.min(Self::LIMIT);
        let mut copy = Self::m_new(&self.name);
        copy.balance = capped;
        Self { ..copy }
    }

    // `let Self { .. } = self` destructuring in the body
    #[monitored]
    pub fn m_destructure_self(&self) -> usize {
        let Self { balance, name } = self;
        name.len() + *balance as usize
    }

    // `Result<Self, E>` with `?` and an early return
    #[monitored]
    pub fn m_parse(text: &str) -> Result<Self, AccountError> {
        let balance: i64 = text.parse()?;
        if balance < 0 {
            return Err(AccountError::Insufficient);
        }
        Ok(Self {
            balance,
            name: String::new(),
        })
    }

    // `&mut self` with `?` and an early return
    #[monitored]
    pub fn m_withdraw(&mut self, amount: i64) -> Result<i64, AccountError> {
        if amount > self.balance {
            return Err(AccountError::Insufficient);
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    // a generic error type converted with `From` by `?`
    #[monitored]
    pub fn m_generic_error<E: From<ParseIntError>>(&self, text: &str) -> Result<i64, E> {
        Ok(self.balance + text.parse::<i64>()?)
    }

    // argument names that clash with names an expansion is likely to generate, on a method
    #[monitored]
    pub fn m_clashing(&self, guard: i64, ret: i64, site: i64) -> i64 {
        self.balance + guard + ret + site
    }

    // `#[track_caller]` on a method: `Location::caller()` is the caller's
    #[track_caller]
    #[monitored]
    pub fn m_track_caller(&self) -> u32 {
        std::panic::Location::caller().line()
    }

    // a panic in a `&mut self` method
    #[monitored]
    pub fn m_panics(&mut self) {
        self.balance = i64::MAX;
        panic!("panics in a method");
    }
}

/// A unit struct, built as `Self` (async-trait tests/test.rs issue53).
pub struct Unit;

/// A tuple struct, built as `Self(..)` (async-trait tests/test.rs issue53).
pub struct Tuple(pub u8);

impl Unit {
    // async-trait tests/test.rs issue53 `Unit`: `let _ = Self;`
    #[monitored]
    pub fn m_unit_self() -> Self {
        Self
    }
}

impl Tuple {
    // async-trait tests/test.rs issue53 `Tuple`: `Self(0)` and the constructor as a function
    #[monitored]
    pub fn m_tuple_self(n: u8) -> Vec<Self> {
        vec![Self(n)].into_iter().chain([n + 1].map(Self)).collect()
    }
}

/// An enum matched with `Self::` patterns (async-trait tests/test.rs issue81, issue87).
pub enum Mode {
    On,
    Off,
    Tuple(),
    Struct {},
}

impl Mode {
    // async-trait tests/test.rs issue81/issue87: `Self::Variant` patterns and constructors
    #[monitored]
    pub fn m_enum_self(&self) -> u8 {
        let _ = Self::Tuple();
        let _ = Self::Struct {};
        match self {
            Self::On => 1,
            Self::Off => 0,
            Self::Tuple() | Self::Struct {} => 2,
        }
    }
}

/// A generic type for generic impl blocks.
#[derive(Debug, Default)]
pub struct Stack<T> {
    pub items: Vec<T>,
}

impl<T: Clone> Stack<T> {
    // a method in an impl block of a generic type
    #[monitored]
    pub fn m_generic_push(&mut self, item: T) -> usize {
        self.items.push(item);
        self.items.len()
    }

    // a method of a generic type returning a reference to a `T`
    #[monitored]
    pub fn m_generic_peek(&self) -> Option<&T> {
        self.items.last()
    }

    // a generic method of a generic type, with its own where clause
    #[monitored]
    pub fn m_generic_extend<I>(&mut self, items: I) -> usize
    where
        I: IntoIterator,
        I::Item: Into<T>,
    {
        self.items.extend(items.into_iter().map(Into::into));
        self.items.len()
    }

    // a method of a generic type returning `Self`
    #[monitored]
    pub fn m_generic_cloned(&self) -> Self {
        Self {
            items: self.items.clone(),
        }
    }
}

/// A type with a const parameter.
pub struct Buffer<const N: usize> {
    pub bytes: [u8; N],
}

impl<const N: usize> Buffer<N> {
    // a method in an impl block with a const parameter
    #[monitored]
    pub fn m_const_len(&self) -> usize {
        N + self.bytes.len()
    }
}

/// A type with a lifetime (async-trait tests/test.rs issue110).
pub struct View<'a> {
    pub text: &'a str,
}

impl<'a> View<'a> {
    // a method returning the impl's lifetime
    #[monitored]
    pub fn m_view_text(&self) -> &'a str {
        self.text
    }

    // a constructor taking the impl's lifetime
    #[monitored]
    pub fn m_view_new(text: &'a str) -> Self {
        Self { text }
    }
}

impl View<'_> {
    // async-trait tests/test.rs issue110: an impl block with an anonymous lifetime
    #[monitored]
    pub fn m_view_len(&self) -> usize {
        self.text.len()
    }
}

/// A wrapper with an impl block constrained by a where clause.
pub struct Labelled<T>(pub T);

impl<T> Labelled<T>
where
    T: fmt::Display,
{
    // a method in an impl block with a where clause
    #[monitored]
    pub fn m_where_show(&self) -> String {
        format!("[{}]", self.0)
    }
}

/// A local trait, for an inherent impl on `dyn Trait` (async-trait tests/test.rs issue89).
pub trait Shape {
    /// Its area.
    fn area(&self) -> u32;
}

impl Shape for Account {
    fn area(&self) -> u32 {
        1
    }
}

impl dyn Shape {
    // async-trait tests/test.rs issue89: a method of an inherent impl on a trait object type
    #[monitored]
    pub fn m_dyn_inherent(&self) -> u32 {
        self.area() * 2
    }
}

/// Generates an impl block with an instrumented method (async-trait tests/test.rs issue104).
macro_rules! impl_named {
    ($ty:ty, $value:expr) => {
        impl $ty {
            /// Made by `impl_named!`.
            #[monitored]
            pub fn m_from_macro(&self) -> u8 {
                $value
            }
        }
    };
}

// async-trait tests/test.rs issue104: an instrumented method in an impl block generated by a macro
impl_named!(Unit, 9);

// ---------------------------------------------------------------------------------------------
// Sync trait impls
// ---------------------------------------------------------------------------------------------

impl fmt::Display for Account {
    // a `Display` impl: `fmt::Result`, a `&mut Formatter` argument
    #[monitored]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.balance < 0 {
            return Err(fmt::Error);
        }
        write!(f, "{}: {}", self.name, self.balance)
    }
}

/// Counts down to zero.
pub struct Countdown(pub u8);

impl Iterator for Countdown {
    type Item = u8;

    // an `Iterator` impl: `Option<Self::Item>` names an associated type in the return
    #[monitored]
    fn next(&mut self) -> Option<Self::Item> {
        let current = self.0.checked_sub(1)?;
        self.0 = current;
        Some(current)
    }
}

impl From<u8> for Account {
    // a `From` impl: `-> Self`
    #[monitored]
    fn from(balance: u8) -> Self {
        Self {
            balance: i64::from(balance),
            name: String::new(),
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = String;

    // a `FromStr` impl: `Result<Self, Self::Err>`
    #[monitored]
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "on" => Ok(Self::On),
            "off" => Ok(Self::Off),
            other => Err(format!("unknown mode {other}")),
        }
    }
}

/// Runs code on drop.
pub struct Tracker(pub u8);

impl Drop for Tracker {
    // a `Drop` impl
    #[monitored]
    fn drop(&mut self) {
        self.0 = 0;
    }
}

/// A trait with an associated type, a generic method and a default method.
pub trait Visitor {
    /// What a visit returns.
    type Out;

    /// Visits one value.
    fn m_visit<T: fmt::Debug>(&mut self, value: T) -> Self::Out;

    // a default method of a trait, instrumented in the trait definition
    #[monitored]
    fn m_visit_default(&mut self) -> Self::Out
    where
        Self: Sized,
    {
        self.m_visit(())
    }
}

/// Collects debug strings.
#[derive(Default)]
pub struct Collector(pub Vec<String>);

impl Visitor for Collector {
    type Out = usize;

    // a trait method with its own type parameter, returning `Self::Out`
    #[monitored]
    fn m_visit<T: fmt::Debug>(&mut self, value: T) -> Self::Out {
        self.0.push(format!("{value:?}"));
        self.0.len()
    }
}

/// A trait implemented for references (async-trait tests/test.rs issue28, issue238).
pub trait Describe {
    /// Describes the value.
    fn m_describe(&self) -> String;
}

impl<'a> Describe for &'a Account {
    // async-trait tests/test.rs issue28: a method of a trait impl for `&'a T`
    #[monitored]
    fn m_describe(&self) -> String {
        let account: &'a Account = self;
        account.name.clone()
    }
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let mut account = Account::m_new("a");
    account.m_by_mut(5).m_by_mut(5);
    assert_eq!(account.m_by_ref(), 10);
    assert_eq!(account.clone().m_by_value(), 10);
    assert_eq!(account.clone().m_by_mut_value().balance, 20);
    assert_eq!(Box::new(account.clone()).m_boxed(), 10);
    let mut pinned = account.clone();
    assert_eq!(Pin::new(&mut pinned).m_pinned(), 1);
    assert_eq!(Arc::new(account.clone()).m_arc(), 1);
    assert_eq!(Rc::new(account.clone()).m_rc(), 10);
    assert_eq!(account.m_explicit_ref(), 10);
    account.m_explicit_mut();
    static RICH: Account = Account {
        balance: 100,
        name: String::new(),
    };
    assert_eq!(account.m_mut_ref_binding(&RICH), 100);
    assert_eq!(account.m_lifetimes("x"), ("a", "x"));
    assert_eq!(account.m_self_in_body().balance, 9);
    assert_eq!(account.m_destructure_self(), 10);
    assert!(Account::m_parse("-1").is_err());
    assert!(account.m_withdraw(100).is_err());
    assert_eq!(account.m_generic_error::<AccountError>("1").unwrap(), 10);
    assert_eq!(account.m_clashing(1, 1, 1), 12);
    // The caller's line is checked by tests/conformance.rs; here the method only has to run.
    let _ = account.m_track_caller();
    assert!(std::panic::catch_unwind(move || account.clone().m_panics()).is_err());

    let Unit = Unit::m_unit_self();
    assert_eq!(Tuple::m_tuple_self(1).len(), 2);
    assert_eq!(Mode::On.m_enum_self(), 1);
    let mut stack = Stack::<String>::default();
    assert_eq!(stack.m_generic_push("a".into()), 1);
    assert_eq!(stack.m_generic_peek().map(String::as_str), Some("a"));
    assert_eq!(stack.m_generic_extend(["b", "c"]), 3);
    assert_eq!(stack.m_generic_cloned().items.len(), 3);
    assert_eq!(Buffer { bytes: [0; 4] }.m_const_len(), 8);
    let view = View::m_view_new("abc");
    assert_eq!(view.m_view_text(), "abc");
    assert_eq!(view.m_view_len(), 3);
    assert_eq!(Labelled(1).m_where_show(), "[1]");
    let shape: &dyn Shape = &Account::m_new("s");
    assert_eq!(shape.m_dyn_inherent(), 2);
    assert_eq!(Unit.m_from_macro(), 9);

    assert_eq!(Account::m_new("d").to_string(), "d: 0");
    assert_eq!(Countdown(3).collect::<Vec<_>>(), [2, 1, 0]);
    assert_eq!(Account::from(3).balance, 3);
    assert!("x".parse::<Mode>().is_err());
    drop(Tracker(1));
    let mut collector = Collector::default();
    assert_eq!(collector.m_visit(1), 1);
    assert_eq!(collector.m_visit_default(), 2);
    let named = Account::m_new("n");
    assert_eq!((&named).m_describe(), "n");
}
