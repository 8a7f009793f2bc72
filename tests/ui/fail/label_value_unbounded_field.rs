use metrics_runtime::monitored;

pub struct Request {
    pub user_name: String,
}

#[monitored(labels(user = request.user_name))]
fn work(request: &Request) -> usize {
    request.user_name.len()
}

fn main() {}
