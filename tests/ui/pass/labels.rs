//! Every accepted form of `labels(...)`, `name`, `buckets`, `crate` and the derives, with the
//! series they produce.

use metrics_runtime::{monitored, tool_call, ErrorLabel, Exporter, LabelValue};

const AGENT: &str = "crawler";

#[derive(Clone, Copy, LabelValue)]
enum Region {
    EuWest,
    #[label(rename = "us")]
    UsEast,
}

#[derive(Clone, Copy, LabelValue)]
enum Plan {
    Free,
    Pro,
}

struct User {
    plan: Plan,
}

#[derive(Debug, thiserror::Error, ErrorLabel)]
enum CheckoutError {
    #[error("card declined")]
    CardDeclined,
    #[error("io: {0}")]
    #[error_label(transparent)]
    Io(#[from] std::io::Error),
    #[error("upstream said {code}")]
    #[error_label(rename = "upstream")]
    Upstream { code: u16 },
}

#[derive(Debug, ErrorLabel)]
struct QuotaExceeded;

#[monitored(labels(agent = AGENT, task_type = "fetch", "quoted" = "a \"b\" \\ c\nd ü"))]
fn static_labels() {}

#[monitored(labels(region = region, plan = user.plan, cached = cached))]
fn dynamic_labels(region: Region, user: &User, cached: bool) {}

#[monitored(labels(region = region))]
fn by_reference(region: &Region) {}

#[monitored(labels(source = source))]
fn static_str(source: &'static str) {}

#[monitored(name = "checkout", buckets = [1, 2.5, 10])]
fn checkout(fail: u8) -> Result<(), CheckoutError> {
    match fail {
        1 => Err(CheckoutError::CardDeclined),
        2 => Err(std::io::Error::from(std::io::ErrorKind::TimedOut).into()),
        3 => Err(CheckoutError::Upstream { code: 502 }),
        _ => Ok(()),
    }
}

#[monitored(name = "checkout", buckets = [1, 2.5, 10])]
fn checkout_again() -> Result<(), QuotaExceeded> {
    Err(QuotaExceeded)
}

#[monitored(crate = "metrics_runtime", labels(r#type = "raw"))]
fn explicit_crate() {}

mod renamed {
    pub use metrics_runtime as my_metrics;
}

#[monitored(crate = "renamed::my_metrics")]
fn renamed_crate() {}

#[monitored(crate = renamed::my_metrics)]
fn renamed_crate_path() {}

#[tool_call(server = "files", tool = "read-file", labels(tier = "gold"))]
async fn read_file() -> Result<String, std::io::Error> {
    Ok(String::new())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let exporter = Exporter::builder().build().unwrap();
    static_labels();
    let user = User { plan: Plan::Pro };
    dynamic_labels(Region::UsEast, &user, true);
    dynamic_labels(Region::UsEast, &user, true);
    dynamic_labels(Region::EuWest, &User { plan: Plan::Free }, false);
    by_reference(&Region::EuWest);
    static_str("cli");
    static_str("cli");
    static_str("cron");
    for fail in 0..4 {
        let _ = checkout(fail);
    }
    let _ = checkout_again();
    explicit_crate();
    renamed_crate();
    renamed_crate_path();
    read_file().await.unwrap();

    let text = exporter.render().replace(&format!("module=\"{}\"", module_path!()), "module=\"m\"");
    for line in [
        "function_calls_total{function=\"static_labels\",module=\"m\",agent=\"crawler\",task_type=\"fetch\",quoted=\"a \\\"b\\\" \\\\ c\\nd ü\",status=\"ok\"} 1\n",
        "function_calls_total{function=\"dynamic_labels\",module=\"m\",region=\"us\",plan=\"pro\",cached=\"true\",status=\"ok\"} 2\n",
        "function_calls_total{function=\"dynamic_labels\",module=\"m\",region=\"eu_west\",plan=\"free\",cached=\"false\",status=\"ok\"} 1\n",
        // Every combination exists from the first call on, at zero.
        "function_calls_total{function=\"dynamic_labels\",module=\"m\",region=\"eu_west\",plan=\"pro\",cached=\"true\",status=\"ok\"} 0\n",
        "function_calls_total{function=\"by_reference\",module=\"m\",region=\"eu_west\",status=\"ok\"} 1\n",
        "function_calls_total{function=\"static_str\",module=\"m\",source=\"cli\",status=\"ok\"} 2\n",
        "function_calls_total{function=\"static_str\",module=\"m\",source=\"cron\",status=\"ok\"} 1\n",
        "checkout_calls_total{function=\"checkout\",module=\"m\",status=\"ok\"} 1\n",
        "checkout_calls_total{function=\"checkout\",module=\"m\",status=\"error\"} 3\n",
        "checkout_errors_total{function=\"checkout\",module=\"m\",error_type=\"card_declined\"} 1\n",
        "checkout_errors_total{function=\"checkout\",module=\"m\",error_type=\"timed_out\"} 1\n",
        "checkout_errors_total{function=\"checkout\",module=\"m\",error_type=\"upstream\"} 1\n",
        "checkout_errors_total{function=\"checkout_again\",module=\"m\",error_type=\"quota_exceeded\"} 1\n",
        "checkout_call_duration_seconds_bucket{function=\"checkout\",module=\"m\",le=\"2.5\"} 4\n",
        "function_calls_total{function=\"explicit_crate\",module=\"m\",type=\"raw\",status=\"ok\"} 1\n",
        "function_calls_total{function=\"renamed_crate\",module=\"m\",status=\"ok\"} 1\n",
        "function_calls_total{function=\"renamed_crate_path\",module=\"m\",status=\"ok\"} 1\n",
        "mcp_tool_calls_total{server=\"files\",tool=\"read-file\",tier=\"gold\",status=\"ok\"} 1\n",
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
}
