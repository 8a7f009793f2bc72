use metrics_runtime::monitored;

#[monitored(labels(tenant = tenant))]
fn work(tenant: String) -> usize {
    tenant.len()
}

fn main() {}
