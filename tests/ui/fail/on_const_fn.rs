use metrics_runtime::monitored;

#[monitored]
const fn work() -> u8 {
    1
}

fn main() {}
