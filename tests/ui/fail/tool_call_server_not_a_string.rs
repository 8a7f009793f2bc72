use metrics_runtime::tool_call;

#[tool_call(server = files)]
async fn search() {}

fn main() {}
