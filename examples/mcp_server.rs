//! An MCP server on rmcp's streamable HTTP transport whose tools are measured with
//! `#[tool_call]`, next to the exporter.
//!
//! ```text
//! cargo run --release --example mcp_server
//! cargo run --release --example mcp_server -- --mcp-addr 127.0.0.1:8100 --metrics-addr 127.0.0.1:9100
//! ```
//!
//! Tools: `echo` (succeeds), `divide` (returns `Err` on division by zero), `lookup` (returns
//! a result flagged `is_error` for unknown keys), `validate` (a protocol error for bad input),
//! `sleep` (takes as long as asked). Both attribute orders are shown: `#[tool]` above
//! `#[tool_call]` and below it.

use std::net::SocketAddr;
use std::time::Duration;

use metrics_runtime::{monitored, tool_call, ErrorLabel, Objective};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, IntoContents, ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{schemars, tool, tool_handler, tool_router, ErrorData, ServerHandler};
use tokio_util::sync::CancellationToken;

/// Where the MCP endpoint listens by default.
pub const DEFAULT_MCP_ADDR: &str = "127.0.0.1:8000";

/// Arguments of `echo`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct EchoRequest {
    /// The text to send back.
    pub text: String,
}

/// Arguments of `divide`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct DivideRequest {
    /// The number divided.
    pub dividend: f64,
    /// The number to divide by; zero is an error.
    pub divisor: f64,
}

/// Arguments of `lookup`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct LookupRequest {
    /// One of `rust`, `mcp`, `prometheus`.
    pub key: String,
}

/// Arguments of `validate`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct ValidateRequest {
    /// An e-mail address.
    pub email: String,
}

/// Arguments of `sleep`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct SleepRequest {
    /// How long to sleep, in milliseconds (at most 10 000).
    pub millis: u64,
}

/// Why `divide` failed; `error_type` is the variant in snake_case.
#[derive(Debug, thiserror::Error, ErrorLabel)]
pub enum MathError {
    /// The divisor was zero.
    #[error("division by zero")]
    DivisionByZero,
}

impl IntoContents for MathError {
    fn into_contents(self) -> Vec<ContentBlock> {
        vec![ContentBlock::text(self.to_string())]
    }
}

/// The arithmetic behind `divide`: an ordinary function, measured with `#[monitored]` next
/// to the tool that calls it.
#[monitored]
pub fn quotient(dividend: f64, divisor: f64) -> Result<f64, MathError> {
    if divisor == 0.0 {
        return Err(MathError::DivisionByZero);
    }
    Ok(dividend / divisor)
}

/// The demo tools' service level objective, shared by every tool: 99% of calls succeed, 99%
/// finish within 100 ms (a bound of the default buckets). `deploy/prometheus/rules/objectives.yml`
/// alerts when its error budget burns too fast; the Objectives dashboard shows it.
pub const DEMO_TOOLS: Objective = Objective::new("demo_tools")
    .success(99.0)
    .latency(0.1, 99.0);

/// The tools of the demo server.
#[derive(Debug, Clone)]
pub struct DemoTools {
    tool_router: ToolRouter<Self>,
}

impl Default for DemoTools {
    fn default() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }
}

#[tool_router]
impl DemoTools {
    /// Echoes the text back.
    #[tool(description = "Echo the text back")]
    #[tool_call(objective = DEMO_TOOLS)]
    async fn echo(&self, Parameters(EchoRequest { text }): Parameters<EchoRequest>) -> String {
        text
    }

    #[tool_call(objective = DEMO_TOOLS)]
    #[tool(description = "Divide two numbers; dividing by zero fails")]
    async fn divide(
        &self,
        Parameters(DivideRequest { dividend, divisor }): Parameters<DivideRequest>,
    ) -> Result<String, MathError> {
        quotient(dividend, divisor).map(|q| q.to_string())
    }

    #[tool(description = "Look up a word; unknown words give an error result")]
    #[tool_call(objective = DEMO_TOOLS)]
    async fn lookup(
        &self,
        Parameters(LookupRequest { key }): Parameters<LookupRequest>,
    ) -> Result<CallToolResult, ErrorData> {
        let meaning = match key.as_str() {
            "rust" => "a systems programming language",
            "mcp" => "the Model Context Protocol",
            "prometheus" => "a monitoring system",
            _ => {
                let message = format!("unknown key `{key}`");
                return Ok(CallToolResult::error(vec![ContentBlock::text(message)]));
            }
        };
        Ok(CallToolResult::success(vec![ContentBlock::text(meaning)]))
    }

    #[tool(description = "Check an e-mail address; a bad one is a protocol error")]
    #[tool_call]
    async fn validate(
        &self,
        Parameters(ValidateRequest { email }): Parameters<ValidateRequest>,
    ) -> Result<String, ErrorData> {
        if email.contains('@') {
            Ok(format!("{email} looks fine"))
        } else {
            Err(ErrorData::invalid_params(
                "an e-mail address needs an `@`",
                None,
            ))
        }
    }

    #[tool(description = "Sleep for the given number of milliseconds")]
    #[tool_call(buckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])]
    async fn sleep(&self, Parameters(SleepRequest { millis }): Parameters<SleepRequest>) -> String {
        let millis = millis.min(10_000);
        tokio::time::sleep(Duration::from_millis(millis)).await;
        format!("slept {millis} ms")
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for DemoTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// Serves the MCP endpoint at `/mcp` on `listener` until `shutdown` is cancelled.
pub async fn serve_mcp(
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let service: StreamableHttpService<DemoTools, LocalSessionManager> = StreamableHttpService::new(
        || Ok(DemoTools::default()),
        Default::default(),
        StreamableHttpServerConfig::default().with_cancellation_token(shutdown.child_token()),
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled_owned().await })
        .await
}

/// `--mcp-addr` and `--metrics-addr`.
struct Flags {
    mcp_addr: String,
    metrics_addr: Option<String>,
}

fn parse_flags() -> Result<Flags, String> {
    let mut flags = Flags {
        mcp_addr: DEFAULT_MCP_ADDR.to_owned(),
        metrics_addr: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or(format!("{name} needs an address, e.g. 127.0.0.1:8000"))
        };
        match arg.as_str() {
            "--mcp-addr" => flags.mcp_addr = value("--mcp-addr")?,
            "--metrics-addr" => flags.metrics_addr = Some(value("--metrics-addr")?),
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: mcp_server [--mcp-addr HOST:PORT] [--metrics-addr HOST:PORT]"
                ))
            }
        }
    }
    Ok(flags)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let flags = parse_flags()?;
    let mut builder =
        metrics_runtime::Exporter::builder().app(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
    if let Some(address) = &flags.metrics_addr {
        builder = builder.listen_address(address);
    }
    let exporter = builder.install()?;
    metrics_runtime::set_health("tools", true);

    let listener = tokio::net::TcpListener::bind(&flags.mcp_addr)
        .await
        .map_err(|e| format!("cannot listen for MCP on {}: {e}", flags.mcp_addr))?;
    let mcp_addr: SocketAddr = listener.local_addr()?;
    let metrics_addr = exporter.local_addr().expect("the exporter listens");
    println!("MCP endpoint: http://{mcp_addr}/mcp");
    println!("Metrics:      http://{metrics_addr}/metrics");

    let shutdown = CancellationToken::new();
    let on_ctrl_c = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        on_ctrl_c.cancel();
    });
    serve_mcp(listener, shutdown).await?;
    exporter.shutdown();
    Ok(())
}
