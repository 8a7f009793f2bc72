//! A fleet: three processes of the example MCP server behind one real Prometheus (Debian's
//! 2.42, 1 s scrape and evaluation) loaded with the kit's rules. Calls sent through rmcp's
//! client to every instance are summed per service: the recording rules keep one series per
//! tool and per objective, with no `instance`, and the objective counters add up to exactly
//! what was sent. Stopping one instance makes TargetDown start for it alone; stopping them all
//! makes JobDown start for the job and TargetDown stop.

use std::path::Path;
use std::time::Duration;

use metrics_toolkit::mcp::{call, connect};
use metrics_toolkit::{build_example, ExampleServer, PrometheusServer};
use serde_json::{json, Value};

/// The alerts Prometheus holds now (pending or firing) named `name`.
fn alerts(prometheus: &PrometheusServer, name: &str) -> Vec<Value> {
    prometheus
        .api("/api/v1/alerts", &[])
        .expect("the alerts API answers")["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|alert| alert["labels"]["alertname"] == name)
        .collect()
}

/// The result vector of an instant query.
fn query(prometheus: &PrometheusServer, expr: &str) -> Result<Vec<Value>, String> {
    let data = prometheus.api("/api/v1/query", &[("query", expr)])?;
    Ok(data["result"].as_array().cloned().unwrap_or_default())
}

#[test]
fn a_fleet_is_summed_per_service_and_down_instances_are_told_from_a_down_job() {
    let binary = build_example("mcp_server");
    let mut fleet: Vec<ExampleServer> = (0..3).map(|_| ExampleServer::start(&binary)).collect();
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/prometheus/rules");
    let targets: Vec<String> = fleet
        .iter()
        .map(|instance| format!("\"{}\"", instance.metrics))
        .collect();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
         rule_files: [\"{}/*.yml\"]\n\
         scrape_configs:\n  - job_name: fleet\n    static_configs:\n      - targets: [{}]\n",
        rules.display(),
        targets.join(", ")
    );
    let Some(prometheus) = PrometheusServer::start(&config, &[]) else {
        return;
    };
    prometheus.wait_for(
        "three instances up",
        Duration::from_secs(60),
        || match prometheus.single("sum(up{job=\"fleet\"})")? {
            3.0 => Ok(()),
            up => Err(format!("{up} up")),
        },
    );

    // Through rmcp's client: 4 echo calls per instance, and 2 divisions by zero on the first.
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        for (index, instance) in fleet.iter().enumerate() {
            let client = connect(instance.mcp).await;
            for i in 0..4 {
                call(&client, "echo", json!({ "text": format!("hi {i}") }))
                    .await
                    .expect("echo answers");
            }
            if index == 0 {
                for _ in 0..2 {
                    let result = call(
                        &client,
                        "divide",
                        json!({ "dividend": 1.0, "divisor": 0.0 }),
                    )
                    .await
                    .expect("divide answers");
                    assert_eq!(result.is_error, Some(true));
                }
            }
            client.cancel().await.expect("the client closes");
        }
    });

    // Exactly what was sent, over the three instances.
    let objective = "{objective=\"demo_tools\"}";
    prometheus.wait_for("every call scraped", Duration::from_secs(30), || {
        let calls = prometheus.single(&format!("sum(objective_calls_total{objective})"))?;
        let errors = prometheus.single(&format!("sum(objective_errors_total{objective})"))?;
        match (calls, errors) {
            (14.0, 2.0) => Ok(()),
            other => Err(format!("calls and errors {other:?}")),
        }
    });
    // The recording rules: one series per tool and per objective, whatever the instances.
    for rule in [
        "server_tool:mcp_tool_calls:rate5m{tool=\"echo\"}",
        "objective:objective_errors:ratio_rate5m{objective=\"demo_tools\"}",
    ] {
        let series = prometheus.wait_for(rule, Duration::from_secs(30), || {
            let series = query(&prometheus, rule)?;
            (!series.is_empty())
                .then_some(series)
                .ok_or_else(|| "no series yet".to_owned())
        });
        assert_eq!(series.len(), 1, "{rule}: {series:#?}");
        assert!(
            series[0]["metric"]["instance"].is_null(),
            "{rule}: {series:#?}"
        );
    }

    // One instance down: TargetDown starts for it, not JobDown.
    let down = fleet[1].metrics.to_string();
    fleet[1].stop();
    let target_down = prometheus.wait_for("TargetDown", Duration::from_secs(30), || {
        let found = alerts(&prometheus, "TargetDown");
        (!found.is_empty())
            .then_some(found)
            .ok_or_else(|| "no TargetDown yet".to_owned())
    });
    assert_eq!(target_down.len(), 1, "{target_down:#?}");
    assert_eq!(target_down[0]["labels"]["instance"], down.as_str());
    assert_eq!(target_down[0]["labels"]["severity"], "warning");
    assert!(alerts(&prometheus, "JobDown").is_empty());

    // Every instance down: JobDown for the job, and no TargetDown.
    for instance in &mut fleet {
        instance.stop();
    }
    let job_down = prometheus.wait_for("JobDown", Duration::from_secs(30), || {
        let found = alerts(&prometheus, "JobDown");
        let target_down = alerts(&prometheus, "TargetDown");
        match (found.is_empty(), target_down.is_empty()) {
            (false, true) => Ok(found),
            _ => Err(format!("JobDown {found:?}, TargetDown {target_down:?}")),
        }
    });
    assert_eq!(job_down.len(), 1, "{job_down:#?}");
    assert_eq!(job_down[0]["labels"]["job"], "fleet");
    assert_eq!(job_down[0]["labels"]["severity"], "critical");
}
