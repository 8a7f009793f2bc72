use metrics_runtime::monitored;

pub struct Request {
    pub retries: u32,
}

#[monitored(labels(retries = request.retries))]
fn work(request: &Request) -> u32 {
    request.retries
}

fn main() {}
