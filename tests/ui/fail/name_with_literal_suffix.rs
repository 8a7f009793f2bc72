use metrics_runtime::monitored;

#[monitored(name = "jobs"suffix)]
fn work() {}

fn main() {
    work();
}
