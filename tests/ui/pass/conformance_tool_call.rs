//! Conformance, `#[tool_call]`: the shapes of MCP tool handlers (rmcp's `Parameters(..)`
//! destructuring, `CallToolResult`, `ErrorData`, the `Box::pin(async move { .. })` body that
//! rmcp's `#[tool]` and `#[async_trait]` produce) and the general shapes through the second
//! preset. Every function here compiles without the attribute, so it must compile, behave the
//! same and be counted right with it; `tests/conformance.rs` counts every shape by its `tool`
//! label.

use std::future::Future;
use std::num::ParseIntError;
use std::pin::Pin;

use metrics_runtime::{tool_call, ErrorLabel};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::ErrorData;

/// Error enum of this file, labelled by variant.
#[derive(Debug, thiserror::Error, ErrorLabel)]
pub enum ToolError {
    #[error("division by zero")]
    DivisionByZero,
    #[error("parse: {0}")]
    Parse(#[from] ParseIntError),
}

/// Request of the tools with parameters.
#[derive(Debug, Clone)]
pub struct DivideRequest {
    pub a: i64,
    pub b: i64,
}

/// A tool server.
#[derive(Default)]
pub struct Tools {
    pub prefix: String,
}

impl Tools {
    // README "MCP servers" (rmcp tool handlers): `&self`, `Parameters(req): Parameters<T>` destructured
    #[tool_call]
    pub async fn tc_divide(
        &self,
        Parameters(req): Parameters<DivideRequest>,
    ) -> Result<i64, ToolError> {
        if req.b == 0 {
            return Err(ToolError::DivisionByZero);
        }
        Ok(req.a / req.b)
    }

    // README "MCP servers": `Result<CallToolResult, ErrorData>` with an error result and a protocol error
    #[tool_call(server = "conformance")]
    pub async fn tc_lookup(
        &self,
        Parameters(word): Parameters<String>,
    ) -> Result<CallToolResult, ErrorData> {
        match word.as_str() {
            "" => Err(ErrorData::invalid_params("empty word", None)),
            "unknown" => Ok(CallToolResult::error(vec![ContentBlock::text(
                "no such word",
            )])),
            known => Ok(CallToolResult::success(vec![ContentBlock::text(format!(
                "{}{known}",
                self.prefix
            ))])),
        }
    }

    // README "MCP servers": rmcp's `#[tool]` expanded first gives `fn -> Pin<Box<dyn Future + Send + '_>>` with `Box::pin(async move { .. })`
    #[tool_call(tool = "boxed-echo")]
    pub fn tc_boxed(
        &self,
        Parameters(text): Parameters<String>,
    ) -> Pin<Box<dyn Future<Output = Result<String, ToolError>> + Send + '_>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            let _: i64 = text.parse()?;
            Ok(format!("{}{text}", self.prefix))
        })
    }

    // a sync tool handler
    #[tool_call]
    pub fn tc_sync(&self, text: &str) -> Result<u8, ToolError> {
        Ok(text.parse()?)
    }

    // a tool handler that panics
    #[tool_call]
    pub async fn tc_panics(&self) -> Result<(), ToolError> {
        tokio::task::yield_now().await;
        panic!("tool panicked")
    }

    // a tool handler dropped before it completes (the client went away)
    #[tool_call]
    pub async fn tc_pending(&self) -> Result<(), ToolError> {
        std::future::pending::<()>().await;
        Ok(())
    }

    // the issue, case (b), for tools: `-> impl Future` with statements before the `async move` block
    #[allow(clippy::manual_async_fn)]
    #[tool_call]
    pub fn tc_impl_future(
        &self,
        millis: u64,
        fail: bool,
    ) -> impl Future<Output = Result<u8, ToolError>> + Send {
        let delay = std::time::Duration::from_millis(millis);
        async move {
            tokio::time::sleep(delay).await;
            if fail {
                Err(ToolError::DivisionByZero)
            } else {
                Ok(1)
            }
        }
    }
}

/// A tool trait implemented with `#[async_trait]`.
#[async_trait::async_trait]
pub trait ToolHandler {
    /// Handles one call.
    async fn tc_handle(&self, Parameters(req): Parameters<DivideRequest>)
        -> Result<i64, ToolError>;
}

#[async_trait::async_trait]
impl ToolHandler for Tools {
    // async-trait + README "MCP servers": a tool handler of an `#[async_trait]` impl
    #[tool_call(server = "conformance", tool = "handle")]
    async fn tc_handle(
        &self,
        Parameters(req): Parameters<DivideRequest>,
    ) -> Result<i64, ToolError> {
        if req.b == 0 {
            return Err(ToolError::DivisionByZero);
        }
        Ok(req.a * req.b)
    }
}

// a free `async fn` tool with `io::Result`
#[tool_call]
pub async fn tc_free(path: &str) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

// ---------------------------------------------------------------------------------------------

#[tokio::main]
async fn main() {
    use futures::FutureExt;
    let tools = Tools::default();
    assert!(tools
        .tc_divide(Parameters(DivideRequest { a: 1, b: 0 }))
        .await
        .is_err());
    assert!(tools.tc_lookup(Parameters(String::new())).await.is_err());
    assert!(tools.tc_boxed(Parameters("x".into())).await.is_err());
    assert_eq!(tools.tc_sync("3").unwrap(), 3);
    assert!(std::panic::AssertUnwindSafe(tools.tc_panics())
        .catch_unwind()
        .await
        .is_err());
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(1), tools.tc_pending())
            .await
            .is_err()
    );
    assert_eq!(tools.tc_impl_future(1, false).await.unwrap(), 1);
    assert_eq!(
        tools
            .tc_handle(Parameters(DivideRequest { a: 2, b: 3 }))
            .await
            .unwrap(),
        6
    );
    assert!(tc_free("/definitely/not/here").await.is_err());
}
