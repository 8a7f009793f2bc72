use metrics_runtime::LabelValue;

#[derive(LabelValue)]
struct Plan {
    name: String,
}

fn main() {}
