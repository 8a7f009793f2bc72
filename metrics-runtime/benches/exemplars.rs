//! What exemplars cost a call of a `#[monitored]` function, every case in one run: the
//! feature compiled in without a source (`off`), the OpenTelemetry source outside any span and
//! inside a sampled span, each with the default interval (a bucket tries once per second) and
//! with a try on every call (the raw cost of a capture).
//!
//!   cargo bench -p metrics-runtime --features opentelemetry --bench exemplars

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use metrics_runtime::__private::set_exemplar_source;
use metrics_runtime::{monitored, ExemplarLabels, Exporter};
use opentelemetry::trace::TracerProvider as _;
use tracing_subscriber::layer::SubscriberExt as _;

#[inline(never)]
fn work(x: u64) -> u64 {
    x.wrapping_mul(31).rotate_left(7)
}

#[monitored]
#[inline(never)]
fn monitored_sync(x: u64) -> u64 {
    work(x)
}

fn calls(c: &mut Criterion, name: &str, in_span: bool) {
    let span = tracing::info_span!("request");
    let _entered = in_span.then(|| span.enter());
    c.bench_function(name, |b| {
        let mut x = 0u64;
        b.iter(|| {
            x = x.wrapping_add(1);
            black_box(monitored_sync(black_box(x)))
        })
    });
}

fn all(c: &mut Criterion) {
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
    tracing::subscriber::set_global_default(subscriber).expect("the first subscriber");
    let _exporter = Exporter::builder()
        .process_metrics(false)
        .host_metrics(false)
        .build()
        .expect("the recorder installs");
    let second = Duration::from_secs(1);
    let source = Some(ExemplarLabels::from_current_span as metrics_runtime::ExemplarSource);
    set_exemplar_source(None, second);
    calls(c, "exemplars/off", false);
    set_exemplar_source(source, second);
    calls(c, "exemplars/outside_span", false);
    calls(c, "exemplars/in_span", true);
    set_exemplar_source(source, Duration::ZERO);
    calls(c, "exemplars/outside_span_every_call", false);
    calls(c, "exemplars/in_span_every_call", true);
}

criterion_group!(benches, all);
criterion_main!(benches);
