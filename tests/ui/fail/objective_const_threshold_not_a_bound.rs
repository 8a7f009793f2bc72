use metrics_runtime::{monitored, Objective};

const API: Objective = Objective::new("api").latency(0.3, 99.0);

#[monitored(objective = API)]
fn threshold_not_a_default_bound() {}

fn main() {}
