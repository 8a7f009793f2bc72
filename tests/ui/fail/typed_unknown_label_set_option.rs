// On the struct, `#[label(..)]` only takes `crate`: `crat` is a typo of it.
use metrics_runtime::{LabelSet, LabelValue};

#[derive(Clone, Copy, LabelValue)]
enum Tier {
    Free,
    Pro,
}

#[derive(Clone, Copy, LabelSet)]
#[label(crat = "metrics_runtime")]
struct Labels {
    tier: Tier,
}

fn main() {}
