use metrics_runtime::LabelValue;

#[derive(LabelValue)]
enum Plan {
    #[label(name = "free")]
    Free,
}

fn main() {}
