// A label set's values are listed once, for the whole program: it cannot be generic.
use metrics_runtime::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelSet)]
struct Labels<T: LabelValue> {
    tier: T,
}

fn main() {}
