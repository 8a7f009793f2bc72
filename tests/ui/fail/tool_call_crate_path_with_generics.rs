use metrics_runtime::tool_call;

#[tool_call(crate = "metrics_runtime::<u8>", tool = "x"suffix)]
async fn tool() {}

fn main() {
    let _ = tool();
}
