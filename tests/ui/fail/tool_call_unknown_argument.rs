use metrics_runtime::tool_call;

#[tool_call(name = "search")]
async fn search() {}

fn main() {}
