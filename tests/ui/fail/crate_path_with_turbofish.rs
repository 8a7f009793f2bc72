use metrics_runtime::monitored;

#[monitored(crate = "metrics_runtime::<u8>")]
fn work() {}

fn main() {
    work();
}
