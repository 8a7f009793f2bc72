use metrics_runtime::{monitored, tool_call};

#[monitored(histogram = nativ)]
fn misspelt() {}

#[tool_call(tool = "search", histogram = [native])]
fn not_a_word() {}

#[monitored(histogram)]
fn without_value() {}

fn main() {}
