use metrics_runtime::monitored;

trait Worker {
    #[monitored]
    fn work(&self);
}

fn main() {}
