//! The example MCP server, in process on free loopback ports, driven by rmcp's own client over
//! the streamable HTTP transport; then `/metrics` is scraped and every count is checked.

#[allow(dead_code)]
#[path = "../examples/mcp_server.rs"]
mod mcp_server;

use futures::future::join_all;
use metrics_toolkit::mcp::{call, connect, text};
use metrics_toolkit::{expect_value, promtool_check_metrics, samples, scrape};
use serde_json::json;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_called_through_a_real_client_are_counted_per_tool_and_status() {
    metrics_toolkit::exporter();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mcp_addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let serving = tokio::spawn(mcp_server::serve_mcp(listener, shutdown.clone()));

    let client = connect(mcp_addr).await;

    // The tools and their schemas survive both attribute orders.
    let tools = client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    names.sort();
    assert_eq!(names, ["divide", "echo", "lookup", "sleep", "validate"]);
    let schema = |name: &str| {
        let tool = tools.iter().find(|tool| tool.name == name).unwrap();
        let properties = tool
            .input_schema
            .get("properties")
            .and_then(|p| p.as_object())
            .unwrap();
        let mut keys: Vec<String> = properties.keys().cloned().collect();
        keys.sort();
        (
            keys,
            tool.description.as_deref().unwrap_or_default().to_owned(),
        )
    };
    assert_eq!(
        schema("echo"),
        (vec!["text".to_owned()], "Echo the text back".to_owned())
    );
    assert_eq!(
        schema("divide"),
        (
            vec!["dividend".to_owned(), "divisor".to_owned()],
            "Divide two numbers; dividing by zero fails".to_owned()
        )
    );
    assert_eq!(schema("sleep").0, ["millis"]);

    // echo: 6 calls, concurrently.
    let echoes =
        join_all((0..6).map(|i| call(&client, "echo", json!({ "text": format!("hi {i}") })))).await;
    for (i, echoed) in echoes.into_iter().enumerate() {
        assert_eq!(text(&echoed.unwrap()), format!("hi {i}"));
    }
    // divide: 3 fine, 2 by zero (the handler returns Err).
    for (dividend, divisor) in [(6.0, 3.0), (1.0, 4.0), (9.0, 1.0), (1.0, 0.0), (2.0, 0.0)] {
        let result = call(
            &client,
            "divide",
            json!({ "dividend": dividend, "divisor": divisor }),
        )
        .await
        .unwrap();
        assert_eq!(result.is_error == Some(true), divisor == 0.0, "{result:?}");
    }
    // lookup: 2 known, 3 unknown (Ok with a result flagged is_error).
    for key in ["rust", "mcp", "cobol", "fortran", "lisp"] {
        let result = call(&client, "lookup", json!({ "key": key }))
            .await
            .unwrap();
        assert_eq!(
            result.is_error == Some(true),
            !["rust", "mcp"].contains(&key),
            "{result:?}"
        );
    }
    // validate: 1 fine, 2 protocol errors.
    assert!(
        call(&client, "validate", json!({ "email": "a@example.com" }))
            .await
            .is_ok()
    );
    for email in ["nobody", "still-nobody"] {
        let error = call(&client, "validate", json!({ "email": email }))
            .await
            .unwrap_err();
        assert!(error.to_string().contains("needs an `@`"), "{error}");
    }
    // sleep: 3 concurrent calls of 3 s; the in-flight gauge reaches 3 while they run.
    let sleeps = tokio::spawn({
        let client = client.peer().clone();
        async move { join_all((0..3).map(|_| call(&client, "sleep", json!({ "millis": 3000 })))).await }
    });
    let sleeping = [("server", "metrics-toolkit"), ("tool", "sleep")];
    let mut in_flight_seen = 0.0;
    while !sleeps.is_finished() && in_flight_seen < 3.0 {
        let during = tokio::task::spawn_blocking(scrape).await.unwrap();
        in_flight_seen = expect_value(&during, "mcp_tool_calls_in_flight", &sleeping);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(in_flight_seen, 3.0, "three sleeps were in flight at once");
    for slept in sleeps.await.unwrap() {
        assert_eq!(text(&slept.unwrap()), "slept 3000 ms");
    }

    let text = scrape();
    let server = "metrics-toolkit";
    let calls = |tool, status| {
        expect_value(
            &text,
            "mcp_tool_calls_total",
            &[("server", server), ("tool", tool), ("status", status)],
        )
    };
    let errors = |tool, error_type| {
        expect_value(
            &text,
            "mcp_tool_errors_total",
            &[
                ("server", server),
                ("tool", tool),
                ("error_type", error_type),
            ],
        )
    };
    assert_eq!(calls("echo", "ok"), 6.0);
    assert_eq!(calls("echo", "error"), 0.0);
    assert_eq!(calls("divide", "ok"), 3.0);
    assert_eq!(calls("divide", "error"), 2.0);
    assert_eq!(errors("divide", "division_by_zero"), 2.0);
    assert_eq!(calls("lookup", "ok"), 2.0);
    assert_eq!(calls("lookup", "error"), 3.0);
    assert_eq!(errors("lookup", "tool_error"), 3.0);
    assert_eq!(calls("validate", "ok"), 1.0);
    assert_eq!(calls("validate", "error"), 2.0);
    assert_eq!(errors("validate", "invalid_params"), 2.0);
    assert_eq!(calls("sleep", "ok"), 3.0);
    for tool in ["echo", "divide", "lookup", "validate", "sleep"] {
        assert_eq!(calls(tool, "panic"), 0.0);
        let in_flight = expect_value(
            &text,
            "mcp_tool_calls_in_flight",
            &[("server", server), ("tool", tool)],
        );
        assert_eq!(in_flight, 0.0, "{tool} in flight");
    }

    // The sleep tool's own buckets: 3 s is never within 2.5 s.
    let bucket = |le| {
        expect_value(
            &text,
            "mcp_tool_call_duration_seconds_bucket",
            &[("server", server), ("tool", "sleep"), ("le", le)],
        )
    };
    assert_eq!(bucket("2.5"), 0.0);
    assert_eq!(bucket("+Inf"), 3.0);
    // The duration is the handler's, not the time to allocate its boxed future.
    let sum = expect_value(
        &text,
        "mcp_tool_call_duration_seconds_sum",
        &[("server", server), ("tool", "sleep")],
    );
    assert!(sum >= 9.0, "three 3 s sleeps took {sum} s in total");
    assert_eq!(
        samples(&text)
            .iter()
            .filter(|s| s.name == "mcp_tool_calls_total")
            .count(),
        5 * 4,
        "one series per tool and status"
    );
    promtool_check_metrics(&text);

    client.cancel().await.unwrap();
    shutdown.cancel();
    serving.await.unwrap().unwrap();
}
