use metrics_runtime::tool_call;

#[tool_call(labels(server = "other"))]
async fn search() {}

fn main() {}
