use metrics_runtime::LabelValue;

#[derive(Clone, Copy, LabelValue)]
#[label(crate = "metrics_runtime::<u8>")]
enum Region {
    EuWest,
}

fn main() {}
