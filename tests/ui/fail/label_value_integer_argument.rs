use metrics_runtime::monitored;

#[monitored(labels(user = user_id))]
fn work(user_id: u64) -> u64 {
    user_id
}

fn main() {}
