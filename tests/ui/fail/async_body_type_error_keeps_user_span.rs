use metrics_runtime::monitored;

#[monitored]
async fn work() -> Result<u32, std::io::Error> {
    let parsed: u32 = "7".parse()?;
    Ok(parsed)
}

fn main() {}
