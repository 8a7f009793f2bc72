use metrics_runtime::monitored;

struct Worker;

#[monitored]
impl Worker {
    fn work(&self) {}
}

fn main() {}
