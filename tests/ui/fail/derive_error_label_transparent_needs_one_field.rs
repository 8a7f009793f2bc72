use metrics_runtime::ErrorLabel;

#[derive(Debug, ErrorLabel)]
enum FetchError {
    #[error_label(transparent)]
    Both(std::io::Error, u16),
}

fn main() {}
