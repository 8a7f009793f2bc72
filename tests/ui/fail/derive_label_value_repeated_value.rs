use metrics_runtime::LabelValue;

#[derive(LabelValue)]
enum Plan {
    Free,
    #[label(rename = "free")]
    Trial,
}

fn main() {}
