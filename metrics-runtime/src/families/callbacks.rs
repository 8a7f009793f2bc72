//! Gauges computed at scrape time: each callback runs on a thread of its own, so a slow or
//! panicking one costs its own series, never the scrape.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{Family, TypedKind};

/// How long a scrape waits for all callbacks together.
pub(crate) const TIME_LIMIT: Duration = Duration::from_millis(250);

pub(crate) type CallbackFn = dyn Fn() -> f64 + Send + Sync;

/// Why a callback gave no value, in the order of [`Callback::failures`].
const REASONS: [&str; 3] = ["timeout", "panic", "not_finite"];

/// A callback and the state of its last run.
pub(crate) struct Callback {
    function: Arc<CallbackFn>,
    state: Mutex<State>,
    done: Condvar,
    failures: [AtomicU64; 3],
}

#[derive(Default)]
struct State {
    running: bool,
    /// The value of the run that finished last, taken by the scrape that waits for it.
    result: Option<Result<f64, usize>>,
}

impl Callback {
    pub(crate) fn new(function: Arc<CallbackFn>) -> Self {
        Self {
            function,
            state: Mutex::new(State::default()),
            done: Condvar::new(),
            failures: Default::default(),
        }
    }

    /// Starts a run unless one is still going; returns whether it started.
    fn start(self: &Arc<Self>) -> bool {
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if state.running {
                return false;
            }
            state.running = true;
            state.result = None;
        }
        let callback = self.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-callback".into())
            .spawn(move || {
                let result =
                    match std::panic::catch_unwind(AssertUnwindSafe(|| (callback.function)())) {
                        Ok(value) if value.is_finite() => Ok(value),
                        Ok(_) => Err(2),
                        Err(_) => Err(1),
                    };
                let mut state = callback
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                state.running = false;
                state.result = Some(result);
                callback.done.notify_all();
            });
        if spawned.is_err() {
            // No thread to run it on: counted as a timeout, tried again next scrape.
            self.state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .running = false;
            return false;
        }
        true
    }

    /// Waits for the run until `deadline`; its value, or `None` with the failure counted.
    fn wait(&self, deadline: Instant) -> Option<f64> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.running {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .done
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        let reason = match state.result.take() {
            Some(Ok(value)) => return Some(value),
            Some(Err(reason)) => reason,
            None => 0,
        };
        self.failures[reason].fetch_add(1, Ordering::Relaxed);
        None
    }
}

/// The values of one scrape's callbacks.
#[derive(Default)]
pub(crate) struct Computed {
    values: HashMap<(usize, usize), f64>,
}

impl Computed {
    pub(crate) fn value(&self, family: &'static Family, index: usize) -> Option<f64> {
        self.values
            .get(&(family as *const Family as usize, index))
            .copied()
    }

    /// Failures of the family's callbacks so far, by reason, every reason listed.
    pub(crate) fn failures(&self, family: &'static Family) -> Vec<(&'static str, u64)> {
        let mut counts = [0u64; 3];
        if let Some(block) = family.block() {
            for callback in block
                .callbacks
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .flatten()
            {
                for (count, failures) in counts.iter_mut().zip(&callback.failures) {
                    *count += failures.load(Ordering::Relaxed);
                }
            }
        }
        REASONS.into_iter().zip(counts).collect()
    }
}

/// Runs every callback of `families` at once and waits for them, [`TIME_LIMIT`] at most.
pub(crate) fn evaluate(families: &[&'static Family]) -> Computed {
    let mut started = Vec::new();
    for family in families
        .iter()
        .filter(|family| family.info.kind == TypedKind::CallbackGauge)
    {
        let Some(block) = family.block() else {
            continue;
        };
        let callbacks = block
            .callbacks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for (index, callback) in callbacks.into_iter().enumerate() {
            let Some(callback) = callback else { continue };
            if callback.start() {
                started.push((*family, index, callback));
            } else {
                // Still running since an earlier scrape.
                callback.failures[0].fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    let deadline = Instant::now() + TIME_LIMIT;
    let mut computed = Computed::default();
    for (family, index, callback) in started {
        if let Some(value) = callback.wait(deadline) {
            computed
                .values
                .insert((family as *const Family as usize, index), value);
        }
    }
    computed
}
