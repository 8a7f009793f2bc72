use metrics_runtime::{monitored, tool_call};

// 0.3 s is between the default bounds 0.25 and 0.5.
#[monitored(objective(name = "api", success = 99.9, latency = 0.3, latency_target = 99))]
fn threshold_not_a_default_bound() {}

#[monitored(buckets = [0.1, 1.0], objective(name = "api", latency = 0.5, latency_target = 99))]
fn threshold_not_in_buckets() {}

#[monitored(objective(name = "api", success = 100))]
fn target_of_100_percent() {}

#[monitored(objective(success = 99.9))]
fn without_name() {}

#[monitored(objective(name = "api", latency = 0.25))]
fn latency_without_target() {}

#[tool_call(tool = "search", objective(name = "api", sucess = 99.9))]
fn misspelt_option() {}

#[monitored(histogram = native, objective(name = "api", latency = 0.25, latency_target = 99))]
fn native_only_with_latency() {}

#[monitored(objective(name = "api"))]
fn without_target() {}

#[monitored(objective = "api")]
fn a_string() {}

fn main() {}
