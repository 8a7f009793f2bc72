//! Per-call cost of instrumentation, every case wrapping the same small function, all in one
//! run so that ratios are meaningful on a noisy machine.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use metrics::{counter, gauge, histogram};
use metrics_runtime::{monitored, Exporter};

#[inline(never)]
fn work(x: u64) -> u64 {
    x.wrapping_mul(31).rotate_left(7)
}

#[monitored]
#[inline(never)]
fn monitored_sync(x: u64) -> u64 {
    work(x)
}

#[derive(Clone, Copy, metrics_runtime::LabelValue)]
enum Region {
    EuWest,
    UsEast,
    AsiaPacific,
}

#[monitored(labels(region = region))]
#[inline(never)]
fn monitored_dynamic_labels(region: Region, x: u64) -> u64 {
    work(x)
}

#[monitored]
async fn monitored_async(x: u64) -> u64 {
    work(x)
}

fn cases(c: &mut Criterion) {
    let _exporter = Exporter::builder().build().expect("the recorder installs");
    let mut group = c.benchmark_group("per_call");

    group.bench_function("bare", |b| b.iter(|| work(black_box(7))));

    static FLOOR: AtomicU64 = AtomicU64::new(0);
    group.bench_function("floor", |b| {
        b.iter(|| {
            let start = Instant::now();
            let out = work(black_box(7));
            FLOOR.fetch_add(1, Ordering::Relaxed);
            black_box(start.elapsed());
            out
        })
    });

    group.bench_function("handwritten_facade", |b| {
        b.iter(|| {
            let labels = [("function", "work"), ("module", "bench")];
            gauge!("hand_calls_in_flight", &labels).increment(1.0);
            let start = Instant::now();
            let out = work(black_box(7));
            histogram!("hand_call_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
            counter!("hand_calls_total", "function" => "work", "module" => "bench", "status" => "ok").increment(1);
            gauge!("hand_calls_in_flight", &labels).decrement(1.0);
            out
        })
    });

    let in_flight = gauge!("cached_calls_in_flight", "function" => "work", "module" => "bench");
    let duration =
        histogram!("cached_call_duration_seconds", "function" => "work", "module" => "bench");
    let calls =
        counter!("cached_calls_total", "function" => "work", "module" => "bench", "status" => "ok");
    group.bench_function("cached_handles", |b| {
        b.iter(|| {
            in_flight.increment(1.0);
            let start = Instant::now();
            let out = work(black_box(7));
            duration.record(start.elapsed().as_secs_f64());
            calls.increment(1);
            in_flight.decrement(1.0);
            out
        })
    });

    group.bench_function("monitored_sync", |b| {
        b.iter(|| monitored_sync(black_box(7)))
    });

    let regions = [Region::EuWest, Region::UsEast, Region::AsiaPacific];
    let mut next = 0usize;
    group.bench_function("monitored_dynamic_labels", |b| {
        b.iter(|| {
            next = (next + 1) % regions.len();
            monitored_dynamic_labels(black_box(regions[next]), black_box(7))
        })
    });

    let waker = std::task::Waker::noop();
    group.bench_function("monitored_async", |b| {
        b.iter(|| {
            let mut future = std::pin::pin!(monitored_async(black_box(7)));
            match future
                .as_mut()
                .poll(&mut std::task::Context::from_waker(waker))
            {
                std::task::Poll::Ready(out) => out,
                std::task::Poll::Pending => unreachable!("the function does not await"),
            }
        })
    });
    group.finish();
}

use std::future::Future;

criterion_group!(benches, cases);
criterion_main!(benches);
