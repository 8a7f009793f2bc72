use metrics_runtime::LabelValue;

#[derive(LabelValue)]
enum Plan {
    Free,
    Custom(String),
}

fn main() {}
