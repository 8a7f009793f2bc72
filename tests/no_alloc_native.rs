//! Native histograms allocate nothing per observation: once every key range a series' values
//! fall into has its slab page (made on the first write there, as for any word), recording is
//! one add. Values are fixed here, so the warm-up touches every key the loop will.

use metrics_runtime::{Histogram, LabelSet, LabelValue, Metrics};
use metrics_toolkit::{allocations_during, CountingAllocator};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[derive(Clone, Copy, LabelValue)]
enum Model {
    Small,
    Large,
}

#[derive(Clone, Copy, LabelSet)]
struct Call {
    model: Model,
}

#[derive(Metrics)]
#[metrics(prefix = "no_alloc_native")]
struct Llm {
    /// Call latency, in seconds.
    call_seconds: Histogram<Call>,
    /// Prompt sizes.
    #[metric(buckets = [100.0, 1000.0, 10000.0])]
    prompt_tokens: Histogram,
}

static LLM: Llm = Llm::new();

/// Values across many octaves, zero, a negative, NaN and infinity included.
const VALUES: [f64; 12] = [
    0.0,
    1e-6,
    3.5e-5,
    0.002,
    0.04,
    0.7,
    3.0,
    95.0,
    4200.0,
    -1.5,
    f64::NAN,
    f64::INFINITY,
];

fn observe_all(i: usize) {
    let model = if i.is_multiple_of(2) {
        Model::Small
    } else {
        Model::Large
    };
    for value in VALUES {
        LLM.call_seconds.with(Call { model }).observe(value);
        LLM.prompt_tokens.observe(value * 1000.0);
    }
}

#[test]
fn native_histograms_allocate_nothing_once_their_keys_are_warm() {
    metrics_toolkit::exporter();
    for i in 0..2 {
        observe_all(i);
    }
    let allocations = allocations_during(|| {
        for i in 0..10_000 {
            observe_all(i);
        }
    });
    assert_eq!(
        allocations, 0,
        "allocations in 10 000 rounds of observations"
    );
    let text = metrics_toolkit::scrape();
    assert_eq!(
        metrics_toolkit::expect_value(&text, "no_alloc_native_prompt_tokens_count", &[]),
        10_002.0 * VALUES.len() as f64
    );
}
