use metrics_runtime::tool_call;

#[tool_call(labels(tool = "other"))]
async fn search() {}

fn main() {}
