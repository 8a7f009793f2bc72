//! Methods: inherent, with every receiver, in a generic impl, returning `Self`.

use metrics_runtime::{monitored, Exporter};

#[derive(Debug, PartialEq)]
struct Counter {
    n: u64,
}

impl Counter {
    #[monitored]
    fn new() -> Self {
        Self { n: 0 }
    }

    #[monitored]
    fn get(&self) -> u64 {
        self.n
    }

    #[monitored]
    fn bump(&mut self) -> &mut Self {
        self.n += 1;
        self
    }

    #[monitored]
    fn into_inner(self) -> u64 {
        self.n
    }

    #[monitored]
    async fn bump_later(&mut self, by: u64) -> u64 {
        tokio::task::yield_now().await;
        self.n += by;
        self.n
    }

    #[monitored]
    fn name(&self) -> &str {
        "counter"
    }
}

struct Wrapper<T>(T);

impl<T: Clone + Send> Wrapper<T> {
    #[monitored]
    fn cloned(&self) -> T {
        self.0.clone()
    }

    #[monitored]
    async fn cloned_later(&self) -> T
    where
        T: Sync,
    {
        self.0.clone()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let exporter = Exporter::builder().build().unwrap();
    let mut counter = Counter::new();
    counter.bump().bump();
    assert_eq!(counter.get(), 2);
    assert_eq!(counter.bump_later(3).await, 5);
    assert_eq!(counter.name(), "counter");
    assert_eq!(counter.into_inner(), 5);
    let wrapper = Wrapper(String::from("x"));
    assert_eq!(wrapper.cloned(), "x");
    assert_eq!(wrapper.cloned_later().await, "x");

    // trybuild names the crate; the module label is its module path.
    let text = exporter.render().replace(&format!("module=\"{}\"", module_path!()), "module=\"m\"");
    for (function, calls) in
        [("new", 1), ("bump", 2), ("get", 1), ("bump_later", 1), ("name", 1), ("into_inner", 1), ("cloned", 1), ("cloned_later", 1)]
    {
        let line = format!("function_calls_total{{function=\"{function}\",module=\"m\",status=\"ok\"}} {calls}\n");
        assert!(text.contains(&line), "missing {line} in\n{text}");
    }
}
