use metrics_runtime::monitored;

#[monitored(labels(kind = kind))]
fn work<T: std::fmt::Debug>(kind: T) -> String {
    format!("{kind:?}")
}

fn main() {}
