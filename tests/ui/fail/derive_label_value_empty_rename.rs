use metrics_runtime::LabelValue;

#[derive(LabelValue)]
enum Plan {
    #[label(rename = "")]
    Free,
}

fn main() {}
