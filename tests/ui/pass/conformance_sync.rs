//! Conformance, free sync functions: every function here compiles without `#[monitored]`, so it
//! must compile, behave the same and be counted right with it. `main` runs each shape once and
//! checks its value; `tests/conformance.rs` includes this file as a module and counts every
//! shape. Each shape names the public test suite its shape comes from.

use std::any::Any;
use std::convert::Infallible;
use std::error::Error;
use std::fmt::{self, Debug, Display};
use std::io;
use std::num::{ParseIntError, TryFromIntError};
use std::panic::Location;
use std::sync::Arc;

use metrics_runtime::{monitored, ErrorLabel};

/// Error enum of this file, labelled by variant.
#[derive(Debug, thiserror::Error, ErrorLabel)]
pub enum SyncError {
    #[error("negative")]
    Negative,
    #[error("parse: {0}")]
    Parse(#[from] ParseIntError),
    #[error("too big: {0}")]
    TooBig(u32),
}

/// A `Result` alias, as applications declare them.
pub type SyncResult<T> = Result<T, SyncError>;

/// A `Result` alias with a defaulted error parameter.
pub type Res<T, E = ParseIntError> = Result<T, E>;

/// anyhow-style `bail!`: an early `return Err(..)` written by a macro.
macro_rules! bail {
    ($err:expr) => {
        return Err($err.into())
    };
}

/// anyhow-style `ensure!`, built on `bail!`.
macro_rules! ensure {
    ($cond:expr, $err:expr) => {
        if !$cond {
            bail!($err);
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Arguments and return values
// ---------------------------------------------------------------------------------------------

// fastrace tests/macros/tests/ui/ok/has-no-arguments.rs: the plainest function, here without arguments
#[monitored]
pub fn sync_unit() {}

// fastrace tests/macros/tests/ui/ok/has-name.rs: one argument, returned
#[monitored]
pub fn sync_value(a: u32) -> u32 {
    a
}

// fastrace tests/macros/tests/ui/ok/has-name-mut.rs: a `mut` argument, mutated
#[monitored]
pub fn sync_mut_arg(mut a: u32) -> u32 {
    a += 1;
    a
}

// tracing-attributes tests/instrument.rs `fields`: several owned arguments of different types
#[monitored]
pub fn sync_many_args(arg1: usize, arg2: bool, arg3: String) -> String {
    format!("{arg1}{arg2}{arg3}")
}

// tracing-attributes tests/ret.rs `ret_mut`: a `&mut` argument written through
#[monitored]
pub fn sync_ret_mut(a: &mut i32) -> i32 {
    *a *= 2;
    *a
}

// async-trait tests/test.rs issue147: an explicit `-> ()`
#[allow(clippy::unused_unit)]
#[monitored]
pub fn sync_explicit_unit() -> () {}

// autometrics tests/integration_test.rs `single_function`: returns a `&'static str`
#[monitored]
pub fn sync_static_str() -> &'static str {
    "Hello world!"
}

// raw identifiers as function and argument names (next to `r#match` in free_functions.rs)
#[monitored]
pub fn r#loop(r#in: u8) -> u8 {
    r#in
}

// ---------------------------------------------------------------------------------------------
// Generics, const generics, where clauses
// ---------------------------------------------------------------------------------------------

// tracing-attributes tests/instrument.rs `generics`: type parameters, one bounded in a where clause
#[monitored]
pub fn sync_generic<S, T: Debug>(arg1: S, arg2: T) -> String
where
    S: Debug,
{
    format!("{arg1:?}{arg2:?}")
}

// async-trait tests/test.rs issue57, sync: a type and a const parameter in one list
#[monitored]
pub fn sync_const_generic<T, const C: usize>(values: [T; C]) -> usize {
    values.len()
}

// async-trait tests/test.rs issue134, sync: a `bool` const parameter, given by turbofish
#[monitored]
pub fn sync_const_bool<const FLAG: bool>() -> bool {
    FLAG
}

// a const parameter used in the return type
#[monitored]
pub fn sync_const_array<T: Copy + Default, const N: usize>() -> [T; N] {
    [T::default(); N]
}

// a higher-ranked trait bound in a where clause
#[monitored]
pub fn sync_hrtb<F>(f: F) -> usize
where
    F: for<'a> Fn(&'a str) -> &'a str,
{
    f("hello world").len()
}

// a generic closure argument whose output is the function's output
#[monitored]
pub fn sync_generic_closure<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    f()
}

// the issue, case 8: autometrics' `passthrough`. `R` is classified where the generic code is
// written, where it is not a `Result`: an `Err` passed through counts `ok` (README, limits)
#[monitored]
pub fn sync_passthrough<R>(f: impl FnOnce() -> R) -> R {
    f()
}

// a lifetime bound on a `?Sized` type parameter
#[monitored]
pub fn sync_lifetime_bound<'a, T: ?Sized + Display + 'a>(x: &'a T) -> &'a T {
    x
}

// a generic value returned as `Box<dyn Any + Send>`: an unsizing coercion of a generic type
#[monitored]
pub fn sync_box_any<T: Any + Send>(x: T) -> Box<dyn Any + Send> {
    Box::new(x)
}

// ---------------------------------------------------------------------------------------------
// Lifetimes
// ---------------------------------------------------------------------------------------------

// async-trait tests/test.rs `elided_lifetime`, sync
#[monitored]
pub fn sync_elided(x: &str) -> &str {
    x.trim()
}

// async-trait tests/test.rs `explicit_lifetime`, sync
#[monitored]
pub fn sync_explicit<'a>(x: &'a str) -> &'a str {
    x.trim()
}

// async-trait tests/test.rs issue28 `Trait3`: two lifetimes, one outliving the other
#[monitored]
pub fn sync_two_lifetimes<'a, 'b: 'a>(x: &'a str, y: &'b str) -> &'a str {
    if x.len() >= y.len() {
        x
    } else {
        y
    }
}

// async-trait tests/test.rs issue28 `Trait3::f`: a reference to a reference, chaining lifetimes
#[monitored]
pub fn sync_chained<'a, 'b>(x: &'a &'b str) -> &'b str {
    *x
}

/// A struct with a lifetime (async-trait tests/test.rs issue31, issue110).
pub struct Holder<'a> {
    pub name: &'a str,
}

// async-trait tests/test.rs issue110: an anonymous lifetime `'_` in an argument type
#[monitored]
pub fn sync_anonymous(holder: &Holder<'_>) -> usize {
    holder.name.len()
}

// async-trait tests/test.rs issue31: a struct with a lifetime by value, a field returned
#[monitored]
pub fn sync_struct_lifetime<'a>(holder: Holder<'a>) -> &'a str {
    holder.name
}

// ---------------------------------------------------------------------------------------------
// `impl Trait` arguments and returns
// ---------------------------------------------------------------------------------------------

// `impl Trait` in argument position
#[monitored]
pub fn sync_impl_arg(value: impl Display) -> String {
    format!("<{value}>")
}

// two `impl Trait` arguments of different traits
#[monitored]
pub fn sync_impl_two_args(a: impl Into<String>, b: impl AsRef<str>) -> String {
    let mut a = a.into();
    a.push_str(b.as_ref());
    a
}

// async-trait tests/test.rs issue177: an `impl FnMut(&str)` callback
#[monitored]
pub fn sync_impl_callback(mut callback: impl FnMut(&str)) -> usize {
    callback("a");
    callback("b");
    2
}

// async-trait tests/test.rs issue204: `&impl Trait`
#[monitored]
pub fn sync_impl_ref(arg: &impl Display) -> String {
    arg.to_string()
}

// async-trait tests/test.rs issue204: `*const impl Trait`
#[monitored]
pub fn sync_impl_ptr(arg: *const impl Display) -> bool {
    arg.is_null()
}

// trait objects as arguments, borrowed and boxed
#[monitored]
pub fn sync_dyn_args(x: &dyn Display, f: Box<dyn Fn(u8) -> u8>) -> String {
    format!("{x}{}", f(1))
}

// tracing-attributes tests/instrument.rs `impl_trait_return_type`
#[monitored]
pub fn sync_impl_iter(x: usize) -> impl Iterator<Item = usize> {
    0..x
}

// tracing-attributes tests/ret.rs `ret_impl_type`: `impl Copy`
#[monitored]
pub fn sync_impl_copy() -> impl Copy {
    42
}

// an `impl Trait` return that borrows an argument with an explicit lifetime
#[monitored]
pub fn sync_impl_iter_lifetime<'a>(values: &'a [u8]) -> impl Iterator<Item = &'a u8> + 'a {
    values.iter().filter(|v| **v > 1)
}

// an `impl Trait + '_` return that borrows an argument
#[monitored]
pub fn sync_impl_iter_elided(values: &[u8]) -> impl Iterator<Item = u8> + '_ {
    values.iter().map(|v| v * 2)
}

// a returned `impl FnMut` that owns its state
#[monitored]
pub fn sync_impl_fnmut(values: Vec<u8>) -> impl FnMut() -> Option<u8> {
    let mut iter = values.into_iter();
    move || iter.next()
}

// `impl Trait` nested in an `Option`
#[monitored]
pub fn sync_impl_in_option(some: bool) -> Option<impl Display> {
    some.then_some(7)
}

// `impl Trait` twice in a tuple
#[monitored]
pub fn sync_impl_in_tuple() -> (impl Display, impl Debug) {
    (1, "two")
}

// tracing-attributes tests/err.rs `impl_trait_return_type`: `Result<impl Trait, String>`
#[monitored]
pub fn sync_result_impl(x: usize) -> Result<impl Iterator<Item = usize>, String> {
    if x == 0 {
        return Err("empty".to_owned());
    }
    Ok(0..x)
}

// autometrics tests/compilation/result_labels/pass/generics.rs issue_121_b: `io::Result<impl Trait>`
#[monitored]
pub fn sync_io_result_impl() -> io::Result<impl ToString> {
    Ok("b")
}

// autometrics tests/compilation/result_labels/pass/generics.rs issue_121_d: both sides `impl Trait`
#[monitored]
pub fn sync_result_impl_both(fail: bool) -> Result<impl ToString, impl Error> {
    if fail {
        Err(io::Error::other("issue 121d"))
    } else {
        Ok("d")
    }
}

// ---------------------------------------------------------------------------------------------
// Patterns in arguments
// ---------------------------------------------------------------------------------------------

/// A tuple struct (tracing-attributes tests/destructuring.rs).
pub struct Pair(pub usize, pub usize);

/// A struct with named fields (tracing-attributes tests/destructuring.rs).
pub struct Point {
    pub x: usize,
    pub y: usize,
}

/// Nested structs (tracing-attributes tests/destructuring.rs `destructure_everything`).
pub struct Nest {
    pub inner: Inner,
    pub pair: (usize, usize),
    pub other: NoDebug,
}

/// Inner tuple struct of [`Nest`].
pub struct Inner(pub (usize, usize));

/// A field type without `Debug`.
pub struct NoDebug;

// tracing-attributes tests/destructuring.rs `destructure_tuples`
#[monitored]
pub fn sync_tuple_pattern((arg1, arg2): (usize, usize)) -> usize {
    arg1 + arg2
}

// tracing-attributes tests/destructuring.rs `destructure_nested_tuples`
#[monitored]
pub fn sync_nested_tuple_pattern(((a, b), (c, d)): ((usize, usize), (usize, usize))) -> usize {
    a + b + c + d
}

// tracing-attributes tests/destructuring.rs `destructure_refs`
#[monitored]
pub fn sync_ref_pattern(&arg: &usize) -> usize {
    arg
}

// tracing-attributes tests/destructuring.rs `destructure_tuple_structs`
#[monitored]
pub fn sync_tuple_struct_pattern(Pair(a, b): Pair) -> usize {
    a * b
}

// tracing-attributes tests/destructuring.rs `destructure_structs`: fields renamed
#[monitored]
pub fn sync_struct_pattern(Point { x: px, y: py }: Point) -> usize {
    px + py
}

// tracing-attributes tests/destructuring.rs `destructure_everything`: nested, by reference, `..`
#[monitored]
pub fn sync_everything_pattern(
    &Nest {
        inner: Inner((a, b)),
        pair: (c, d),
        ..
    }: &Nest,
) -> usize {
    a + b + c + d
}

// async-trait tests/test.rs issue226/issue234: `_` and `_name` arguments
#[monitored]
pub fn sync_wildcards(_: u8, _unused: u8, Pair(_, b): Pair) -> usize {
    b
}

// async-trait tests/test.rs `test_can_destruct`: `ref mut`, `ref` and by-value bindings together
#[monitored]
pub fn sync_ref_mut_pattern((a, ref mut b, ref c, d): (u8, u8, u8, u8)) -> u8 {
    *b += 1;
    a + *b + *c + d
}

// async-trait tests/test.rs issue234 `DotDotPattern`: a tuple struct matched by field index and `..`
#[monitored]
pub fn sync_dotdot_pattern(Pair { 1: second, .. }: Pair) -> usize {
    second
}

// a slice pattern with a rest
#[monitored]
pub fn sync_slice_pattern([first, .., last]: [u8; 4]) -> u8 {
    first + last
}

// `mut` inside a tuple pattern
#[monitored]
pub fn sync_mut_in_pattern((mut a, b): (u8, u8)) -> u8 {
    a += b;
    a
}

// ---------------------------------------------------------------------------------------------
// Results, `?`, early returns, macros that return
// ---------------------------------------------------------------------------------------------

// tracing-attributes tests/err.rs `err`
#[monitored]
pub fn sync_try_from(n: i32) -> Result<u8, TryFromIntError> {
    u8::try_from(n)
}

// tracing-attributes tests/err.rs `err_early_return`: `?` then a value
#[monitored]
pub fn sync_err_early_return(n: i32) -> Result<u8, TryFromIntError> {
    u8::try_from(n)?;
    Ok(5)
}

// tracing-attributes tests/err.rs `err_mut`: `?` on the right of an assignment through `&mut`
#[monitored]
pub fn sync_err_mut(out: &mut u8, n: i32) -> Result<(), TryFromIntError> {
    *out = u8::try_from(n)?;
    Ok(())
}

// tracing-attributes tests/err.rs `err_suspicious_else`: an empty block statement first
#[monitored]
pub fn sync_err_suspicious_else(n: i32) -> Result<u8, TryFromIntError> {
    {}
    u8::try_from(n)
}

// autometrics tests/integration_test.rs `result`: `Result<(), ()>`
#[monitored]
pub fn sync_result_unit(should_error: bool) -> Result<(), ()> {
    if should_error {
        Err(())
    } else {
        Ok(())
    }
}

// an early `return` of a plain value
#[monitored]
pub fn sync_early_return(n: u32) -> u32 {
    if n == 0 {
        return 100;
    }
    n
}

// an early `return` of a `Result` from inside a loop
#[monitored]
pub fn sync_return_in_loop(texts: &[&str]) -> Result<u32, ParseIntError> {
    let mut sum = 0;
    for text in texts {
        if text.is_empty() {
            return Ok(sum);
        }
        sum += text.parse::<u32>()?;
    }
    Ok(sum)
}

// `?` converting the error with `From` into an `ErrorLabel` enum, then an early `return Err`
#[monitored]
pub fn sync_question_from(text: &str) -> Result<u32, SyncError> {
    let n: u32 = text.parse()?;
    if n > 100 {
        return Err(SyncError::TooBig(n));
    }
    Ok(n)
}

// anyhow-style `bail!`: a `macro_rules!` that expands to `return Err(..)`
#[monitored]
pub fn sync_bail(n: i32) -> Result<u32, SyncError> {
    if n < 0 {
        bail!(SyncError::Negative);
    }
    Ok(n as u32)
}

// anyhow-style `ensure!`, a macro that expands to `bail!`, returning a `Result` alias
#[monitored]
pub fn sync_ensure(n: i32) -> SyncResult<u32> {
    ensure!(n >= 0, SyncError::Negative);
    Ok(n as u32)
}

// `?` inside `format!`
#[monitored]
pub fn sync_question_in_format(x: Result<u8, fmt::Error>) -> Result<String, fmt::Error> {
    Ok(format!("<{}>", x?))
}

// `?` inside `vec!`
#[monitored]
pub fn sync_question_in_vec(a: &str, b: &str) -> Result<Vec<u32>, ParseIntError> {
    Ok(vec![a.parse()?, b.parse()?])
}

// `?` inside `matches!`
#[monitored]
pub fn sync_question_in_matches(text: &str) -> Result<bool, ParseIntError> {
    Ok(matches!(text.parse::<u8>()?, 1..=9))
}

// `?` in a `match` scrutinee with a `return` in an arm
#[monitored]
pub fn sync_question_in_match(text: &str) -> Result<&'static str, ParseIntError> {
    match text.parse::<u8>()? {
        0 => return Ok("zero"),
        _ => Ok("other"),
    }
}

// a closure with its own `?` and its own return type inside the body
#[monitored]
pub fn sync_try_closure(texts: &[&str]) -> Result<u32, ParseIntError> {
    let parse_all =
        || -> Result<Vec<u32>, ParseIntError> { texts.iter().map(|t| t.parse::<u32>()).collect() };
    Ok(parse_all()?.into_iter().sum())
}

// `?` on an `Option` in a function returning `Option`
#[monitored]
pub fn sync_option(values: &[u8]) -> Option<u8> {
    Some(*values.first()? + 1)
}

// a `Result` alias from std: `io::Result`, labelled by the error kind
#[monitored]
pub fn sync_io_alias(path: &str) -> io::Result<String> {
    std::fs::read_to_string(path)
}

// a `Result` alias with a defaulted error parameter
#[monitored]
pub fn sync_default_param_alias(text: &str) -> Res<u32> {
    text.parse()
}

// `fmt::Result`, an alias whose error is `fmt::Error`
#[monitored]
pub fn sync_fmt_result(fail: bool) -> fmt::Result {
    if fail {
        Err(fmt::Error)
    } else {
        Ok(())
    }
}

// a `Result` whose error can never happen
#[monitored]
pub fn sync_infallible(n: u8) -> Result<u8, Infallible> {
    Ok(n)
}

// `Box<dyn Error + Send + Sync>` filled by `?` and by an explicitly boxed error
#[monitored]
pub fn sync_box_dyn_error(text: &str) -> Result<u32, Box<dyn Error + Send + Sync>> {
    if text.is_empty() {
        return Err(Box::new(io::Error::other("empty")));
    }
    Ok(text.parse::<u32>()?)
}

// async-trait tests/test.rs `test_unimplemented`: a body that is `unimplemented!()`
#[monitored]
pub fn sync_unimplemented() -> u8 {
    unimplemented!()
}

// a panic in the body on some calls
#[monitored]
pub fn sync_panics(n: u32) -> u32 {
    if n > 0 {
        panic!("boom {n}");
    }
    n
}

// a panic from a closure inside the body
#[monitored]
pub fn sync_panic_in_closure(values: &[u8]) -> Vec<u8> {
    values
        .iter()
        .map(|v| v.checked_sub(1).expect("underflow"))
        .collect()
}

// the issue, case (d); async-trait tests/test.rs issue266 (`-> !`), sync: a diverging function
#[monitored]
pub fn sync_never(message: &str) -> ! {
    panic!("{message}")
}

// `-> !` whose body is a loop left only by panicking
#[monitored]
pub fn sync_never_loop(limit: u32) -> ! {
    let mut n = 0;
    loop {
        n += 1;
        if n >= limit {
            panic!("gave up after {n}");
        }
    }
}

// an explicit `return` as the last statement
#[allow(clippy::needless_return)]
#[monitored]
pub fn sync_return_tail() -> u8 {
    return 5;
}

// a labelled block left with `break 'label value`
#[monitored]
pub fn sync_labelled_block(values: &[u8]) -> u8 {
    let found = 'search: {
        for v in values {
            if *v > 2 {
                break 'search *v;
            }
        }
        0
    };
    found
}

// ---------------------------------------------------------------------------------------------
// Returns coerced to the declared type, and inferred from it
// ---------------------------------------------------------------------------------------------

/// A trait for coercion shapes.
pub trait Greet {
    /// Says hello.
    fn hello(&self) -> &'static str;
}

/// One implementor.
pub struct English;

/// Another implementor.
pub struct French;

impl Greet for English {
    fn hello(&self) -> &'static str {
        "hello"
    }
}

impl Greet for French {
    fn hello(&self) -> &'static str {
        "bonjour"
    }
}

// async-trait tests/test.rs issue149, sync: `return &Thing` and `&Thing` coerced to `&'static dyn Trait`
#[monitored]
pub fn sync_coerce_dyn(french: bool) -> &'static dyn Greet {
    if french {
        return &French;
    }
    &English
}

// a closure coerced to `Box<dyn Fn>`
#[monitored]
pub fn sync_coerce_box_fn(n: u32) -> Box<dyn Fn(u32) -> u32> {
    Box::new(move |x| x + n)
}

// a byte string (`&[u8; 3]`) coerced to `&'static [u8]`
#[monitored]
pub fn sync_coerce_bytes() -> &'static [u8] {
    b"abc"
}

// `Arc<u8>` coerced to `Arc<dyn Any + Send + Sync>`
#[monitored]
pub fn sync_coerce_arc_any(n: u8) -> Arc<dyn Any + Send + Sync> {
    Arc::new(n)
}

// async-trait tests/test.rs `test_inference`, sync: `Box::new(iter::empty())` as `Box<dyn Iterator>`
#[monitored]
pub fn sync_coerce_box_iter() -> Box<dyn Iterator<Item = ()>> {
    Box::new(std::iter::empty())
}

fn double(x: u8) -> u8 {
    x * 2
}

// a fn item coerced to a fn pointer
#[monitored]
pub fn sync_coerce_fn_pointer() -> fn(u8) -> u8 {
    double
}

// `&[u8; 3]` coerced to `&[u8]`, with an elided lifetime
#[monitored]
pub fn sync_coerce_slice(values: &[u8; 3]) -> &[u8] {
    values
}

// deref coercion: `&String` returned as `&str`
#[allow(clippy::ptr_arg)]
#[monitored]
pub fn sync_coerce_deref(text: &String) -> &str {
    text
}

// `&mut Vec` returned as `&Vec`
#[monitored]
pub fn sync_coerce_mut_to_shared(values: &mut Vec<u8>) -> &Vec<u8> {
    values.push(1);
    values
}

// `.collect()` whose target type comes from the return type only
#[monitored]
pub fn sync_infer_collect(n: u32) -> Vec<u32> {
    (0..n).collect()
}

// `.into()` whose target type comes from the return type only
#[monitored]
pub fn sync_infer_into(text: &str) -> String {
    text.into()
}

// `Default::default()` whose type comes from the return type only
#[monitored]
pub fn sync_infer_default() -> (u8, String, Vec<u8>) {
    Default::default()
}

// `.sum()` whose type comes from the return type only
#[monitored]
pub fn sync_infer_sum(values: &[u32]) -> u32 {
    values.iter().sum()
}

// ---------------------------------------------------------------------------------------------
// Bodies: nested items, closures, async blocks, recursion, shadowing, clashing names
// ---------------------------------------------------------------------------------------------

// async-trait tests/test.rs `test_internal_items`: a struct, its impl and a fn declared in the body
#[allow(clippy::items_after_statements)]
#[monitored]
pub fn sync_internal_items(x: u8) -> u8 {
    struct Local(u8);
    impl Local {
        fn double(self) -> u8 {
            self.0 * 2
        }
    }
    fn helper(y: u8) -> u8 {
        y + 1
    }
    helper(Local(x).double())
}

// async-trait tests/test.rs issue154: a `const` item after a statement
#[allow(clippy::items_after_statements)]
#[monitored]
pub fn sync_const_item(x: u16) -> u16 {
    let y = x + 1;
    const MAX: u16 = 128;
    y.min(MAX)
}

// tracing-attributes tests/async_fn.rs `async_fn_nested`, sync: an instrumented fn declared in the body
#[monitored]
pub fn sync_outer(x: u8) -> u8 {
    #[monitored]
    fn sync_inner(y: u8) -> u8 {
        y + 1
    }
    sync_inner(x) * 2
}

// closures whose `return` leaves the closure, not the function
#[monitored]
pub fn sync_closure_returns(values: &[i32]) -> i32 {
    let clamp = |v: i32| -> i32 {
        if v < 0 {
            return 0;
        }
        v
    };
    values.iter().map(|&v| clamp(v)).sum()
}

// an async block built and run inside a sync body; its `return` leaves the block
#[monitored]
pub fn sync_runs_async_block(x: u8) -> Result<u8, SyncError> {
    futures::executor::block_on(async move {
        if x == 0 {
            return Err(SyncError::Negative);
        }
        Ok(x)
    })
}

// fastrace tests/lib.rs `rec`: recursion with a `mut` argument
#[monitored]
pub fn sync_countdown(mut i: u32) {
    i -= 1;
    if i > 0 {
        sync_countdown(i);
    }
}

// recursion returning a value
#[monitored]
pub fn sync_factorial(n: u64) -> u64 {
    if n <= 1 {
        1
    } else {
        n * sync_factorial(n - 1)
    }
}

// mutual recursion between two instrumented functions
#[monitored]
pub fn sync_is_even(n: u32) -> bool {
    n == 0 || sync_is_odd(n - 1)
}

// mutual recursion, the other half
#[monitored]
pub fn sync_is_odd(n: u32) -> bool {
    n != 0 && sync_is_even(n - 1)
}

// async-trait tests/test.rs issue183 (`clippy::shadow_same`): an argument shadowed in the body
#[allow(clippy::shadow_unrelated)]
#[monitored]
pub fn sync_shadowed(x: u32) -> u32 {
    let x = x * 2;
    let x = x + 1;
    x
}

// argument names that clash with names an expansion is likely to generate
#[allow(clippy::too_many_arguments)]
#[monitored]
pub fn sync_clashing_args(guard: u8, ret: u8, site: u8, __ret: u8, result: u8, start: u8) -> u8 {
    guard + ret + site + __ret + result + start
}

// locals that clash with likely generated names, one of them returned
#[monitored]
pub fn sync_clashing_locals(x: u8) -> u8 {
    let guard = x;
    let ret = guard + 1;
    let site = ret * 2;
    let __ret = site;
    __ret
}

// async-trait tests/test.rs issue92: a `macro_rules!` declared in the body that reads an argument
#[monitored]
pub fn sync_body_macro(x: u8) -> u8 {
    macro_rules! plus_one {
        ($e:expr) => {
            $e + 1
        };
    }
    plus_one!(x)
}

/// Generates an instrumented function (async-trait tests/test.rs issue104: items made by a macro).
macro_rules! instrumented_fn {
    ($name:ident, $value:expr) => {
        /// Made by `instrumented_fn!`.
        #[monitored]
        pub fn $name() -> u8 {
            $value
        }
    };
}

// async-trait tests/test.rs issue104: an instrumented function generated by `macro_rules!`
instrumented_fn!(sync_from_macro, 7);

// ---------------------------------------------------------------------------------------------
// `unsafe`, ABIs
// ---------------------------------------------------------------------------------------------

// `unsafe fn` with an `unsafe` block
///
/// # Safety
/// `ptr` must be valid for reads.
#[monitored]
pub unsafe fn sync_unsafe(ptr: *const u32) -> u32 {
    unsafe { *ptr }
}

// `unsafe fn` whose body does an unsafe operation without a block (allowed in edition 2021)
///
/// # Safety
/// `ptr` must be valid for reads.
#[allow(unsafe_op_in_unsafe_fn)]
#[monitored]
pub unsafe fn sync_unsafe_implicit(ptr: *const u32) -> u32 {
    *ptr
}

// `extern "C" fn` defined in Rust
#[monitored]
pub extern "C" fn sync_extern_c(x: u32) -> u32 {
    x + 1
}

// `unsafe extern "C" fn`
///
/// # Safety
/// `ptr` must be valid for reads.
#[monitored]
pub unsafe extern "C" fn sync_unsafe_extern(ptr: *const u8) -> u8 {
    unsafe { *ptr }
}

// `extern "C-unwind" fn` that panics: the panic may unwind out of it
#[monitored]
pub extern "C-unwind" fn sync_c_unwind(fail: bool) -> u8 {
    if fail {
        panic!("unwinding through C-unwind");
    }
    1
}

// `#[no_mangle]` next to the attribute
#[no_mangle]
#[monitored]
pub extern "C" fn conformance_sync_no_mangle(x: u32) -> u32 {
    x * 3
}

// ---------------------------------------------------------------------------------------------
// Attributes around the function
// ---------------------------------------------------------------------------------------------

// the issue, case (c): `#[track_caller]` above the attribute, `Location::caller()` is the caller's
#[track_caller]
#[monitored]
pub fn sync_track_caller() -> &'static Location<'static> {
    Location::caller()
}

// `#[track_caller]` below the attribute, on a generic function
#[monitored]
#[track_caller]
pub fn sync_track_caller_generic<T: Default>() -> (T, u32) {
    (T::default(), Location::caller().line())
}

// `#[must_use]`
#[must_use]
#[monitored]
pub fn sync_must_use() -> u8 {
    1
}

// `#[must_use = "..."]` on a `Result`
#[must_use = "the result says whether it worked"]
#[monitored]
pub fn sync_must_use_message(fail: bool) -> Result<u8, SyncError> {
    if fail {
        Err(SyncError::Negative)
    } else {
        Ok(1)
    }
}

// `#[inline]`
#[inline]
#[monitored]
pub fn sync_inline(x: u8) -> u8 {
    x
}

// `#[inline(always)]` below the attribute
#[monitored]
#[inline(always)]
pub fn sync_inline_always(x: u8) -> u8 {
    x
}

// `#[inline(never)]`
#[inline(never)]
#[monitored]
pub fn sync_inline_never(x: u8) -> u8 {
    x
}

// `#[cold]`
#[cold]
#[monitored]
pub fn sync_cold() -> u8 {
    0
}

// the attribute itself applied through `#[cfg_attr]`
#[cfg_attr(all(), monitored)]
pub fn sync_cfg_attr_applies() -> u8 {
    1
}

// `#[cfg_attr]` carrying another attribute above the attribute
#[cfg_attr(all(), inline)]
#[monitored]
pub fn sync_cfg_attr_above() -> u8 {
    2
}

// `#[cfg_attr]` below the attribute, inactive
#[monitored]
#[cfg_attr(any(), deprecated)]
pub fn sync_cfg_attr_below() -> u8 {
    3
}

// a function kept by `#[cfg]` next to a twin removed by `#[cfg]`, cfg above the attribute
#[cfg(all())]
#[monitored]
pub fn sync_cfg_twin() -> u8 {
    4
}

// the removed twin: must not exist
#[cfg(any())]
#[monitored]
pub fn sync_cfg_twin() -> u8 {
    0
}

// a removed function with `#[cfg]` below the attribute: must not clash with `sync_cfg_twin`
#[monitored]
#[cfg(any())]
pub fn sync_cfg_twin() -> u8 {
    0
}

/// Doc comments, a `#[doc = ..]` attribute and a doc alias are kept.
#[doc = "More documentation."]
#[doc(alias = "documented")]
#[monitored]
pub fn sync_documented() -> u8 {
    5
}

// `#[doc(hidden)]`
#[doc(hidden)]
#[monitored]
pub fn sync_doc_hidden() -> u8 {
    6
}

// `#[deprecated]`, called where deprecation is allowed
#[deprecated = "use something else"]
#[monitored]
pub fn sync_deprecated() -> u8 {
    7
}

// tracing-attributes tests/async_fn.rs repro_1613: `#[rustfmt::skip]` next to the attribute
#[rustfmt::skip]
#[monitored]
pub fn sync_rustfmt_skip(var: bool) -> &'static str {
    if var { "true" } else { "false" }
}

// ---------------------------------------------------------------------------------------------
// Modules and the names in scope
// ---------------------------------------------------------------------------------------------

/// autometrics tests/integration_test.rs `caller_labels`: instrumented functions in nested modules.
pub mod inner {
    use metrics_runtime::monitored;

    // autometrics tests/integration_test.rs `caller_labels`: a function in a module calling one in a child module
    #[monitored]
    pub fn sync_in_module() -> u8 {
        deeper::sync_in_deeper() + 1
    }

    /// A child module.
    pub mod deeper {
        use metrics_runtime::monitored;

        // autometrics tests/integration_test.rs `caller_labels`: `pub(crate)` in a child module
        #[monitored]
        pub(crate) fn sync_in_deeper() -> u8 {
            1
        }

        // async-trait tests/test.rs issue158: `self::` and `super::` paths in the body
        #[allow(unused_qualifications)]
        #[monitored]
        pub(super) fn sync_module_paths() -> u8 {
            self::sync_in_deeper() + super::helper()
        }
    }

    fn helper() -> u8 {
        10
    }

    /// Reaches the `pub(super)` function from its parent.
    pub fn call_module_paths() -> u8 {
        deeper::sync_module_paths()
    }
}

/// Names in scope that an expansion must not pick up: a module `core` (async-trait tests/test.rs
/// checks expansions refer to `::core`), a module named like the runtime crate (tracing-attributes
/// tests/instrument.rs `user_tracing_module`, tracing#3119), a `Result` alias shadowing the
/// prelude, and types named like the runtime's.
pub mod shadowing {
    #[allow(dead_code)]
    mod core {}

    mod metrics_runtime {
        pub fn other() -> &'static str {
            "local"
        }
    }

    type Result<T> = ::std::result::Result<T, ::std::num::ParseIntError>;

    /// Named like a runtime type.
    pub struct CallSite;
    /// Named like a runtime type.
    pub struct CallGuard;
    /// Named like a runtime type.
    pub struct Outcome;

    // tracing-attributes tests/instrument.rs `user_tracing_module` and async-trait's `mod core {}`
    #[::metrics_runtime::monitored]
    pub fn sync_shadowed_names(text: &str) -> Result<u32> {
        let _ = (CallSite, CallGuard, Outcome);
        assert_eq!(metrics_runtime::other(), "local");
        text.parse()
    }
}

/// tracing-attributes tests/ui/pass/type_shadowing.rs (tracing#3306).
pub mod type_shadowing {
    /// The return type, shadowed inside the body.
    pub type Foo = ();

    /// Its variant `Foo` shadows the alias once glob-imported.
    pub enum Bar {
        #[allow(dead_code)]
        Foo,
    }

    // tracing-attributes tests/ui/pass/type_shadowing.rs: a glob import in the body shadows the return type's name
    #[monitored]
    pub fn sync_type_shadowing() -> Foo {
        #[allow(unused_imports)]
        use Bar::*;
    }

    use metrics_runtime::monitored;
}

// ---------------------------------------------------------------------------------------------

#[allow(deprecated)]
fn main() {
    sync_unit();
    assert_eq!(sync_value(1), 1);
    assert_eq!(sync_mut_arg(1), 2);
    assert_eq!(sync_many_args(1, true, "x".into()), "1truex");
    let mut a = 2;
    assert_eq!(sync_ret_mut(&mut a), 4);
    sync_explicit_unit();
    assert_eq!(sync_static_str(), "Hello world!");
    assert_eq!(r#loop(3), 3);

    assert_eq!(sync_generic("a", 1), "\"a\"1");
    assert_eq!(sync_const_generic([1, 2, 3]), 3);
    assert!(sync_const_bool::<true>());
    assert_eq!(sync_const_array::<u8, 2>(), [0, 0]);
    assert_eq!(sync_hrtb(|s| s.split(' ').next().unwrap()), 5);
    assert_eq!(sync_generic_closure(|| 5), 5);
    assert!(sync_passthrough(|| "x".parse::<u8>()).is_err());
    assert_eq!(sync_lifetime_bound("x"), "x");
    assert_eq!(sync_box_any(5u8).downcast_ref::<u8>(), Some(&5));

    assert_eq!(sync_elided(" a "), "a");
    assert_eq!(sync_explicit(" b "), "b");
    assert_eq!(sync_two_lifetimes("ab", "c"), "ab");
    assert_eq!(sync_chained(&"z"), "z");
    assert_eq!(sync_anonymous(&Holder { name: "abc" }), 3);
    assert_eq!(sync_struct_lifetime(Holder { name: "abc" }), "abc");

    assert_eq!(sync_impl_arg(1), "<1>");
    assert_eq!(sync_impl_two_args("a", "b"), "ab");
    let mut seen = String::new();
    assert_eq!(sync_impl_callback(|s| seen.push_str(s)), 2);
    assert_eq!(seen, "ab");
    assert_eq!(sync_impl_ref(&1), "1");
    assert!(sync_impl_ptr(std::ptr::null::<u8>()));
    assert_eq!(sync_dyn_args(&1, Box::new(|x| x + 1)), "12");
    assert_eq!(sync_impl_iter(3).count(), 3);
    let _ = sync_impl_copy();
    assert_eq!(sync_impl_iter_lifetime(&[1, 2, 3]).count(), 2);
    assert_eq!(sync_impl_iter_elided(&[1, 2]).sum::<u8>(), 6);
    assert_eq!(sync_impl_fnmut(vec![4])(), Some(4));
    assert_eq!(sync_impl_in_option(true).unwrap().to_string(), "7");
    assert_eq!(sync_impl_in_tuple().0.to_string(), "1");
    assert_eq!(sync_result_impl(2).unwrap().count(), 2);
    assert!(sync_result_impl(0).is_err());
    assert_eq!(sync_io_result_impl().unwrap().to_string(), "b");
    assert!(sync_result_impl_both(true).is_err());

    assert_eq!(sync_tuple_pattern((1, 2)), 3);
    assert_eq!(sync_nested_tuple_pattern(((1, 2), (3, 4))), 10);
    assert_eq!(sync_ref_pattern(&1), 1);
    assert_eq!(sync_tuple_struct_pattern(Pair(2, 3)), 6);
    assert_eq!(sync_struct_pattern(Point { x: 1, y: 2 }), 3);
    let nest = Nest {
        inner: Inner((1, 2)),
        pair: (3, 4),
        other: NoDebug,
    };
    let NoDebug = &nest.other;
    assert_eq!(sync_everything_pattern(&nest), 10);
    assert_eq!(sync_wildcards(1, 2, Pair(3, 4)), 4);
    assert_eq!(sync_ref_mut_pattern((1, 2, 3, 4)), 11);
    assert_eq!(sync_dotdot_pattern(Pair(1, 2)), 2);
    assert_eq!(sync_slice_pattern([1, 2, 3, 4]), 5);
    assert_eq!(sync_mut_in_pattern((1, 2)), 3);

    assert_eq!(sync_try_from(1), Ok(1));
    assert!(sync_err_early_return(1234).is_err());
    let mut out = 0;
    assert!(sync_err_mut(&mut out, 7).is_ok());
    assert_eq!(out, 7);
    assert!(sync_err_suspicious_else(-1).is_err());
    assert!(sync_result_unit(true).is_err());
    assert_eq!(sync_early_return(0), 100);
    assert_eq!(sync_return_in_loop(&["1", "", "x"]), Ok(1));
    assert!(matches!(
        sync_question_from("1000"),
        Err(SyncError::TooBig(1000))
    ));
    assert!(sync_bail(-1).is_err());
    assert_eq!(sync_ensure(3).unwrap(), 3);
    assert_eq!(sync_question_in_format(Ok(1)).unwrap(), "<1>");
    assert_eq!(sync_question_in_vec("1", "2").unwrap(), [1, 2]);
    assert!(sync_question_in_matches("5").unwrap());
    assert_eq!(sync_question_in_match("0"), Ok("zero"));
    assert_eq!(sync_try_closure(&["1", "2"]), Ok(3));
    assert_eq!(sync_option(&[]), None);
    assert!(sync_io_alias("/definitely/not/here").is_err());
    assert_eq!(sync_default_param_alias("4"), Ok(4));
    assert!(sync_fmt_result(false).is_ok());
    assert_eq!(sync_infallible(1), Ok(1));
    assert!(sync_box_dyn_error("").is_err());
    assert!(std::panic::catch_unwind(sync_unimplemented).is_err());
    assert_eq!(sync_panics(0), 0);
    assert!(std::panic::catch_unwind(|| sync_panic_in_closure(&[0])).is_err());
    assert!(std::panic::catch_unwind(|| sync_never("never")).is_err());
    assert!(std::panic::catch_unwind(|| sync_never_loop(3)).is_err());
    assert_eq!(sync_return_tail(), 5);
    assert_eq!(sync_labelled_block(&[1, 5]), 5);

    assert_eq!(sync_coerce_dyn(true).hello(), "bonjour");
    assert_eq!(sync_coerce_dyn(false).hello(), "hello");
    assert_eq!(sync_coerce_box_fn(1)(1), 2);
    assert_eq!(sync_coerce_bytes(), b"abc");
    assert_eq!(sync_coerce_arc_any(3).downcast_ref::<u8>(), Some(&3));
    assert_eq!(sync_coerce_box_iter().count(), 0);
    assert_eq!(sync_coerce_fn_pointer()(2), 4);
    assert_eq!(sync_coerce_slice(&[1, 2, 3]), [1, 2, 3]);
    assert_eq!(sync_coerce_deref(&"s".to_owned()), "s");
    assert_eq!(sync_coerce_mut_to_shared(&mut vec![]).len(), 1);
    assert_eq!(sync_infer_collect(2), [0, 1]);
    assert_eq!(sync_infer_into("x"), "x");
    assert_eq!(sync_infer_default().0, 0);
    assert_eq!(sync_infer_sum(&[1, 2]), 3);

    assert_eq!(sync_internal_items(1), 3);
    assert_eq!(sync_const_item(200), 128);
    assert_eq!(sync_outer(1), 4);
    assert_eq!(sync_closure_returns(&[-1, 2]), 2);
    assert!(sync_runs_async_block(0).is_err());
    sync_countdown(3);
    assert_eq!(sync_factorial(5), 120);
    assert!(sync_is_even(4));
    assert_eq!(sync_shadowed(1), 3);
    assert_eq!(sync_clashing_args(1, 1, 1, 1, 1, 1), 6);
    assert_eq!(sync_clashing_locals(1), 4);
    assert_eq!(sync_body_macro(1), 2);
    assert_eq!(sync_from_macro(), 7);

    assert_eq!(unsafe { sync_unsafe(&7) }, 7);
    assert_eq!(unsafe { sync_unsafe_implicit(&8) }, 8);
    assert_eq!(sync_extern_c(1), 2);
    assert_eq!(unsafe { sync_unsafe_extern(&9) }, 9);
    assert!(std::panic::catch_unwind(|| sync_c_unwind(true)).is_err());
    assert_eq!(conformance_sync_no_mangle(2), 6);

    // The caller's line is checked by tests/conformance.rs; here they only have to run.
    let _ = sync_track_caller();
    let _ = sync_track_caller_generic::<()>();
    assert_eq!(sync_must_use(), 1);
    assert!(sync_must_use_message(true).is_err());
    assert_eq!(sync_inline(1), 1);
    assert_eq!(sync_inline_always(1), 1);
    assert_eq!(sync_inline_never(1), 1);
    assert_eq!(sync_cold(), 0);
    assert_eq!(sync_cfg_attr_applies(), 1);
    assert_eq!(sync_cfg_attr_above(), 2);
    assert_eq!(sync_cfg_attr_below(), 3);
    assert_eq!(sync_cfg_twin(), 4);
    assert_eq!(sync_documented(), 5);
    assert_eq!(sync_doc_hidden(), 6);
    assert_eq!(sync_deprecated(), 7);
    assert_eq!(sync_rustfmt_skip(true), "true");

    assert_eq!(inner::sync_in_module(), 2);
    assert_eq!(inner::call_module_paths(), 11);
    assert_eq!(shadowing::sync_shadowed_names("3"), Ok(3));
    type_shadowing::sync_type_shadowing();
}
