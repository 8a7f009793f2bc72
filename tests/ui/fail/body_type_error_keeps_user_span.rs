use metrics_runtime::monitored;

#[monitored]
fn work() -> u32 {
    let count: u32 = "three";
    count
}

fn main() {}
