use metrics_runtime::monitored;

#[derive(Debug)]
pub struct StoreError;

#[monitored]
async fn work() -> Result<u32, StoreError> {
    let parsed: u32 = "7".parse()?;
    Ok(parsed)
}

fn main() {}
