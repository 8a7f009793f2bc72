use metrics_runtime::monitored;

// Both errors of one attribute are reported together.
#[monitored(buckets = [0.1, 1.0], histogram = native, labels(le = "x"))]
fn native_with_buckets() {}

fn main() {}
