//! Trait impls: sync methods, native `async fn` in traits, `#[async_trait]`, and a future that
//! must stay `Send` for `tokio::spawn`.

use metrics_runtime::{monitored, Exporter};

trait Store {
    fn load(&self, key: &str) -> Option<String>;
    async fn load_async(&self, key: &str) -> Result<String, std::io::Error>;
}

#[async_trait::async_trait]
trait Remote {
    async fn call(&self, request: u32) -> Result<u32, String>;
    async fn fire(&self);
}

struct Memory;

impl Store for Memory {
    #[monitored]
    fn load(&self, key: &str) -> Option<String> {
        Some(key.to_uppercase())
    }

    #[monitored]
    async fn load_async(&self, key: &str) -> Result<String, std::io::Error> {
        if key.is_empty() {
            return Err(std::io::ErrorKind::NotFound.into());
        }
        Ok(key.to_owned())
    }
}

#[async_trait::async_trait]
impl Remote for Memory {
    #[monitored]
    async fn call(&self, request: u32) -> Result<u32, String> {
        tokio::task::yield_now().await;
        if request == 0 {
            Err("zero".to_owned())
        } else {
            Ok(request + 1)
        }
    }

    #[monitored]
    async fn fire(&self) {}
}

/// A hand-written boxed future, without `move`: the inner future is timed.
#[monitored]
fn boxed_by_hand(delay_ms: &u64) -> std::pin::Pin<Box<dyn std::future::Future<Output = u64> + Send + '_>> {
    Box::pin(async {
        tokio::time::sleep(std::time::Duration::from_millis(*delay_ms)).await;
        *delay_ms
    })
}

#[monitored]
async fn spawned(n: u32) -> u32 {
    tokio::task::yield_now().await;
    n
}

#[tokio::main]
async fn main() {
    let exporter = Exporter::builder().build().unwrap();
    assert_eq!(Memory.load("a"), Some("A".to_owned()));
    assert_eq!(Memory.load_async("b").await.unwrap(), "b");
    assert!(Memory.load_async("").await.is_err());
    assert_eq!(Memory.call(1).await, Ok(2));
    assert!(Memory.call(0).await.is_err());
    Memory.fire().await;
    let remote: &dyn Remote = &Memory;
    assert_eq!(remote.call(5).await, Ok(6));
    assert_eq!(tokio::spawn(spawned(3)).await.unwrap(), 3);
    assert_eq!(boxed_by_hand(&30).await, 30);

    // trybuild names the crate; the module label is its module path.
    let text = exporter.render().replace(&format!("module=\"{}\"", module_path!()), "module=\"m\"");
    for line in [
        "function_calls_total{function=\"load\",module=\"m\",status=\"ok\"} 1\n",
        "function_calls_total{function=\"load_async\",module=\"m\",status=\"ok\"} 1\n",
        "function_errors_total{function=\"load_async\",module=\"m\",error_type=\"not_found\"} 1\n",
        "function_calls_total{function=\"call\",module=\"m\",status=\"ok\"} 2\n",
        "function_calls_total{function=\"call\",module=\"m\",status=\"error\"} 1\n",
        "function_errors_total{function=\"call\",module=\"m\",error_type=\"String\"} 1\n",
        "function_calls_total{function=\"fire\",module=\"m\",status=\"ok\"} 1\n",
        "function_calls_total{function=\"spawned\",module=\"m\",status=\"ok\"} 1\n",
        // 30 ms of sleep inside the boxed future: never within 25 ms (the allocation alone would be).
        "function_call_duration_seconds_bucket{function=\"boxed_by_hand\",module=\"m\",le=\"0.025\"} 0\n",
        "function_call_duration_seconds_bucket{function=\"boxed_by_hand\",module=\"m\",le=\"+Inf\"} 1\n",
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
}
