//! rmcp's own client over streamable HTTP, as the MCP tests use it.

use std::net::SocketAddr;
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, ClientConfig};
use rmcp::service::{Peer, RoleClient, RunningService, ServiceError};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::ServiceExt;

/// A connected client.
pub type Client = RunningService<RoleClient, ClientConfig>;

/// Connects to the MCP endpoint at `http://{address}/mcp`.
pub async fn connect(address: SocketAddr) -> Client {
    let config = StreamableHttpClientTransportConfig::with_uri(format!("http://{address}/mcp"));
    ClientConfig::default()
        .serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("the MCP client connects")
}

/// Calls a tool with JSON arguments; panics if no answer comes within 20 s.
pub async fn call(
    client: &Peer<RoleClient>,
    tool: &'static str,
    arguments: serde_json::Value,
) -> Result<CallToolResult, ServiceError> {
    let arguments = arguments
        .as_object()
        .expect("arguments are an object")
        .clone();
    let request = client.call_tool(CallToolRequestParams::new(tool).with_arguments(arguments));
    tokio::time::timeout(Duration::from_secs(20), request)
        .await
        .unwrap_or_else(|_| panic!("the MCP call of `{tool}` did not answer within 20 s"))
}

/// The text content of a tool result.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text())
        .map(|t| t.text.clone())
        .collect()
}
