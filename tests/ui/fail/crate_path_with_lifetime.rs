use metrics_runtime::monitored;

#[monitored(crate = "metrics_runtime<'static>")]
fn work() {}

fn main() {
    work();
}
