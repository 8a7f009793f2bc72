use metrics_runtime::tool_call;

#[tool_call(tool = "")]
async fn search() {}

fn main() {}
