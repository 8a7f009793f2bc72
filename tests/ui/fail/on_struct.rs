use metrics_runtime::monitored;

#[monitored]
struct Work;

fn main() {}
