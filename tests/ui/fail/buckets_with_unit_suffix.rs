use metrics_runtime::monitored;

#[monitored(buckets = [0.5ms, 1.0])]
fn work() {}

fn main() {
    work();
}
