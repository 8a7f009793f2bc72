use metrics_runtime::ErrorLabel;

#[derive(Debug, ErrorLabel)]
#[error_label(crate = "metrics_runtime<'static>")]
enum StoreError {
    Busy,
}

fn main() {}
