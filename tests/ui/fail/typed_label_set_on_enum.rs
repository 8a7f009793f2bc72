// `#[derive(LabelSet)]` takes a struct of labels; a fieldless enum is a `LabelValue`.
use metrics_runtime::LabelSet;

#[derive(Clone, Copy, LabelSet)]
enum Tier {
    Free,
    Pro,
}

fn main() {}
