use metrics_runtime::monitored;

#[monitored(labels(user = user))]
fn work(user: &str) -> usize {
    user.len()
}

fn main() {}
