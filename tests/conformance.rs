//! Conformance, run time: every function that compiles without `#[monitored]` compiles with it
//! and is counted right. The shapes live in `tests/ui/pass/conformance_*.rs` (which trybuild
//! compiles and runs one by one, see `tests/compile.rs`); this file includes them as modules and
//! calls each a known number of times with known outcomes, then asserts the exact change of its
//! series: the four `status` counts, `error_type`, the histogram's count (and a lower bound of its
//! sum where the shape sleeps) and the in-flight gauge back at 0.
//!
//! Every shape has its own function name, so the tests of this file can run in parallel. A test
//! checks all its shapes before failing and lists every shape that was counted wrong.
//!
//! The tests named `issue_*` are the run-time cases of the conformance issue: a branch of
//! `join!` dropped by a sibling's panic is `cancelled`; a function returning `impl Future` or a
//! boxed future is counted with its future's outcome and duration; `#[track_caller]` still sees
//! the caller; a `-> !` function that panics is `panic`.

#![allow(deprecated, clippy::unit_arg, clippy::let_unit_value)]

// The shapes are written as users write them, and clippy sees them as written: what it finds in
// them (`let_and_return`, `non_minimal_cfg`) is about the user's code, allowed per module below.

#[allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::let_and_return,
    clippy::non_minimal_cfg
)]
#[path = "ui/pass/conformance_sync.rs"]
mod sy;

#[allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::let_and_return,
    clippy::non_minimal_cfg
)]
#[path = "ui/pass/conformance_async.rs"]
mod asy;

#[allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::let_and_return,
    clippy::non_minimal_cfg
)]
#[path = "ui/pass/conformance_futures.rs"]
mod fut;

#[allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::let_and_return,
    clippy::non_minimal_cfg
)]
#[path = "ui/pass/conformance_methods.rs"]
mod meth;

#[allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::let_and_return,
    clippy::non_minimal_cfg
)]
#[path = "ui/pass/conformance_traits.rs"]
mod tr;

#[allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::let_and_return,
    clippy::non_minimal_cfg
)]
#[path = "ui/pass/conformance_lints.rs"]
mod lint;

#[allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::let_and_return,
    clippy::non_minimal_cfg
)]
#[path = "ui/pass/conformance_tool_call.rs"]
mod tool;

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use metrics_runtime::testing::{self, Snapshot};

// -------------------------------------------------------------------------------------------------
// The harness
// -------------------------------------------------------------------------------------------------

/// Which attribute's families a shape writes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Family {
    #[default]
    Monitored,
    ToolCall,
}

impl Family {
    /// Calls, duration, errors, in-flight, and the label naming the function.
    fn names(self) -> [&'static str; 5] {
        match self {
            Family::Monitored => [
                "function_calls_total",
                "function_call_duration_seconds",
                "function_errors_total",
                "function_calls_in_flight",
                "function",
            ],
            Family::ToolCall => [
                "mcp_tool_calls_total",
                "mcp_tool_call_duration_seconds",
                "mcp_tool_errors_total",
                "mcp_tool_calls_in_flight",
                "tool",
            ],
        }
    }
}

/// The change a shape's calls must make to its series.
#[derive(Clone, Debug, Default)]
struct Expect {
    family: Family,
    module: Option<String>,
    ok: u64,
    error: u64,
    panic: u64,
    cancelled: u64,
    /// `error_type` values and their counts; errors added with `error_untyped` are only summed.
    error_types: Vec<(&'static str, u64)>,
    /// Lower bound of the histogram's sum, in seconds.
    min_seconds: f64,
}

/// No calls yet: add them with the builder methods.
fn calls() -> Expect {
    Expect::default()
}

impl Expect {
    fn ok(mut self, n: u64) -> Self {
        self.ok += n;
        self
    }

    fn error(mut self, n: u64, error_type: &'static str) -> Self {
        self.error += n;
        self.error_types.push((error_type, n));
        self
    }

    /// Errors whose `error_type` is not asserted (an `impl Error` return type).
    fn error_untyped(mut self, n: u64) -> Self {
        self.error += n;
        self
    }

    fn panic(mut self, n: u64) -> Self {
        self.panic += n;
        self
    }

    fn cancelled(mut self, n: u64) -> Self {
        self.cancelled += n;
        self
    }

    fn at_least_seconds(mut self, seconds: f64) -> Self {
        self.min_seconds = seconds;
        self
    }

    fn module(mut self, module: String) -> Self {
        self.module = Some(module);
        self
    }

    fn tool(mut self) -> Self {
        self.family = Family::ToolCall;
        self
    }

    /// What is wrong in `delta` for `function`, one line per mismatch.
    fn mismatches(&self, delta: &Snapshot, function: &str) -> Vec<String> {
        let [calls, duration, errors, in_flight, key] = self.family.names();
        let mut base: Vec<(&str, &str)> = vec![(key, function)];
        if let Some(module) = &self.module {
            base.push(("module", module));
        }
        let with = |extra: (&'static str, &'static str)| {
            let mut labels = base.clone();
            labels.push(extra);
            labels
        };
        let mut wrong = Vec::new();
        for (status, expected) in [
            ("ok", self.ok),
            ("error", self.error),
            ("panic", self.panic),
            ("cancelled", self.cancelled),
        ] {
            let got = delta.counter(calls, &with(("status", status)));
            if got != expected {
                wrong.push(format!(
                    "status=\"{status}\" counted {got}, expected {expected}"
                ));
            }
        }
        let got = delta.counter(errors, &base);
        if got != self.error {
            wrong.push(format!(
                "{errors} counted {got} in all, expected {}",
                self.error
            ));
        }
        for &(error_type, expected) in &self.error_types {
            let got = delta.counter(errors, &with(("error_type", error_type)));
            if got != expected {
                wrong.push(format!(
                    "error_type=\"{error_type}\" counted {got}, expected {expected}"
                ));
            }
        }
        let total = self.ok + self.error + self.panic + self.cancelled;
        let observed = delta.histogram_count(duration, &base);
        if observed != total {
            wrong.push(format!(
                "{duration} observed {observed} durations, expected {total}"
            ));
        }
        let sum = delta.histogram_sum(duration, &base);
        if sum < self.min_seconds {
            wrong.push(format!(
                "{duration} sum is {sum:.4} s, expected at least {} s",
                self.min_seconds
            ));
        }
        match delta.gauge(in_flight, &base) {
            Some(0.0) => {}
            Some(value) => wrong.push(format!("{in_flight} is {value}, expected 0")),
            None => wrong.push(format!(
                "no {in_flight} series: the function was not instrumented"
            )),
        }
        wrong
    }
}

/// Collects the shapes counted wrong and fails once, listing them all.
struct Check {
    failures: Vec<String>,
}

impl Check {
    fn new() -> Self {
        testing::install().unwrap();
        Self {
            failures: Vec::new(),
        }
    }

    /// Runs `work` (calls of `function`, with its own value checks) and checks the change.
    fn sync<T>(&mut self, function: &str, expect: Expect, work: impl FnOnce() -> T) -> Snapshot {
        let (outcome, delta) = testing::capture(|| catch_unwind(AssertUnwindSafe(work)));
        if let Err(panic) = outcome {
            self.failures.push(format!(
                "{function}: its calls panicked where no panic was expected: {}",
                panic_message(&*panic)
            ));
        }
        self.counts(&delta, function, &expect);
        delta
    }

    /// Awaits `work` (calls of `function`, with its own value checks) and checks the change.
    async fn run<T>(
        &mut self,
        function: &str,
        expect: Expect,
        work: impl Future<Output = T>,
    ) -> Snapshot {
        let (outcome, delta) = testing::capture_async(AssertUnwindSafe(work).catch_unwind()).await;
        if let Err(panic) = outcome {
            self.failures.push(format!(
                "{function}: its calls panicked where no panic was expected: {}",
                panic_message(&*panic)
            ));
        }
        self.counts(&delta, function, &expect);
        delta
    }

    /// Checks the change of one more function in a delta already taken.
    fn counts(&mut self, delta: &Snapshot, function: &str, expect: &Expect) {
        let wrong = expect.mismatches(delta, function);
        if !wrong.is_empty() {
            self.failures
                .push(format!("{function}: {}", wrong.join("; ")));
        }
    }

    /// Records a failed value check that is not about counts.
    fn fail(&mut self, failure: String) {
        self.failures.push(failure);
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} shape(s) wrong:\n  {}",
            self.failures.len(),
            self.failures.join("\n  ")
        );
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(not a string)".to_owned())
}

/// Calls `f`, which must panic.
fn panics<T>(f: impl FnOnce() -> T) {
    assert!(
        catch_unwind(AssertUnwindSafe(f)).is_err(),
        "expected a panic"
    );
}

/// Awaits `future`, which must panic.
async fn panics_async<T>(future: impl Future<Output = T>) {
    assert!(
        AssertUnwindSafe(future).catch_unwind().await.is_err(),
        "expected a panic"
    );
}

/// Drops `future` after it has been polled for a millisecond without completing.
async fn times_out<T>(future: impl Future<Output = T>) {
    assert!(
        tokio::time::timeout(Duration::from_millis(1), future)
            .await
            .is_err(),
        "expected a timeout"
    );
}

/// A file that exists in the package root, where cargo runs tests.
const EXISTING_FILE: &str = "Cargo.toml";
const MISSING_FILE: &str = "/definitely/not/here";
const BOXED_ERROR: &str = "Box<dyn Error + Send + Sync>";

// -------------------------------------------------------------------------------------------------
// Free sync functions
// -------------------------------------------------------------------------------------------------

#[test]
fn sync_free_functions() {
    use sy::*;
    let mut c = Check::new();

    c.sync("sync_unit", calls().ok(1), sync_unit);
    c.sync("sync_value", calls().ok(2), || {
        assert_eq!(sync_value(1) + sync_value(2), 3)
    });
    c.sync("sync_mut_arg", calls().ok(1), || {
        assert_eq!(sync_mut_arg(1), 2)
    });
    c.sync("sync_many_args", calls().ok(1), || {
        assert_eq!(sync_many_args(1, true, "x".into()), "1truex")
    });
    c.sync("sync_ret_mut", calls().ok(1), || {
        let mut a = 2;
        assert_eq!(sync_ret_mut(&mut a), 4);
        assert_eq!(a, 4);
    });
    c.sync("sync_explicit_unit", calls().ok(1), sync_explicit_unit);
    c.sync("sync_static_str", calls().ok(1), sync_static_str);
    c.sync("loop", calls().ok(1), || assert_eq!(r#loop(3), 3));

    c.sync("sync_generic", calls().ok(1), || {
        assert_eq!(sync_generic("a", 1), "\"a\"1")
    });
    c.sync("sync_const_generic", calls().ok(2), || {
        assert_eq!(sync_const_generic([1, 2, 3]), 3);
        assert_eq!(sync_const_generic(["a"]), 1);
    });
    c.sync("sync_const_bool", calls().ok(2), || {
        assert!(sync_const_bool::<true>());
        assert!(!sync_const_bool::<false>());
    });
    c.sync("sync_const_array", calls().ok(1), || {
        assert_eq!(sync_const_array::<u8, 2>(), [0, 0])
    });
    c.sync("sync_hrtb", calls().ok(1), || {
        assert_eq!(sync_hrtb(|s| s.split(' ').next().unwrap()), 5)
    });
    c.sync("sync_generic_closure", calls().ok(2), || {
        assert_eq!(sync_generic_closure(|| 5), 5);
        assert_eq!(sync_generic_closure(|| "x"), "x");
    });
    // A limit, written down in the README: the generic `R` is not seen as a `Result`.
    c.sync("sync_passthrough", calls().ok(2), || {
        assert!(sync_passthrough(|| "x".parse::<u8>()).is_err());
        assert_eq!(sync_passthrough(|| 7), 7);
    });
    c.sync("sync_lifetime_bound", calls().ok(1), || {
        assert_eq!(sync_lifetime_bound("x"), "x")
    });
    c.sync("sync_box_any", calls().ok(1), || {
        assert_eq!(sync_box_any(5u8).downcast_ref::<u8>(), Some(&5))
    });

    c.sync("sync_elided", calls().ok(1), || {
        assert_eq!(sync_elided(" a "), "a")
    });
    c.sync("sync_explicit", calls().ok(1), || {
        assert_eq!(sync_explicit(" b "), "b")
    });
    c.sync("sync_two_lifetimes", calls().ok(1), || {
        assert_eq!(sync_two_lifetimes("ab", "c"), "ab")
    });
    c.sync("sync_chained", calls().ok(1), || {
        assert_eq!(sync_chained(&"z"), "z")
    });
    c.sync("sync_anonymous", calls().ok(1), || {
        assert_eq!(sync_anonymous(&Holder { name: "abc" }), 3)
    });
    c.sync("sync_struct_lifetime", calls().ok(1), || {
        assert_eq!(sync_struct_lifetime(Holder { name: "abc" }), "abc")
    });

    c.sync("sync_impl_arg", calls().ok(1), || {
        assert_eq!(sync_impl_arg(1), "<1>")
    });
    c.sync("sync_impl_two_args", calls().ok(1), || {
        assert_eq!(sync_impl_two_args("a", String::from("b")), "ab")
    });
    c.sync("sync_impl_callback", calls().ok(1), || {
        let mut seen = String::new();
        assert_eq!(sync_impl_callback(|s| seen.push_str(s)), 2);
        assert_eq!(seen, "ab");
    });
    c.sync("sync_impl_ref", calls().ok(1), || {
        assert_eq!(sync_impl_ref(&1), "1")
    });
    c.sync("sync_impl_ptr", calls().ok(1), || {
        assert!(sync_impl_ptr(std::ptr::null::<u8>()))
    });
    c.sync("sync_dyn_args", calls().ok(1), || {
        assert_eq!(sync_dyn_args(&1, Box::new(|x| x + 1)), "12")
    });
    c.sync("sync_impl_iter", calls().ok(1), || {
        assert_eq!(sync_impl_iter(3).count(), 3)
    });
    c.sync("sync_impl_copy", calls().ok(1), || {
        let _ = sync_impl_copy();
    });
    c.sync("sync_impl_iter_lifetime", calls().ok(1), || {
        assert_eq!(sync_impl_iter_lifetime(&[1, 2, 3]).count(), 2)
    });
    c.sync("sync_impl_iter_elided", calls().ok(1), || {
        assert_eq!(sync_impl_iter_elided(&[1, 2]).sum::<u8>(), 6)
    });
    c.sync("sync_impl_fnmut", calls().ok(1), || {
        let mut next = sync_impl_fnmut(vec![4]);
        assert_eq!((next(), next()), (Some(4), None));
    });
    c.sync("sync_impl_in_option", calls().ok(2), || {
        assert_eq!(sync_impl_in_option(true).unwrap().to_string(), "7");
        assert!(sync_impl_in_option(false).is_none());
    });
    c.sync("sync_impl_in_tuple", calls().ok(1), || {
        assert_eq!(sync_impl_in_tuple().0.to_string(), "1")
    });
    c.sync("sync_result_impl", calls().ok(1).error(1, "String"), || {
        assert_eq!(sync_result_impl(2).unwrap().count(), 2);
        assert!(sync_result_impl(0).is_err());
    });
    c.sync("sync_io_result_impl", calls().ok(1), || {
        assert_eq!(sync_io_result_impl().unwrap().to_string(), "b")
    });
    c.sync(
        "sync_result_impl_both",
        calls().ok(1).error_untyped(1),
        || {
            assert_eq!(sync_result_impl_both(false).ok().unwrap().to_string(), "d");
            assert!(sync_result_impl_both(true).is_err());
        },
    );

    c.sync("sync_tuple_pattern", calls().ok(1), || {
        assert_eq!(sync_tuple_pattern((1, 2)), 3)
    });
    c.sync("sync_nested_tuple_pattern", calls().ok(1), || {
        assert_eq!(sync_nested_tuple_pattern(((1, 2), (3, 4))), 10)
    });
    c.sync("sync_ref_pattern", calls().ok(1), || {
        assert_eq!(sync_ref_pattern(&1), 1)
    });
    c.sync("sync_tuple_struct_pattern", calls().ok(1), || {
        assert_eq!(sync_tuple_struct_pattern(Pair(2, 3)), 6)
    });
    c.sync("sync_struct_pattern", calls().ok(1), || {
        assert_eq!(sync_struct_pattern(Point { x: 1, y: 2 }), 3)
    });
    c.sync("sync_everything_pattern", calls().ok(1), || {
        let nest = Nest {
            inner: Inner((1, 2)),
            pair: (3, 4),
            other: NoDebug,
        };
        assert_eq!(sync_everything_pattern(&nest), 10);
    });
    c.sync("sync_wildcards", calls().ok(1), || {
        assert_eq!(sync_wildcards(1, 2, Pair(3, 4)), 4)
    });
    c.sync("sync_ref_mut_pattern", calls().ok(1), || {
        assert_eq!(sync_ref_mut_pattern((1, 2, 3, 4)), 11)
    });
    c.sync("sync_dotdot_pattern", calls().ok(1), || {
        assert_eq!(sync_dotdot_pattern(Pair(1, 2)), 2)
    });
    c.sync("sync_slice_pattern", calls().ok(1), || {
        assert_eq!(sync_slice_pattern([1, 2, 3, 4]), 5)
    });
    c.sync("sync_mut_in_pattern", calls().ok(1), || {
        assert_eq!(sync_mut_in_pattern((1, 2)), 3)
    });

    c.sync(
        "sync_try_from",
        calls().ok(1).error(1, "TryFromIntError"),
        || {
            assert_eq!(sync_try_from(1), Ok(1));
            assert!(sync_try_from(1234).is_err());
        },
    );
    c.sync(
        "sync_err_early_return",
        calls().ok(1).error(1, "TryFromIntError"),
        || {
            assert_eq!(sync_err_early_return(1), Ok(5));
            assert!(sync_err_early_return(1234).is_err());
        },
    );
    c.sync(
        "sync_err_mut",
        calls().ok(1).error(1, "TryFromIntError"),
        || {
            let mut out = 0;
            assert!(sync_err_mut(&mut out, 7).is_ok());
            assert!(sync_err_mut(&mut out, -7).is_err());
            assert_eq!(out, 7);
        },
    );
    c.sync(
        "sync_err_suspicious_else",
        calls().ok(1).error(1, "TryFromIntError"),
        || {
            assert!(sync_err_suspicious_else(1).is_ok());
            assert!(sync_err_suspicious_else(-1).is_err());
        },
    );
    c.sync("sync_result_unit", calls().ok(1).error(2, "()"), || {
        let _ = sync_result_unit(true);
        let _ = sync_result_unit(true);
        assert!(sync_result_unit(false).is_ok());
    });
    c.sync("sync_early_return", calls().ok(2), || {
        assert_eq!(sync_early_return(0), 100);
        assert_eq!(sync_early_return(3), 3);
    });
    c.sync(
        "sync_return_in_loop",
        calls().ok(2).error(1, "ParseIntError"),
        || {
            assert_eq!(sync_return_in_loop(&["1", "", "x"]), Ok(1));
            assert_eq!(sync_return_in_loop(&["2", "3"]), Ok(5));
            assert!(sync_return_in_loop(&["x"]).is_err());
        },
    );
    c.sync(
        "sync_question_from",
        calls().ok(1).error(1, "parse").error(1, "too_big"),
        || {
            assert_eq!(sync_question_from("5").unwrap(), 5);
            assert!(matches!(sync_question_from("x"), Err(SyncError::Parse(_))));
            assert!(matches!(
                sync_question_from("1000"),
                Err(SyncError::TooBig(1000))
            ));
        },
    );
    c.sync("sync_bail", calls().ok(1).error(1, "negative"), || {
        assert_eq!(sync_bail(1).unwrap(), 1);
        assert!(sync_bail(-1).is_err());
    });
    c.sync("sync_ensure", calls().ok(1).error(1, "negative"), || {
        assert_eq!(sync_ensure(3).unwrap(), 3);
        assert!(sync_ensure(-3).is_err());
    });
    c.sync(
        "sync_question_in_format",
        calls().ok(1).error(1, "Error"),
        || {
            assert_eq!(sync_question_in_format(Ok(1)).unwrap(), "<1>");
            assert!(sync_question_in_format(Err(std::fmt::Error)).is_err());
        },
    );
    c.sync(
        "sync_question_in_vec",
        calls().ok(1).error(1, "ParseIntError"),
        || {
            assert_eq!(sync_question_in_vec("1", "2").unwrap(), [1, 2]);
            assert!(sync_question_in_vec("1", "x").is_err());
        },
    );
    c.sync(
        "sync_question_in_matches",
        calls().ok(1).error(1, "ParseIntError"),
        || {
            assert!(sync_question_in_matches("5").unwrap());
            assert!(sync_question_in_matches("x").is_err());
        },
    );
    c.sync(
        "sync_question_in_match",
        calls().ok(2).error(1, "ParseIntError"),
        || {
            assert_eq!(sync_question_in_match("0"), Ok("zero"));
            assert_eq!(sync_question_in_match("5"), Ok("other"));
            assert!(sync_question_in_match("x").is_err());
        },
    );
    c.sync(
        "sync_try_closure",
        calls().ok(1).error(1, "ParseIntError"),
        || {
            assert_eq!(sync_try_closure(&["1", "2"]), Ok(3));
            assert!(sync_try_closure(&["1", "x"]).is_err());
        },
    );
    c.sync("sync_option", calls().ok(2), || {
        assert_eq!(sync_option(&[1]), Some(2));
        assert_eq!(sync_option(&[]), None);
    });
    c.sync("sync_io_alias", calls().ok(1).error(1, "not_found"), || {
        assert!(sync_io_alias(EXISTING_FILE).is_ok());
        assert!(sync_io_alias(MISSING_FILE).is_err());
    });
    c.sync(
        "sync_default_param_alias",
        calls().ok(1).error(1, "ParseIntError"),
        || {
            assert_eq!(sync_default_param_alias("4"), Ok(4));
            assert!(sync_default_param_alias("x").is_err());
        },
    );
    c.sync("sync_fmt_result", calls().ok(1).error(1, "Error"), || {
        assert!(sync_fmt_result(false).is_ok());
        assert!(sync_fmt_result(true).is_err());
    });
    c.sync("sync_infallible", calls().ok(1), || {
        assert_eq!(sync_infallible(1), Ok(1))
    });
    c.sync(
        "sync_box_dyn_error",
        calls().ok(1).error(2, BOXED_ERROR),
        || {
            assert_eq!(sync_box_dyn_error("3").unwrap(), 3);
            assert!(sync_box_dyn_error("").is_err());
            assert!(sync_box_dyn_error("x").is_err());
        },
    );
    c.sync("sync_unimplemented", calls().panic(1), || {
        panics(sync_unimplemented)
    });
    c.sync("sync_panics", calls().ok(1).panic(2), || {
        assert_eq!(sync_panics(0), 0);
        panics(|| sync_panics(1));
        panics(|| sync_panics(2));
    });
    c.sync("sync_panic_in_closure", calls().ok(1).panic(1), || {
        assert_eq!(sync_panic_in_closure(&[1, 2]), [0, 1]);
        panics(|| sync_panic_in_closure(&[0]));
    });
    c.sync("sync_return_tail", calls().ok(1), || {
        assert_eq!(sync_return_tail(), 5)
    });
    c.sync("sync_labelled_block", calls().ok(2), || {
        assert_eq!(sync_labelled_block(&[1, 5]), 5);
        assert_eq!(sync_labelled_block(&[1]), 0);
    });

    c.sync("sync_coerce_dyn", calls().ok(2), || {
        assert_eq!(sync_coerce_dyn(true).hello(), "bonjour");
        assert_eq!(sync_coerce_dyn(false).hello(), "hello");
    });
    c.sync("sync_coerce_box_fn", calls().ok(1), || {
        assert_eq!(sync_coerce_box_fn(1)(1), 2)
    });
    c.sync("sync_coerce_bytes", calls().ok(1), || {
        assert_eq!(sync_coerce_bytes(), b"abc")
    });
    c.sync("sync_coerce_arc_any", calls().ok(1), || {
        assert_eq!(sync_coerce_arc_any(3).downcast_ref::<u8>(), Some(&3))
    });
    c.sync("sync_coerce_box_iter", calls().ok(1), || {
        assert_eq!(sync_coerce_box_iter().count(), 0)
    });
    c.sync("sync_coerce_fn_pointer", calls().ok(1), || {
        assert_eq!(sync_coerce_fn_pointer()(2), 4)
    });
    c.sync("sync_coerce_slice", calls().ok(1), || {
        assert_eq!(sync_coerce_slice(&[1, 2, 3]), [1, 2, 3])
    });
    c.sync("sync_coerce_deref", calls().ok(1), || {
        assert_eq!(sync_coerce_deref(&"s".to_owned()), "s")
    });
    c.sync("sync_coerce_mut_to_shared", calls().ok(1), || {
        assert_eq!(sync_coerce_mut_to_shared(&mut vec![]).len(), 1)
    });
    c.sync("sync_infer_collect", calls().ok(1), || {
        assert_eq!(sync_infer_collect(2), [0, 1])
    });
    c.sync("sync_infer_into", calls().ok(1), || {
        assert_eq!(sync_infer_into("x"), "x")
    });
    c.sync("sync_infer_default", calls().ok(1), || {
        assert_eq!(sync_infer_default(), (0, String::new(), vec![]))
    });
    c.sync("sync_infer_sum", calls().ok(1), || {
        assert_eq!(sync_infer_sum(&[1, 2]), 3)
    });

    c.sync("sync_internal_items", calls().ok(1), || {
        assert_eq!(sync_internal_items(1), 3)
    });
    c.sync("sync_const_item", calls().ok(1), || {
        assert_eq!(sync_const_item(200), 128)
    });
    let delta = c.sync("sync_outer", calls().ok(1), || assert_eq!(sync_outer(1), 4));
    c.counts(&delta, "sync_inner", &calls().ok(1));
    c.sync("sync_closure_returns", calls().ok(1), || {
        assert_eq!(sync_closure_returns(&[-1, 2]), 2)
    });
    c.sync(
        "sync_runs_async_block",
        calls().ok(1).error(1, "negative"),
        || {
            assert_eq!(sync_runs_async_block(2).unwrap(), 2);
            assert!(sync_runs_async_block(0).is_err());
        },
    );
    c.sync("sync_countdown", calls().ok(3), || sync_countdown(3));
    c.sync("sync_factorial", calls().ok(5), || {
        assert_eq!(sync_factorial(5), 120)
    });
    let delta = c.sync("sync_is_even", calls().ok(3), || assert!(sync_is_even(4)));
    c.counts(&delta, "sync_is_odd", &calls().ok(2));
    c.sync("sync_shadowed", calls().ok(1), || {
        assert_eq!(sync_shadowed(1), 3)
    });
    c.sync("sync_clashing_args", calls().ok(1), || {
        assert_eq!(sync_clashing_args(1, 2, 3, 4, 5, 6), 21)
    });
    c.sync("sync_clashing_locals", calls().ok(1), || {
        assert_eq!(sync_clashing_locals(1), 4)
    });
    c.sync("sync_body_macro", calls().ok(1), || {
        assert_eq!(sync_body_macro(1), 2)
    });
    c.sync("sync_from_macro", calls().ok(1), || {
        assert_eq!(sync_from_macro(), 7)
    });

    c.sync("sync_unsafe", calls().ok(1), || {
        assert_eq!(unsafe { sync_unsafe(&7) }, 7)
    });
    c.sync("sync_unsafe_implicit", calls().ok(1), || {
        assert_eq!(unsafe { sync_unsafe_implicit(&8) }, 8)
    });
    c.sync("sync_extern_c", calls().ok(1), || {
        assert_eq!(sync_extern_c(1), 2)
    });
    c.sync("sync_unsafe_extern", calls().ok(1), || {
        assert_eq!(unsafe { sync_unsafe_extern(&9) }, 9)
    });
    c.sync("sync_c_unwind", calls().ok(1).panic(1), || {
        assert_eq!(sync_c_unwind(false), 1);
        panics(|| sync_c_unwind(true));
    });
    c.sync("conformance_sync_no_mangle", calls().ok(1), || {
        assert_eq!(conformance_sync_no_mangle(2), 6)
    });

    c.sync("sync_must_use", calls().ok(1), || {
        assert_eq!(sync_must_use(), 1)
    });
    c.sync(
        "sync_must_use_message",
        calls().ok(1).error(1, "negative"),
        || {
            assert!(sync_must_use_message(false).is_ok());
            assert!(sync_must_use_message(true).is_err());
        },
    );
    c.sync("sync_inline", calls().ok(1), || {
        assert_eq!(sync_inline(1), 1)
    });
    c.sync("sync_inline_always", calls().ok(1), || {
        assert_eq!(sync_inline_always(1), 1)
    });
    c.sync("sync_inline_never", calls().ok(1), || {
        assert_eq!(sync_inline_never(1), 1)
    });
    c.sync("sync_cold", calls().ok(1), || assert_eq!(sync_cold(), 0));
    c.sync("sync_cfg_attr_applies", calls().ok(1), || {
        assert_eq!(sync_cfg_attr_applies(), 1)
    });
    c.sync("sync_cfg_attr_above", calls().ok(1), || {
        assert_eq!(sync_cfg_attr_above(), 2)
    });
    c.sync("sync_cfg_attr_below", calls().ok(1), || {
        assert_eq!(sync_cfg_attr_below(), 3)
    });
    c.sync("sync_cfg_twin", calls().ok(1), || {
        assert_eq!(sync_cfg_twin(), 4)
    });
    c.sync("sync_documented", calls().ok(1), || {
        assert_eq!(sync_documented(), 5)
    });
    c.sync("sync_doc_hidden", calls().ok(1), || {
        assert_eq!(sync_doc_hidden(), 6)
    });
    c.sync("sync_deprecated", calls().ok(1), || {
        assert_eq!(sync_deprecated(), 7)
    });
    c.sync("sync_rustfmt_skip", calls().ok(1), || {
        assert_eq!(sync_rustfmt_skip(true), "true")
    });

    let module = format!("{}::sy::inner", module_path!());
    let delta = c.sync(
        "sync_in_module",
        calls().ok(1).module(module.clone()),
        || assert_eq!(inner::sync_in_module(), 2),
    );
    let deeper = format!("{module}::deeper");
    c.counts(
        &delta,
        "sync_in_deeper",
        &calls().ok(1).module(deeper.clone()),
    );
    c.sync("sync_module_paths", calls().ok(1).module(deeper), || {
        assert_eq!(inner::call_module_paths(), 11)
    });
    c.sync(
        "sync_shadowed_names",
        calls().ok(1).error(1, "ParseIntError"),
        || {
            assert_eq!(shadowing::sync_shadowed_names("3"), Ok(3));
            assert!(shadowing::sync_shadowed_names("x").is_err());
        },
    );
    c.sync(
        "sync_type_shadowing",
        calls().ok(1),
        type_shadowing::sync_type_shadowing,
    );

    c.finish();
}

// -------------------------------------------------------------------------------------------------
// Free async functions
// -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn async_free_functions() {
    use asy::*;
    let mut c = Check::new();

    c.run("af_empty", calls().ok(1), af_empty()).await;
    c.run("af_unsafe_empty", calls().ok(1), unsafe {
        af_unsafe_empty()
    })
    .await;
    c.run("af_unsafe_read", calls().ok(1), async {
        assert_eq!(unsafe { af_unsafe_read(&3) }.await, 3)
    })
    .await;
    c.run("af_value", calls().ok(1), async {
        assert_eq!(af_value(1).await, 1)
    })
    .await;
    c.run("af_mut_arg", calls().ok(1), async {
        assert_eq!(af_mut_arg(1).await, 2)
    })
    .await;
    c.run("af_polls", calls().ok(1).error(1, "()"), async {
        assert!(af_polls(2, false).await.is_ok());
        assert!(af_polls(2, true).await.is_err());
    })
    .await;
    c.run("af_ret", calls().ok(1), async {
        assert_eq!(af_ret().await, 42)
    })
    .await;
    c.run("af_ret_impl_trait", calls().ok(1), async {
        assert_eq!(af_ret_impl_trait(3).await.unwrap().count(), 3)
    })
    .await;
    c.run(
        "af_ret_impl_trait_err",
        calls().ok(1).error(1, "&str"),
        async {
            assert_eq!(af_ret_impl_trait_err(3).await.unwrap().count(), 3);
            assert!(af_ret_impl_trait_err(-1).await.is_err());
        },
    )
    .await;
    c.run("af_impl_display", calls().ok(1), async {
        assert_eq!(af_impl_display(5).await.to_string(), "5")
    })
    .await;
    c.run("af_impl_borrowing", calls().ok(1), async {
        assert_eq!(af_impl_borrowing(&[1, 2]).await.next(), Some(&2))
    })
    .await;
    c.run("af_impl_stream", calls().ok(1), async {
        use futures::StreamExt;
        assert_eq!(af_impl_stream().await.count().await, 3)
    })
    .await;
    c.run("af_impl_arg", calls().ok(1), async {
        assert_eq!(af_impl_arg(1, "a").await, "1a")
    })
    .await;
    c.run("af_generic", calls().ok(2), async {
        assert_eq!(af_generic(2).await, "2");
        assert_eq!(af_generic("s").await, "s");
    })
    .await;
    c.run("af_generic_where", calls().ok(1), async {
        assert_eq!(af_generic_where(1).await, (1, 1))
    })
    .await;
    c.run("af_const_generic", calls().ok(1), async {
        assert_eq!(af_const_generic([0u8; 4]).await, 4)
    })
    .await;
    c.run("af_elided", calls().ok(1), async {
        assert_eq!(af_elided(" a ").await, "a")
    })
    .await;
    c.run("af_explicit", calls().ok(1), async {
        assert_eq!(af_explicit(" b ").await, "b")
    })
    .await;
    c.run("af_two_lifetimes", calls().ok(1), async {
        assert_eq!(af_two_lifetimes("a", "b").await, ("a", "b"))
    })
    .await;
    c.run("af_static_str", calls().ok(1), async {
        assert_eq!(af_static_str().await, "Hello world!")
    })
    .await;
    c.run(
        "af_err_mut",
        calls().ok(1).error(1, "TryFromIntError"),
        async {
            let mut out = 0;
            assert!(af_err_mut(1, &mut out, 9).await.is_ok());
            assert!(af_err_mut(1, &mut out, 1234).await.is_err());
            assert_eq!(out, 9);
        },
    )
    .await;

    c.run("af_tuple_pattern", calls().ok(1), async {
        assert_eq!(af_tuple_pattern((1, 2)).await, 3)
    })
    .await;
    c.run("af_struct_pattern", calls().ok(1), async {
        assert_eq!(af_struct_pattern(Point { x: 1, y: 2 }).await, 3)
    })
    .await;
    c.run("af_ref_pattern", calls().ok(1), async {
        assert_eq!(af_ref_pattern(&4).await, 4)
    })
    .await;
    c.run("af_wildcards", calls().ok(1), async {
        assert_eq!(af_wildcards(1, Pair(2, 3)).await, 3)
    })
    .await;
    c.run("af_ref_mut_pattern", calls().ok(1), async {
        assert_eq!(af_ref_mut_pattern((1, 2, 3)).await, 7)
    })
    .await;
    c.run("af_drop_order", calls().ok(1), async {
        let flag = std::sync::atomic::AtomicBool::new(false);
        af_drop_order(Flagger(&flag), &flag).await;
        assert!(
            !flag.load(std::sync::atomic::Ordering::Acquire),
            "the `_` argument was dropped before the body ran"
        );
    })
    .await;

    c.run("af_err", calls().ok(1).error(1, "TryFromIntError"), async {
        assert_eq!(af_err(1, 3).await, Ok(3));
        assert!(af_err(1, 1234).await.is_err());
    })
    .await;
    c.run("af_early_return", calls().ok(2), async {
        assert_eq!(af_early_return(0).await, 100);
        assert_eq!(af_early_return(2).await, 2);
    })
    .await;
    c.run(
        "af_early_return_err",
        calls().ok(2).error(1, "ParseIntError"),
        async {
            assert_eq!(af_early_return_err("").await, Ok(0));
            assert_eq!(af_early_return_err("4").await, Ok(5));
            assert!(af_early_return_err("x").await.is_err());
        },
    )
    .await;
    c.run("af_question_from", calls().ok(1).error(1, "parse"), async {
        assert_eq!(af_question_from("2").await.unwrap(), 2);
        assert!(af_question_from("x").await.is_err());
    })
    .await;
    c.run("af_bail", calls().ok(1).error(1, "negative"), async {
        assert_eq!(af_bail(2).await.unwrap(), 2);
        assert!(af_bail(-1).await.is_err());
    })
    .await;
    c.run(
        "af_question_in_format",
        calls().ok(1).error(1, "Error"),
        async {
            assert_eq!(af_question_in_format(Ok(1)).await.unwrap(), "<1>");
            assert!(af_question_in_format(Err(std::fmt::Error)).await.is_err());
        },
    )
    .await;
    c.run(
        "af_question_await_in_format",
        calls().ok(1).error(1, "ParseIntError"),
        async {
            assert_eq!(af_question_await_in_format("7").await.unwrap(), "7");
            assert!(af_question_await_in_format("x").await.is_err());
        },
    )
    .await;
    c.run("af_option", calls().ok(2), async {
        assert_eq!(af_option(&[2]).await, Some(4));
        assert_eq!(af_option(&[]).await, None);
    })
    .await;
    c.run("af_io_alias", calls().ok(1).error(1, "not_found"), async {
        assert!(af_io_alias(EXISTING_FILE).await.is_ok());
        assert!(af_io_alias(MISSING_FILE).await.is_err());
    })
    .await;
    c.run(
        "af_box_dyn_error",
        calls().ok(1).error(1, BOXED_ERROR),
        async {
            assert_eq!(af_box_dyn_error("3").await.unwrap(), 3);
            assert!(af_box_dyn_error("x").await.is_err());
        },
    )
    .await;
    c.run(
        "af_unimplemented",
        calls().panic(1),
        panics_async(af_unimplemented()),
    )
    .await;
    c.run("af_panics_after_await", calls().ok(1).panic(1), async {
        assert_eq!(af_panics_after_await(false).await, 1);
        panics_async(af_panics_after_await(true)).await;
    })
    .await;
    c.run("af_pending_forever", calls().cancelled(2), async {
        times_out(af_pending_forever()).await;
        times_out(af_pending_forever()).await;
    })
    .await;

    c.run("af_coerce_dyn_return", calls().ok(1), async {
        assert_eq!(af_coerce_dyn_return().await.value(), 1)
    })
    .await;
    c.run("af_coerce_dyn_tail", calls().ok(1), async {
        assert_eq!(af_coerce_dyn_tail().await.value(), 1)
    })
    .await;
    c.run("af_coerce_box_fn", calls().ok(1), async {
        assert_eq!((af_coerce_box_fn(1).await)(1), 2)
    })
    .await;
    c.run("af_coerce_bytes", calls().ok(1), async {
        assert_eq!(af_coerce_bytes().await, b"abc")
    })
    .await;
    c.run("af_coerce_arc_any", calls().ok(1), async {
        assert_eq!(af_coerce_arc_any(3).await.downcast_ref::<u8>(), Some(&3))
    })
    .await;
    c.run("af_coerce_box_iter", calls().ok(1), async {
        assert_eq!(af_coerce_box_iter().await.count(), 0)
    })
    .await;
    c.run(
        "af_coerce_err_box",
        calls().ok(1).error(1, BOXED_ERROR),
        async {
            assert!(af_coerce_err_box(false).await.is_ok());
            assert!(af_coerce_err_box(true).await.is_err());
        },
    )
    .await;
    c.run("af_infer_collect", calls().ok(1), async {
        assert_eq!(af_infer_collect(2).await, [0, 1])
    })
    .await;
    c.run("af_infer_into", calls().ok(1), async {
        assert_eq!(af_infer_into("x").await, "x")
    })
    .await;
    c.run("af_infer_parse", calls().ok(1), async {
        assert_eq!(af_infer_parse("7").await, Ok(7))
    })
    .await;

    c.run("af_inner_attribute", calls().ok(1), async {
        assert_eq!(af_inner_attribute().await, 1)
    })
    .await;
    let delta = c
        .run("af_nested_outer", calls().ok(1), async {
            assert_eq!(af_nested_outer().await, 2)
        })
        .await;
    c.counts(&delta, "af_nested_inner", &calls().ok(1));
    c.run("af_async_blocks", calls().ok(2), async {
        assert_eq!(af_async_blocks(0).await, 11);
        assert_eq!(af_async_blocks(2).await, 3);
    })
    .await;
    c.run("af_async_closure", calls().ok(1), async {
        assert_eq!(af_async_closure(1).await, 2)
    })
    .await;
    c.run("af_select", calls().ok(1), async {
        assert_eq!(af_select(4).await, 4)
    })
    .await;
    c.run("af_recursive", calls().ok(4), async {
        assert_eq!(af_recursive(4).await, 24)
    })
    .await;
    c.run("af_shadowed", calls().ok(1), async {
        assert_eq!(af_shadowed(1).await, 3)
    })
    .await;
    c.run("af_clashing_args", calls().ok(1), async {
        assert_eq!(af_clashing_args(1, 2, 3, 4, 5).await, 15)
    })
    .await;
    c.run("af_clashing_locals", calls().ok(1), async {
        assert_eq!(af_clashing_locals(1).await, 4)
    })
    .await;
    c.run("af_spawnable", calls().ok(1), async {
        assert_eq!(tokio::spawn(af_spawnable("abc".into())).await.unwrap(), 3)
    })
    .await;
    c.run("af_not_send", calls().ok(1), async {
        assert_eq!(af_not_send(1).await, 2)
    })
    .await;
    c.run("af_returns_ready", calls().ok(1), async {
        assert_eq!(af_returns_ready().await.await, 3)
    })
    .await;
    c.run("af_dyn_future", calls().ok(1), async {
        assert!(af_dyn_future().await.unwrap().await.is_err())
    })
    .await;
    c.run("af_consumes_stream", calls().ok(1), async {
        assert_eq!(af_consumes_stream(4).await, 6)
    })
    .await;

    c.run("af_must_use", calls().ok(1), async {
        assert_eq!(af_must_use().await, 1)
    })
    .await;
    c.run("af_documented", calls().ok(1), async {
        assert_eq!(af_documented().await, 2)
    })
    .await;
    c.run("af_inline", calls().ok(1), async {
        assert_eq!(af_inline().await, 3)
    })
    .await;
    c.run("af_cfg_attr", calls().ok(1), async {
        assert_eq!(af_cfg_attr().await, 4)
    })
    .await;
    c.run("af_rustfmt_skip", calls().ok(1), async {
        assert_eq!(af_rustfmt_skip(false).await, "false")
    })
    .await;
    let module = format!("{}::asy::inner", module_path!());
    let delta = c
        .run("af_in_module", calls().ok(1).module(module), async {
            assert_eq!(inner::af_in_module().await, 1)
        })
        .await;
    c.counts(&delta, "af_value", &calls().ok(1));

    c.finish();
}

// -------------------------------------------------------------------------------------------------
// Sync functions returning futures
// -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn functions_returning_futures() {
    use fut::*;
    let mut c = Check::new();

    c.run("fut_impl_future", calls().ok(1), fut_impl_future())
        .await;
    c.run("fut_impl_future_infallible", calls().ok(1), async {
        assert_eq!(fut_impl_future_infallible().await, Ok(()))
    })
    .await;
    c.run("fut_impl_future_statements", calls().ok(1), async {
        assert_eq!(fut_impl_future_statements(5).await, 12)
    })
    .await;
    c.run("fut_impl_future_lifetime", calls().ok(1), async {
        assert_eq!(fut_impl_future_lifetime("abc").await, 3)
    })
    .await;
    c.run("fut_impl_future_generic", calls().ok(1), async {
        assert_eq!(fut_impl_future_generic(7).await, "7")
    })
    .await;
    c.run("fut_impl_future_impl_output", calls().ok(1), async {
        assert_eq!(fut_impl_future_impl_output().await.to_string(), "5")
    })
    .await;
    c.run("fut_impl_future_ready", calls().ok(1), async {
        assert_eq!(fut_impl_future_ready().await, 5)
    })
    .await;
    c.run(
        "fut_impl_future_ready_err",
        calls().error(1, "empty"),
        async { assert!(fut_impl_future_ready_err().await.is_err()) },
    )
    .await;
    c.run(
        "fut_impl_future_panics",
        calls().panic(1),
        panics_async(fut_impl_future_panics()),
    )
    .await;
    c.run(
        "fut_impl_future_pending",
        calls().cancelled(1),
        times_out(fut_impl_future_pending()),
    )
    .await;
    c.run(
        "fut_impl_future_early_return",
        calls().ok(1).error(1, "empty"),
        async {
            assert!(fut_impl_future_early_return(0).await.is_err());
            assert_eq!(fut_impl_future_early_return(2).await.unwrap(), 2);
        },
    )
    .await;

    c.run("fut_box_pin", calls().ok(1), fut_box_pin()).await;
    c.run("fut_box_pin_move", calls().ok(1), fut_box_pin_move())
        .await;
    c.run("fut_box_pin_send_sync", calls().ok(1), async {
        assert_eq!(*fut_box_pin_send_sync(&Arc::new(8)).await, 8)
    })
    .await;
    c.run("fut_box_pin_lifetime", calls().ok(1), async {
        assert_eq!(fut_box_pin_lifetime("ab").await, 2)
    })
    .await;
    c.run("fut_box_pin_full_path", calls().ok(1), async {
        assert_eq!(fut_box_pin_full_path().await, 4)
    })
    .await;
    c.run(
        "fut_box_pin_named",
        calls().ok(1).error(1, "empty"),
        async {
            assert!(fut_box_pin_named(0).await.is_err());
            assert_eq!(fut_box_pin_named(3).await.unwrap(), 3);
        },
    )
    .await;
    c.run("fut_boxed_method", calls().ok(1).error(1, "empty"), async {
        assert!(fut_boxed_method(0).await.is_err());
        assert_eq!(fut_boxed_method(2).await.unwrap(), 2);
    })
    .await;
    c.run(
        "fut_box_pin_two_returns",
        calls().ok(1).error(1, "empty"),
        async {
            assert!(fut_box_pin_two_returns(0).await.is_err());
            assert_eq!(fut_box_pin_two_returns(2).await.unwrap(), 2);
        },
    )
    .await;
    c.run(
        "fut_box_pin_panics",
        calls().panic(1),
        panics_async(fut_box_pin_panics()),
    )
    .await;
    c.run(
        "fut_box_pin_pending",
        calls().cancelled(1),
        times_out(fut_box_pin_pending()),
    )
    .await;
    c.run("fut_box_pin_recursive", calls().ok(4), async {
        assert_eq!(fut_box_pin_recursive(4).await, 24)
    })
    .await;
    c.run("fut_returns_future_of_future", calls().ok(1), async {
        assert_eq!(fut_returns_future_of_future().await.await.unwrap(), 6)
    })
    .await;

    c.finish();
}

// -------------------------------------------------------------------------------------------------
// Methods
// -------------------------------------------------------------------------------------------------

fn account(balance: i64) -> meth::Account {
    meth::Account {
        balance,
        name: "acc".to_owned(),
    }
}

#[test]
fn methods() {
    use meth::*;
    use std::pin::Pin;
    use std::rc::Rc;
    let mut c = Check::new();

    c.sync("m_new", calls().ok(1), || {
        assert_eq!(Account::m_new("a").balance, 0)
    });
    c.sync("m_by_ref", calls().ok(1), || {
        assert_eq!(account(3).m_by_ref(), 3)
    });
    c.sync("m_by_mut", calls().ok(2), || {
        let mut a = account(0);
        let _ = a.m_by_mut(1).m_by_mut(2);
        assert_eq!(a.balance, 3);
    });
    c.sync("m_by_value", calls().ok(1), || {
        assert_eq!(account(4).m_by_value(), 4)
    });
    c.sync("m_by_mut_value", calls().ok(1), || {
        assert_eq!(account(4).m_by_mut_value().balance, 8)
    });
    c.sync("m_boxed", calls().ok(1), || {
        assert_eq!(Box::new(account(5)).m_boxed(), 5)
    });
    c.sync("m_pinned", calls().ok(1), || {
        let mut a = account(5);
        assert_eq!(Pin::new(&mut a).m_pinned(), 1);
        assert_eq!(a.balance, 6);
    });
    c.sync("m_arc", calls().ok(1), || {
        assert_eq!(Arc::new(account(1)).m_arc(), 1)
    });
    c.sync("m_rc", calls().ok(1), || {
        assert_eq!(Rc::new(account(6)).m_rc(), 6)
    });
    c.sync("m_explicit_ref", calls().ok(1), || {
        assert_eq!(account(7).m_explicit_ref(), 7)
    });
    c.sync("m_explicit_mut", calls().ok(1), || {
        let mut a = account(7);
        a.m_explicit_mut();
        assert_eq!(a.balance, 6);
    });
    c.sync("m_mut_ref_binding", calls().ok(1), || {
        static RICH: Account = Account {
            balance: 100,
            name: String::new(),
        };
        assert_eq!(account(1).m_mut_ref_binding(&RICH), 100);
    });
    c.sync("m_lifetimes", calls().ok(1), || {
        assert_eq!(account(1).m_lifetimes("x"), ("acc", "x"))
    });
    let delta = c.sync("m_self_in_body", calls().ok(1), || {
        assert_eq!(account(5_000).m_self_in_body().balance, Account::LIMIT)
    });
    c.counts(&delta, "m_new", &calls().ok(1));
    c.sync("m_destructure_self", calls().ok(1), || {
        assert_eq!(account(1).m_destructure_self(), 4)
    });
    c.sync(
        "m_parse",
        calls().ok(1).error(1, "insufficient").error(1, "parse"),
        || {
            assert_eq!(Account::m_parse("3").unwrap().balance, 3);
            assert!(Account::m_parse("-1").is_err());
            assert!(Account::m_parse("x").is_err());
        },
    );
    c.sync("m_withdraw", calls().ok(1).error(1, "insufficient"), || {
        let mut a = account(10);
        assert_eq!(a.m_withdraw(4).unwrap(), 6);
        assert!(a.m_withdraw(100).is_err());
    });
    c.sync(
        "m_generic_error",
        calls().ok(1).error(1, "ParseIntError"),
        || {
            let a = account(1);
            assert_eq!(
                a.m_generic_error::<std::num::ParseIntError>("2").unwrap(),
                3
            );
            assert!(a.m_generic_error::<std::num::ParseIntError>("x").is_err());
        },
    );
    c.sync("m_clashing", calls().ok(1), || {
        assert_eq!(account(1).m_clashing(1, 2, 3), 7)
    });
    c.sync("m_panics", calls().panic(1), || {
        panics(|| account(1).m_panics())
    });

    c.sync("m_unit_self", calls().ok(1), || {
        let Unit = Unit::m_unit_self();
    });
    c.sync("m_tuple_self", calls().ok(1), || {
        assert_eq!(Tuple::m_tuple_self(1).len(), 2)
    });
    c.sync("m_enum_self", calls().ok(2), || {
        assert_eq!(Mode::On.m_enum_self(), 1);
        assert_eq!(Mode::Off.m_enum_self(), 0);
    });
    c.sync("m_generic_push", calls().ok(2), || {
        let mut strings = Stack::<String>::default();
        assert_eq!(strings.m_generic_push("a".into()), 1);
        let mut numbers = Stack::<u8>::default();
        assert_eq!(numbers.m_generic_push(1), 1);
    });
    c.sync("m_generic_peek", calls().ok(2), || {
        let stack = Stack { items: vec![1u8] };
        assert_eq!(stack.m_generic_peek(), Some(&1));
        assert_eq!(Stack::<u8>::default().m_generic_peek(), None);
    });
    c.sync("m_generic_extend", calls().ok(1), || {
        let mut stack = Stack::<String>::default();
        assert_eq!(stack.m_generic_extend(["b", "c"]), 2);
    });
    c.sync("m_generic_cloned", calls().ok(1), || {
        let stack = Stack { items: vec![1u8] };
        assert_eq!(stack.m_generic_cloned().items, [1]);
    });
    c.sync("m_const_len", calls().ok(2), || {
        assert_eq!(Buffer { bytes: [0; 2] }.m_const_len(), 4);
        assert_eq!(Buffer { bytes: [0; 4] }.m_const_len(), 8);
    });
    c.sync("m_view_new", calls().ok(1), || {
        assert_eq!(View::m_view_new("v").text, "v")
    });
    c.sync("m_view_text", calls().ok(1), || {
        assert_eq!(View { text: "t" }.m_view_text(), "t")
    });
    c.sync("m_view_len", calls().ok(1), || {
        assert_eq!(View { text: "abc" }.m_view_len(), 3)
    });
    c.sync("m_where_show", calls().ok(1), || {
        assert_eq!(Labelled(1).m_where_show(), "[1]")
    });
    c.sync("m_dyn_inherent", calls().ok(1), || {
        let shape: &dyn Shape = &account(0);
        assert_eq!(shape.m_dyn_inherent(), 2);
    });
    c.sync("m_from_macro", calls().ok(1), || {
        assert_eq!(Unit.m_from_macro(), 9)
    });

    c.sync("fmt", calls().ok(1).error(1, "Error"), || {
        use std::fmt::Write;
        let mut text = String::new();
        assert!(write!(text, "{}", account(2)).is_ok());
        assert!(write!(text, "{}", account(-2)).is_err());
        assert_eq!(text, "acc: 2");
    });
    c.sync("next", calls().ok(4), || {
        assert_eq!(Countdown(3).collect::<Vec<_>>(), [2, 1, 0])
    });
    c.sync("from", calls().ok(1), || {
        assert_eq!(Account::from(3).balance, 3)
    });
    c.sync("from_str", calls().ok(1).error(1, "String"), || {
        assert!(matches!("on".parse::<Mode>(), Ok(Mode::On)));
        assert!("x".parse::<Mode>().is_err());
    });
    c.sync("drop", calls().ok(1), || drop(Tracker(1)));
    c.sync("m_visit", calls().ok(1), || {
        assert_eq!(Collector::default().m_visit(1), 1)
    });
    let delta = c.sync("m_visit_default", calls().ok(1), || {
        assert_eq!(Collector::default().m_visit_default(), 1)
    });
    c.counts(&delta, "m_visit", &calls().ok(1));
    c.sync("m_describe", calls().ok(1), || {
        let a = account(0);
        assert_eq!((&a).m_describe(), "acc");
    });

    c.finish();
}

// -------------------------------------------------------------------------------------------------
// Trait methods: native `async fn` in traits and `#[async_trait]`
// -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn native_async_trait_methods() {
    use tr::*;
    let mut c = Check::new();

    c.run("t_native_new", calls().ok(1), async {
        assert_eq!(Memory::t_native_new().await.total, 0)
    })
    .await;
    c.run("t_native_ref", calls().ok(2), async {
        let memory = Memory::default();
        assert_eq!(memory.t_native_ref("a").await, Some("A".into()));
        assert_eq!(memory.t_native_ref("").await, None);
    })
    .await;
    c.run("t_native_mut", calls().ok(1), async {
        assert_eq!(Memory::default().t_native_mut(2).await, 2)
    })
    .await;
    c.run("t_native_value", calls().ok(1), async {
        assert_eq!(Memory { total: 3 }.t_native_value().await, 3)
    })
    .await;
    c.run("t_native_generic", calls().ok(1), async {
        assert_eq!(Memory { total: 2 }.t_native_generic(1).await, "12")
    })
    .await;
    c.run(
        "t_native_result",
        calls().ok(1).error(1, "missing").error(1, "parse"),
        async {
            let memory = Memory { total: 1 };
            assert_eq!(memory.t_native_result("2").await.unwrap(), 3);
            assert!(memory.t_native_result("").await.is_err());
            assert!(memory.t_native_result("x").await.is_err());
        },
    )
    .await;
    c.run(
        "t_native_unimplemented",
        calls().panic(1),
        panics_async(Memory::default().t_native_unimplemented()),
    )
    .await;
    c.run("t_native_default", calls().ok(1), async {
        assert_eq!(Memory::default().t_native_default().await, 2)
    })
    .await;
    c.run("t_native_default_instrumented", calls().ok(1), async {
        assert_eq!(Memory::default().t_native_default_instrumented(1).await, 2)
    })
    .await;
    c.run(
        "t_native_rpitit",
        calls().ok(1).error(1, "missing"),
        async {
            let memory = Memory { total: 2 };
            assert_eq!(memory.t_native_rpitit(1).await.unwrap(), 3);
            assert!(memory.t_native_rpitit(0).await.is_err());
        },
    )
    .await;
    c.run("t_native_convert", calls().ok(2), async {
        assert_eq!(Memory::default().t_native_convert(5u8).await, 5);
        assert_eq!(
            Memory::default().t_native_convert(String::from("s")).await,
            "s"
        );
    })
    .await;

    c.finish();
}

#[tokio::test]
async fn async_trait_methods() {
    use tr::*;
    let mut c = Check::new();

    c.run(
        "t_at_selfvalue",
        calls().ok(1),
        Remote::default().t_at_selfvalue(),
    )
    .await;
    c.run("t_at_selfref", calls().ok(1), async {
        assert_eq!(Remote { calls: 2 }.t_at_selfref().await, 2)
    })
    .await;
    c.run("t_at_selfmut", calls().ok(1), async {
        assert_eq!(Remote::default().t_at_selfmut().await, 1)
    })
    .await;
    c.run("t_at_required", calls().ok(1), async {
        assert_eq!(Remote::t_at_required().await, 7)
    })
    .await;
    c.run("t_at_explicit", calls().ok(1), async {
        assert_eq!(Remote::t_at_explicit("e").await, "e")
    })
    .await;
    c.run("t_at_generic", calls().ok(1), async {
        assert_eq!(Remote::t_at_generic(Box::new(3)).await, 3)
    })
    .await;
    let delta = c
        .run("t_at_calls", calls().ok(1), async {
            assert_eq!(Remote { calls: 1 }.t_at_calls().await, 4)
        })
        .await;
    c.counts(&delta, "t_at_selfref", &calls().ok(1));
    c.counts(&delta, "t_at_elided", &calls().ok(2));
    c.run("t_at_boxed", calls().ok(1), async {
        assert_eq!(Box::new(Remote { calls: 4 }).t_at_boxed().await, 4)
    })
    .await;
    c.run("t_at_arc", calls().ok(1), async {
        assert_eq!(Arc::new(Remote::default()).t_at_arc().await, 1)
    })
    .await;

    c.run("t_at_default", calls().ok(1), async {
        let object: &dyn WithDefaults = &Remote::default();
        assert_eq!(object.t_at_default().await, 1);
    })
    .await;
    c.run("t_at_default_mut_self", calls().ok(1), async {
        assert_eq!(Remote::default().t_at_default_mut_self().await, 2)
    })
    .await;
    c.run(
        "t_at_required_in_dyn",
        calls().ok(1).error(1, "missing"),
        async {
            let empty: &dyn WithDefaults = &Remote::default();
            assert!(empty.t_at_required_in_dyn().await.is_err());
            let called: &dyn WithDefaults = &Remote { calls: 1 };
            assert_eq!(called.t_at_required_in_dyn().await.unwrap(), 1);
        },
    )
    .await;
    c.run("t_at_not_send", calls().ok(1), async {
        let counter = std::cell::Cell::new(0);
        let remote = Remote::default();
        assert_eq!(
            remote
                .t_at_not_send(&counter, IncrementOnDrop(&counter))
                .await,
            0,
            "the argument was dropped before the body ran"
        );
        assert_eq!(counter.get(), 1);
    })
    .await;
    c.run("t_at_not_send_default", calls().ok(1), async {
        assert_eq!(Remote::default().t_at_not_send_default().await, 3)
    })
    .await;
    c.run("t_at_take_ref", calls().ok(2), async {
        assert_eq!(One.t_at_take_ref(&"x").await, 1);
        assert_eq!(Two.t_at_take_ref(&(1, 2)).await, 2);
    })
    .await;
    c.run("t_at_lifetime_param", calls().ok(1), async {
        assert_eq!(Remote::t_at_lifetime_param(Holder("h")).await, "h")
    })
    .await;

    let remote = Remote { calls: 1 };
    c.run("t_at_const_generic", calls().ok(1), async {
        assert_eq!(Remote::t_at_const_generic([1, 2]).await, 2)
    })
    .await;
    c.run("t_at_impl_arg", calls().ok(1), async {
        let mut seen = 0;
        assert_eq!(remote.t_at_impl_arg(|_| seen += 1).await, 1);
        assert_eq!(seen, 1);
    })
    .await;
    c.run(
        "t_at_impl_result",
        calls().ok(1).error(1, "missing"),
        async {
            assert_eq!(
                remote.t_at_impl_result(false).await.unwrap().as_ref(),
                "Hello World"
            );
            assert!(remote.t_at_impl_result(true).await.is_err());
        },
    )
    .await;
    c.run("t_at_coerce_dyn", calls().ok(1), async {
        assert_eq!(Remote::t_at_coerce_dyn().await.value(), 1)
    })
    .await;
    c.run("t_at_coerce_box", calls().ok(1), async {
        assert_eq!(Remote::t_at_coerce_box().await.count(), 0)
    })
    .await;
    c.run("t_at_self_in_macro", calls().ok(1), async {
        assert_eq!(remote.t_at_self_in_macro().await, 1)
    })
    .await;
    c.run("t_at_destructure", calls().ok(1), async {
        assert_eq!(remote.t_at_destructure((1, 2, 3, 4)).await, 11)
    })
    .await;
    c.run("t_at_cfg_param", calls().ok(1), async {
        assert_eq!(remote.t_at_cfg_param(6).await, 6)
    })
    .await;
    c.run("t_at_unit_mut", calls().ok(1), async {
        Remote::default().t_at_unit_mut().await
    })
    .await;
    c.run("t_at_spawn", calls().ok(1), async {
        assert_eq!(remote.t_at_spawn(|n| std::future::ready(*n)).await, 1)
    })
    .await;
    c.run("t_at_dyn_future", calls().ok(1), async {
        assert!(Remote::t_at_dyn_future().await.unwrap().await.is_err())
    })
    .await;
    c.run("t_at_bool", calls().ok(1), async {
        assert!(Remote::t_at_bool().await)
    })
    .await;
    c.run("t_at_enum_self", calls().ok(3), async {
        assert_eq!(Signal::Go.t_at_enum_self().await, 1);
        assert_eq!(Signal::Stop().t_at_enum_self().await, 2);
        assert_eq!(Signal::Wait {}.t_at_enum_self().await, 3);
    })
    .await;
    c.run("t_at_for_dyn", calls().ok(1), async {
        let double: &(dyn Fn(u8) -> u8 + Send + Sync) = &|x| x * 2;
        assert_eq!(double.t_at_for_dyn().await, 2);
    })
    .await;
    c.run("t_at_blanket", calls().ok(1), async {
        assert_eq!(Thing::t_at_blanket().await, 5)
    })
    .await;
    c.run("t_at_load", calls().ok(1), async {
        let loader = MetadataLoader {
            marker: std::marker::PhantomData,
        };
        assert_eq!(loader.t_at_load("key").await, 3);
    })
    .await;
    c.run(
        "t_at_panics",
        calls().panic(1),
        panics_async(remote.t_at_panics()),
    )
    .await;
    c.run(
        "t_at_pending",
        calls().cancelled(1),
        times_out(remote.t_at_pending()),
    )
    .await;

    c.finish();
}

// -------------------------------------------------------------------------------------------------
// Shapes under strict lints
// -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn shapes_under_strict_lints() {
    use lint::*;
    let mut c = Check::new();

    c.sync("lint_private_used", calls().ok(1), || {
        assert_eq!(lint_private_used(), 1)
    });
    c.sync("lint_inner_allow", calls().ok(1), lint_inner_allow);
    c.run(
        "lint_inner_allow_async",
        calls().ok(1),
        lint_inner_allow_async(),
    )
    .await;
    c.run("lint_suspicious_else", calls().ok(1), async {
        assert_eq!(lint_suspicious_else(true).await, "true")
    })
    .await;
    c.run(
        "lint_comment_only_body",
        calls().ok(1),
        lint_comment_only_body(),
    )
    .await;
    c.sync("lint_always_panics", calls().panic(1), || {
        panics(lint_always_panics)
    });
    c.run(
        "lint_always_panics_async",
        calls().panic(1),
        panics_async(lint_always_panics_async()),
    )
    .await;
    c.sync("lint_unit_call", calls().ok(1), || {
        let mut values = vec![1];
        lint_unit_call(&mut values);
        assert!(values.is_empty());
    });
    c.run("lint_unit_call_async", calls().ok(1), async {
        let mut values = vec![1];
        lint_unit_call_async(&mut values).await;
        assert!(values.is_empty());
    })
    .await;
    c.sync("lint_mut_arg", calls().ok(1), || {
        assert_eq!(lint_mut_arg(1), 2)
    });
    c.sync("lint_underscore_arg", calls().ok(1), || {
        assert_eq!(lint_underscore_arg(1), 0)
    });
    c.sync("lintCamelCase", calls().ok(1), || {
        assert_eq!(lintCamelCase(), 1)
    });
    c.sync("lint_unsafe_block", calls().ok(1), || {
        assert_eq!(unsafe { lint_unsafe_block(&5) }, 5)
    });
    c.sync("lint_elided_in_path", calls().ok(1), || {
        assert_eq!(Shown.to_string(), "x")
    });
    c.sync("lint_must_use", calls().ok(1), || {
        assert_eq!(lint_must_use(), 2)
    });
    c.run("lint_boxed_unit", calls().ok(1), lint_boxed_unit())
        .await;
    c.run("lint_impl_future", calls().ok(1), async {
        assert_eq!(lint_impl_future().await, Ok(()))
    })
    .await;
    c.run("lint_async_without_await", calls().ok(1), async {
        assert_eq!(lint_async_without_await(3).await, 3)
    })
    .await;
    c.sync("lint_for_ref", calls().ok(1), || {
        assert_eq!((&LintStruct).lint_for_ref(), 1)
    });
    c.run("lint_async_trait", calls().ok(1), async {
        assert_eq!((&LintStruct).lint_async_trait().await, 3)
    })
    .await;
    c.run(
        "lint_type_complexity",
        calls().ok(1).error(1, "Error"),
        async {
            assert_eq!(lint_type_complexity(false).await.unwrap().len(), 1);
            assert!(lint_type_complexity(true).await.is_err());
        },
    )
    .await;
    c.run("lint_let_unit_value", calls().ok(1), lint_let_unit_value())
        .await;
    c.run("lint_async_yields_async", calls().ok(1), async {
        lint_async_yields_async().await.await
    })
    .await;
    c.run("lint_no_shadowing", calls().ok(1), async {
        assert_eq!(lint_no_shadowing(1).await, 1)
    })
    .await;
    c.sync("lint_unit_receiver", calls().ok(1), || {
        assert_eq!(().lint_unit_receiver(), 4)
    });
    c.sync("lint_no_underscore_binding", calls().ok(1), || {
        assert_eq!(lint_no_underscore_binding(1), 1)
    });
    c.sync("lint_no_needless_return", calls().ok(1), || {
        assert_eq!(lint_no_needless_return(1), 1)
    });
    c.sync("lint_unit_body", calls().ok(1), || {
        let mut values = vec![];
        lint_unit_body(&mut values);
        assert_eq!(values, [1]);
    });

    c.finish();
}

// -------------------------------------------------------------------------------------------------
// `#[tool_call]`
// -------------------------------------------------------------------------------------------------

#[tokio::test]
async fn tool_call_shapes() {
    use rmcp::handler::server::wrapper::Parameters;
    use tool::*;
    let mut c = Check::new();
    let tools = Tools { prefix: ">".into() };

    c.run(
        "tc_divide",
        calls().tool().ok(1).error(1, "division_by_zero"),
        async {
            let divide = |a, b| tools.tc_divide(Parameters(DivideRequest { a, b }));
            assert_eq!(divide(6, 3).await.unwrap(), 2);
            assert!(divide(1, 0).await.is_err());
        },
    )
    .await;
    c.run(
        "tc_lookup",
        calls()
            .tool()
            .ok(1)
            .error(1, "invalid_params")
            .error(1, "tool_error"),
        async {
            assert!(tools.tc_lookup(Parameters("word".into())).await.is_ok());
            assert!(tools.tc_lookup(Parameters(String::new())).await.is_err());
            let result = tools.tc_lookup(Parameters("unknown".into())).await;
            assert_eq!(result.unwrap().is_error, Some(true));
        },
    )
    .await;
    c.run(
        "boxed-echo",
        calls().tool().ok(1).error(1, "parse"),
        async {
            assert_eq!(tools.tc_boxed(Parameters("5".into())).await.unwrap(), ">5");
            assert!(tools.tc_boxed(Parameters("x".into())).await.is_err());
        },
    )
    .await;
    c.sync("tc_sync", calls().tool().ok(1).error(1, "parse"), || {
        assert_eq!(tools.tc_sync("3").unwrap(), 3);
        assert!(tools.tc_sync("x").is_err());
    });
    c.run(
        "tc_panics",
        calls().tool().panic(1),
        panics_async(tools.tc_panics()),
    )
    .await;
    c.run(
        "tc_pending",
        calls().tool().cancelled(1),
        times_out(tools.tc_pending()),
    )
    .await;
    c.run(
        "handle",
        calls().tool().ok(1).error(1, "division_by_zero"),
        async {
            let handle = |a, b| tools.tc_handle(Parameters(DivideRequest { a, b }));
            assert_eq!(handle(2, 3).await.unwrap(), 6);
            assert!(handle(1, 0).await.is_err());
        },
    )
    .await;
    c.run(
        "tc_free",
        calls().tool().ok(1).error(1, "not_found"),
        async {
            assert!(tc_free(EXISTING_FILE).await.is_ok());
            assert!(tc_free(MISSING_FILE).await.is_err());
        },
    )
    .await;

    c.finish();
}

// -------------------------------------------------------------------------------------------------
// The run-time cases of the issue
// -------------------------------------------------------------------------------------------------

/// (a) In `join!(a(), b())`, `b` panics on its first poll while `a` is pending: the panic
/// unwinds through `join!`'s poll and drops `a`, which never panicked: `a` is `cancelled`,
/// `b` is `panic`. Caught once with `std::panic::catch_unwind` around a blocking executor and
/// once with `FutureExt::catch_unwind` inside a runtime.
#[test]
fn issue_join_a_sibling_panic_cancels_the_pending_branch() {
    use asy::{af_join_explodes, af_join_waits};
    let mut c = Check::new();
    let waits = calls().cancelled(1);
    let explodes = calls().panic(1);

    let delta = c.sync("af_join_waits", waits.clone(), || {
        let caught = catch_unwind(|| {
            futures::executor::block_on(async {
                futures::join!(af_join_waits(), af_join_explodes());
            })
        });
        assert!(caught.is_err(), "join! should have panicked");
    });
    c.counts(&delta, "af_join_explodes", &explodes);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let delta = c.sync("af_join_waits", waits, || {
        runtime.block_on(async {
            let caught = AssertUnwindSafe(async {
                futures::join!(af_join_waits(), af_join_explodes());
            })
            .catch_unwind()
            .await;
            assert!(caught.is_err(), "join! should have panicked");
        })
    });
    c.counts(&delta, "af_join_explodes", &explodes);
    c.finish();
}

/// (b) A function returning `impl Future` or a boxed future (with statements before the
/// `Box::pin`) is counted with its future's outcome (an `Err` from the future is `error`) and
/// duration: every call sleeps 50 ms inside the future, so the histogram's sum is at least
/// 50 ms per call.
#[tokio::test]
async fn issue_returned_futures_count_their_outcome_and_duration() {
    use fut::*;
    let mut c = Check::new();
    let expected = || {
        calls()
            .ok(1)
            .error(1, "refused")
            .at_least_seconds(2.0 * 0.05)
    };

    c.run("fut_impl_future_result", expected(), async {
        assert_eq!(fut_impl_future_result(50, false).await.unwrap(), 1);
        assert!(fut_impl_future_result(50, true).await.is_err());
    })
    .await;
    c.run("fut_box_pin_statements", expected(), async {
        assert_eq!(fut_box_pin_statements(50, false).await.unwrap(), 2);
        assert!(fut_box_pin_statements(50, true).await.is_err());
    })
    .await;
    c.run("fut_box_pin_statements_spelled", expected(), async {
        assert_eq!(fut_box_pin_statements_spelled(50, false).await.unwrap(), 3);
        assert!(fut_box_pin_statements_spelled(50, true).await.is_err());
    })
    .await;
    let tools = tool::Tools::default();
    c.run(
        "tc_impl_future",
        calls()
            .tool()
            .ok(1)
            .error(1, "division_by_zero")
            .at_least_seconds(2.0 * 0.05),
        async {
            assert_eq!(tools.tc_impl_future(50, false).await.unwrap(), 1);
            assert!(tools.tc_impl_future(50, true).await.is_err());
        },
    )
    .await;
    c.finish();
}

/// (c) `#[track_caller]` next to the attribute: `Location::caller()` in the body is the
/// caller's location, for a free function (above and below the attribute, generic) and a method.
#[test]
fn issue_track_caller_sees_the_caller() {
    let mut c = Check::new();

    let mut seen = None;
    c.sync("sync_track_caller", calls().ok(1), || {
        let (location, line) = (sy::sync_track_caller(), line!());
        seen = Some((location.file(), location.line(), file!(), line));
    });
    if let Some((file, line, expected_file, expected_line)) = seen {
        if (file, line) != (expected_file, expected_line) {
            c.fail(format!(
                "sync_track_caller: Location::caller() is {file}:{line}, expected the caller at {expected_file}:{expected_line}"
            ));
        }
    }

    let mut seen = None;
    c.sync("sync_track_caller_generic", calls().ok(1), || {
        let (((), line), expected) = (sy::sync_track_caller_generic::<()>(), line!());
        seen = Some((line, expected));
    });
    if let Some((line, expected)) = seen {
        if line != expected {
            c.fail(format!(
                "sync_track_caller_generic: Location::caller() is on line {line}, expected the caller's line {expected}"
            ));
        }
    }

    let mut seen = None;
    c.sync("m_track_caller", calls().ok(1), || {
        let (line, expected) = (account(0).m_track_caller(), line!());
        seen = Some((line, expected));
    });
    if let Some((line, expected)) = seen {
        if line != expected {
            c.fail(format!(
                "m_track_caller: Location::caller() is on line {line}, expected the caller's line {expected}"
            ));
        }
    }
    c.finish();
}

/// (d) A `-> !` function that panics is counted `panic`, sync and async.
#[tokio::test]
async fn issue_never_returning_functions_that_panic_count_panic() {
    let mut c = Check::new();
    c.sync("sync_never", calls().panic(2), || {
        panics(|| sy::sync_never("first"));
        panics(|| sy::sync_never("second"));
    });
    c.sync("sync_never_loop", calls().panic(1), || {
        panics(|| sy::sync_never_loop(3))
    });
    c.sync("lint_never", calls().panic(1), || {
        panics(|| lint::lint_never("x"))
    });
    c.run(
        "af_never",
        calls().panic(1),
        panics_async(asy::af_never("x")),
    )
    .await;
    c.finish();
}
