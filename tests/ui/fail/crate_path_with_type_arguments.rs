use metrics_runtime::monitored;

#[monitored(crate = "Vec<u8>")]
fn work() {}

fn main() {
    work();
}
