use metrics_runtime::monitored;

#[monitored(crate = "a::<>")]
fn work() {}

fn main() {
    work();
}
