//! Alerts that reach people, end to end: the example MCP server fails a tool; a real Prometheus
//! (Debian's 2.42, 1 s scrape and evaluation) evaluates the kit's rules and sends to a real
//! Alertmanager (Debian's 0.25) on loopback, running deploy/alertmanager/alertmanager.yml; the
//! test's own listeners play Slack, the incident webhook and the mail server.
//!
//! What changes from the shipped files, and only that: the receivers' addresses and secret
//! files point at the test, the mail server speaks no TLS (it is on loopback), `group_wait` and
//! `group_interval` are 1 s and 2 s, and the rules' `for:` durations are divided by 60 (a 15m
//! ticket waits 15 s), so the test takes seconds instead of an hour.
//!
//! Proven: the objective's page reaches Slack and the webhook (with its bearer token from the
//! secret file) and not the email; the tool's warning reaches the email (authenticated with the
//! password from its file), naming the tool, its service, the value and the runbook; the
//! objective's ticket fires in Prometheus but is inhibited by the page and reaches nobody; and
//! once successful calls bring the ratios down, every receiver gets its resolved notification.
//! Last, the tool fails again and the server is stopped: JobDown pages (Slack and webhook) and
//! inhibits the tool's warning, which its last 5 minutes of data would keep firing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header::AUTHORIZATION, HeaderMap, StatusCode, Uri};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;
use metrics_toolkit::mcp::{call, connect, Client};
use metrics_toolkit::{
    build_example, free_address, on_path, poll, required_in_ci, ExampleServer, PrometheusServer,
};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const WEBHOOK_TOKEN: &str = "webhook-token-from-its-file";
const SMTP_PASSWORD: &str = "smtp-password-from-its-file";
/// The scrape job of the test's Prometheus: the alerts' `service`.
const JOB: &str = "mcp";

/// One notification POSTed to the test's HTTP listener (Slack or the webhook).
#[derive(Clone, Debug)]
struct Posted {
    path: String,
    authorization: Option<String>,
    body: Value,
}

/// One email accepted by the SMTP sink.
#[derive(Clone, Debug)]
struct Mail {
    /// The AUTH PLAIN user and password.
    credentials: Option<(String, String)>,
    recipients: Vec<String>,
    subject: String,
    text: String,
}

/// Everything the receivers got.
#[derive(Default)]
struct Inbox {
    posted: Mutex<Vec<Posted>>,
    mails: Mutex<Vec<Mail>>,
}

impl Inbox {
    fn posted(&self, path: &str) -> Vec<Posted> {
        let posted = self.posted.lock().expect("inbox lock");
        posted.iter().filter(|p| p.path == path).cloned().collect()
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().expect("inbox lock").clone()
    }

    /// The email with this subject; `Err` lists the subjects so far.
    fn mail(&self, subject: &str) -> Result<Mail, String> {
        let mails = self.mails();
        mails
            .iter()
            .find(|m| m.subject == subject)
            .cloned()
            .ok_or_else(|| {
                let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
                format!("subjects so far: {subjects:?}")
            })
    }

    /// The alert named `name` with `status` (`firing`, `resolved`) in a webhook notification
    /// of that status, and the notification; `Err` lists what the webhook got.
    fn webhook(&self, status: &str, name: &str) -> Result<(Posted, Value), String> {
        let posted = self.posted("/webhook");
        posted
            .iter()
            .filter(|p| p.body["status"] == status)
            .find_map(|p| {
                let alert = webhook_alerts(p)
                    .into_iter()
                    .find(|a| a["labels"]["alertname"] == name && a["status"] == status)?;
                Some((p.clone(), alert))
            })
            .ok_or_else(|| format!("webhook got {posted:?}"))
    }

    /// The Slack message with this title; `Err` lists what Slack got.
    fn slack(&self, title: &str) -> Result<Posted, String> {
        let posted = self.posted("/slack");
        posted
            .iter()
            .find(|p| slack_message(p).0 == title)
            .cloned()
            .ok_or_else(|| format!("Slack got {posted:?}"))
    }
}

async fn record_post(
    State(inbox): State<Arc<Inbox>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let body = serde_json::from_slice(&body).unwrap_or_else(|e| {
        Value::String(format!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        ))
    });
    inbox.posted.lock().expect("inbox lock").push(Posted {
        path: uri.path().to_owned(),
        authorization: headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        body,
    });
    // Slack's incoming webhooks answer `ok`.
    (StatusCode::OK, "ok")
}

/// A minimal SMTP server (RFC 5321 as Go's net/smtp client speaks it): EHLO advertising
/// AUTH PLAIN, MAIL, RCPT, DATA, QUIT. Each message is parsed with mail-parser.
async fn smtp_session(stream: TcpStream, inbox: Arc<Inbox>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut credentials, mut recipients) = (None, Vec::new());
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end();
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("AUTH PLAIN") {
            // Go sends the initial response inline: base64("\0user\0password").
            let encoded = command["AUTH PLAIN".len()..].trim();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap_or_default();
            let decoded = String::from_utf8_lossy(&decoded).into_owned();
            let mut parts = decoded.split('\0').skip(1);
            credentials = Some((
                parts.next().unwrap_or_default().to_owned(),
                parts.next().unwrap_or_default().to_owned(),
            ));
            b"235 2.7.0 accepted\r\n"
        } else if upper.starts_with("RCPT TO:") {
            recipients.push(
                command["RCPT TO:".len()..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_owned(),
            );
            b"250 ok\r\n"
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut message = Vec::new();
            loop {
                let mut data = Vec::new();
                if read.read_until(b'\n', &mut data).await? == 0 {
                    return Ok(());
                }
                if data == b".\r\n" {
                    break;
                }
                // Dot-stuffing: a line that starts with a dot was sent with one more.
                let data = data.strip_prefix(b".").unwrap_or(&data);
                message.extend_from_slice(data);
            }
            let parsed = mail_parser::MessageParser::default().parse(&message);
            let mail = Mail {
                credentials: credentials.clone(),
                recipients: std::mem::take(&mut recipients),
                subject: parsed
                    .as_ref()
                    .and_then(|m| m.subject())
                    .unwrap_or_default()
                    .to_owned(),
                text: parsed
                    .as_ref()
                    .and_then(|m| m.body_text(0))
                    .map(|text| text.replace("\r\n", "\n"))
                    .unwrap_or_else(|| String::from_utf8_lossy(&message).into_owned()),
            };
            inbox.mails.lock().expect("inbox lock").push(mail);
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            // HELO, MAIL FROM, RSET, NOOP.
            b"250 ok\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// Starts the HTTP listener (`/slack`, `/webhook`) and the SMTP sink on loopback.
async fn start_receivers(inbox: Arc<Inbox>) -> (SocketAddr, SocketAddr) {
    let http = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let http_address = http.local_addr().expect("an address");
    let router = Router::new()
        .route("/slack", post(record_post))
        .route("/webhook", post(record_post))
        .with_state(inbox.clone());
    tokio::spawn(async move { axum::serve(http, router).await });
    let smtp = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let smtp_address = smtp.local_addr().expect("an address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = smtp.accept().await {
            tokio::spawn(smtp_session(stream, inbox.clone()));
        }
    });
    (http_address, smtp_address)
}

/// `text` with `from` replaced by `to`; panics when `from` is not there, so that a change of
/// the shipped file cannot silently leave the test on the real receivers.
fn replace(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "the shipped configuration no longer contains {from:?}"
    );
    text.replace(from, to)
}

/// deploy/alertmanager/alertmanager.yml, pointed at the test's receivers and secret files.
fn alertmanager_config(
    http: SocketAddr,
    smtp: SocketAddr,
    secrets: &Path,
    templates: &Path,
) -> String {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/alertmanager/alertmanager.yml"),
    )
    .expect("deploy/alertmanager/alertmanager.yml");
    let mut config = replace(&shipped, "\"smtp.example.org:587\"", &format!("\"{smtp}\""));
    config = replace(&config, "smtp_require_tls: true", "smtp_require_tls: false");
    config = replace(
        &config,
        "\"/etc/alertmanager/secrets/",
        &format!("\"{}/", secrets.display()),
    );
    config = replace(
        &config,
        "\"https://incidents.example.org/hooks/alertmanager\"",
        &format!("\"http://{http}/webhook\""),
    );
    config = replace(
        &config,
        "\"templates/*.tmpl\"",
        &format!("\"{}/*.tmpl\"", templates.display()),
    );
    let mut shortened = 0;
    let lines: Vec<String> = config
        .lines()
        .map(|line| {
            let key = line.trim_start();
            let indent = &line[..line.len() - key.len()];
            if key.starts_with("group_wait:") {
                shortened += 1;
                format!("{indent}group_wait: 1s")
            } else if key.starts_with("group_interval:") {
                shortened += 1;
                format!("{indent}group_interval: 2s")
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert!(shortened >= 2, "no group_wait / group_interval to shorten");
    lines.join("\n") + "\n"
}

/// The kit's rule files with every `for:` divided by 60 (at least 1 s), written to `dir`.
fn rules_with_short_for(dir: &Path) {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/prometheus/rules");
    let mut shortened = 0;
    for entry in std::fs::read_dir(&rules).expect("deploy/prometheus/rules") {
        let path = entry.expect("a rule file").path();
        if path.extension().is_none_or(|ext| ext != "yml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a rule file");
        let lines: Vec<String> = text
            .lines()
            .map(|line| {
                let key = line.trim_start();
                let Some(duration) = key.strip_prefix("for: ") else {
                    return line.to_owned();
                };
                let (number, unit) = duration.split_at(duration.len() - 1);
                let number: u64 = number.parse().expect("a `for:` of whole units");
                let seconds = match unit {
                    "s" => number,
                    "m" => number * 60,
                    "h" => number * 3600,
                    _ => panic!("unexpected `for:` unit in {line:?}"),
                };
                shortened += 1;
                let indent = &line[..line.len() - key.len()];
                format!("{indent}for: {}s", (seconds / 60).max(1))
            })
            .collect();
        std::fs::write(
            dir.join(path.file_name().expect("a file name")),
            lines.join("\n") + "\n",
        )
        .expect("the rule file is written");
    }
    assert!(shortened >= 18, "only {shortened} `for:` durations found");
}

/// The `alerting:` block of deploy/prometheus/prometheus.yml (relabelling included), sending to
/// `alertmanager` instead of the compose service.
fn alerting_block(alertmanager: SocketAddr) -> String {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/prometheus/prometheus.yml"),
    )
    .expect("deploy/prometheus/prometheus.yml");
    let block: Vec<&str> = shipped
        .lines()
        .skip_while(|line| *line != "alerting:")
        .enumerate()
        .take_while(|(index, line)| *index == 0 || line.is_empty() || line.starts_with([' ', '#']))
        .map(|(_, line)| line)
        .collect();
    assert!(!block.is_empty(), "prometheus.yml has no `alerting:` block");
    replace(
        &(block.join("\n") + "\n"),
        "\"alertmanager:9093\"",
        &format!("\"{alertmanager}\""),
    )
}

/// A real Alertmanager on loopback, stopped when dropped.
struct Alertmanager {
    child: Child,
    log: PathBuf,
    base: String,
}

impl Alertmanager {
    fn start(binary: &Path, dir: &Path, config: &str) -> Self {
        let address = free_address();
        std::fs::write(dir.join("alertmanager.yml"), config).expect("the config is written");
        let log = dir.join("alertmanager.log");
        let file = std::fs::File::create(&log).expect("a log file");
        let child = Command::new(binary)
            .arg(format!(
                "--config.file={}",
                dir.join("alertmanager.yml").display()
            ))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address={address}"))
            // No cluster: a single instance, and no listener on the default port 9094.
            .arg("--cluster.listen-address=")
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("the log is shared"))
            .stderr(file)
            .spawn()
            .expect("alertmanager starts");
        let alertmanager = Self {
            child,
            log,
            base: format!("http://{address}"),
        };
        wait_until("Alertmanager ready", Duration::from_secs(30), None, || {
            let response = ureq::get(format!("{}/-/ready", alertmanager.base))
                .call()
                .map_err(|e| format!("{e}\n{}", alertmanager.log()))?;
            (response.status() == 200)
                .then_some(())
                .ok_or_else(|| response.status().to_string())
        });
        alertmanager
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The alerts Alertmanager holds named `name` (API v2), inhibited ones included.
    fn alerts(&self, name: &str) -> Result<Vec<Value>, String> {
        let mut response = ureq::get(format!("{}/api/v2/alerts", self.base))
            .query("filter", format!("alertname=\"{name}\""))
            .call()
            .map_err(|e| e.to_string())?;
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// [`poll`] with the logs of both servers, once they run.
fn wait_until<T>(
    what: &str,
    limit: Duration,
    logs: Option<(&PrometheusServer, &Alertmanager)>,
    attempt: impl FnMut() -> Result<T, String>,
) -> T {
    let context = || {
        logs.map_or_else(String::new, |(prometheus, alertmanager)| {
            format!(
                "\n--- prometheus log ---\n{}\n--- alertmanager log ---\n{}",
                prometheus.log(),
                alertmanager.log()
            )
        })
    };
    poll(what, limit, context, attempt)
}

/// The alerts of a webhook (Alertmanager JSON) notification.
fn webhook_alerts(posted: &Posted) -> Vec<Value> {
    posted.body["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The title and text of a Slack notification.
fn slack_message(posted: &Posted) -> (String, String) {
    let attachment = &posted.body["attachments"][0];
    (
        attachment["title"].as_str().unwrap_or_default().to_owned(),
        attachment["text"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Calls the example's `divide` tool with 1 / `divisor`; whether the call failed.
async fn divide(client: &Client, divisor: f64) -> bool {
    let arguments = json!({ "dividend": 1.0, "divisor": divisor });
    let result = call(client, "divide", arguments)
        .await
        .expect("divide answers");
    result.is_error == Some(true)
}

/// Sends `failures` failing divisions interleaved with as many echo calls (so every prefix of
/// them, as a scrape may cut it, fails about half), then `successes` successful divisions.
async fn call_tools(mcp: SocketAddr, failures: usize, successes: usize) {
    let client = connect(mcp).await;
    for i in 0..failures {
        assert!(divide(&client, 0.0).await, "a division by zero fails");
        call(&client, "echo", json!({ "text": format!("hi {i}") }))
            .await
            .expect("echo answers");
    }
    for _ in 0..successes {
        assert!(!divide(&client, 1.0).await, "a division by one succeeds");
    }
    client.cancel().await.expect("the client closes");
}

#[test]
fn the_kit_alerts_reach_the_receivers_its_routing_promises() {
    let Some(alertmanager_binary) =
        on_path("prometheus-alertmanager").or_else(|| on_path("alertmanager"))
    else {
        required_in_ci("prometheus-alertmanager");
        return;
    };
    let dir = std::env::temp_dir().join(format!(
        "metrics-toolkit-alertmanager-e2e-{}",
        std::process::id()
    ));
    let (secrets, rules) = (dir.join("secrets"), dir.join("rules"));
    for sub in [&secrets, &rules, &dir.join("data")] {
        std::fs::create_dir_all(sub).expect("a temp dir");
    }

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let inbox = Arc::new(Inbox::default());
    let (http, smtp) = runtime.block_on(start_receivers(inbox.clone()));
    for (file, secret) in [
        ("slack_webhook_url", format!("http://{http}/slack")),
        ("webhook_token", WEBHOOK_TOKEN.to_owned()),
        ("smtp_password", SMTP_PASSWORD.to_owned()),
    ] {
        std::fs::write(secrets.join(file), secret).expect("a secret file");
    }
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/alertmanager/templates");
    let alertmanager = Alertmanager::start(
        &alertmanager_binary,
        &dir,
        &alertmanager_config(http, smtp, &secrets, &templates),
    );

    let example = build_example("mcp_server");
    let mut server = ExampleServer::start(&example);
    let (mcp, metrics) = (server.mcp, server.metrics);

    rules_with_short_for(&rules);
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
         rule_files: [\"{}/*.yml\"]\n\
         {}\
         scrape_configs:\n  - job_name: {JOB}\n    static_configs:\n      - targets: [\"{metrics}\"]\n",
        rules.display(),
        alerting_block(alertmanager.base.trim_start_matches("http://").parse().expect("an address")),
    );
    let Some(prometheus) = PrometheusServer::start(&config, &[]) else {
        return;
    };
    let logs = Some((&prometheus, &alertmanager));
    // The counters are scraped at zero before any call, so that the rates see every call.
    let server_name = wait_until("the tools scraped", Duration::from_secs(60), logs, || {
        prometheus.single("sum(objective_calls_total{objective=\"demo_tools\"})")?;
        let data = prometheus.api(
            "/api/v1/query",
            &[(
                "query",
                "group by (server) (mcp_tool_calls_total{tool=\"divide\"})",
            )],
        )?;
        data["result"][0]["metric"]["server"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no divide tool yet: {data}"))
    });

    // 10 failing divisions and 10 echoes: the tool `divide` fails 100% of its calls (over the
    // 5% threshold: ToolHighErrorRatio, a warning) and the objective demo_tools (99% success)
    // 50% of its calls, 50 times its budget (the page, and 15 s later the ticket).
    runtime.block_on(call_tools(mcp, 10, 0));

    // The page: Slack and the webhook, with everything the on-call needs.
    let page = "ObjectiveErrorBudgetBurn";
    let (webhook, alert) = wait_until(
        "the page at the webhook",
        Duration::from_secs(60),
        logs,
        || inbox.webhook("firing", page),
    );
    assert_eq!(
        webhook.authorization.as_deref(),
        Some(format!("Bearer {WEBHOOK_TOKEN}").as_str()),
        "the webhook's token comes from its secret file"
    );
    assert_eq!(webhook.body["receiver"], "on-call");
    assert_eq!(
        webhook.body["groupLabels"],
        json!({ "alertname": page, "objective": "demo_tools" })
    );
    assert_eq!(
        alert["labels"],
        json!({
            "alertname": page,
            "objective": "demo_tools",
            "severity": "critical",
            "sli": "success",
            "window": "page",
        })
    );
    assert_eq!(
        alert["annotations"]["summary"],
        "Objective demo_tools burns its error budget too fast (page)"
    );
    assert_eq!(alert["annotations"]["value"], "50%");
    assert_eq!(
        alert["annotations"]["runbook"],
        "deploy/README.md#objectiveerrorbudgetburn"
    );

    let page_title = "[FIRING:1] ObjectiveErrorBudgetBurn: objective demo_tools (success)";
    let slack = wait_until("the page in Slack", Duration::from_secs(30), logs, || {
        inbox.slack(page_title)
    });
    let (_, text) = slack_message(&slack);
    for expected in [
        "ObjectiveErrorBudgetBurn on objective demo_tools (success)\n",
        "Objective demo_tools burns its error budget too fast (page)\n",
        "Value: 50%\n",
        "Runbook: https://example.invalid/metrics-toolkit/blob/main/deploy/README.md#objectiveerrorbudgetburn\n",
        "objective=\"demo_tools\"",
    ] {
        assert!(text.contains(expected), "{expected:?} not in the Slack text:\n{text}");
    }
    assert_eq!(slack.body["attachments"][0]["color"], "danger");

    // The tool's warning: by email, authenticated with the password from its file.
    let warning = format!(
        "[FIRING:1] ToolHighErrorRatio, service {JOB}: tool divide of MCP server {server_name}"
    );
    let mail = wait_until(
        "the warning by email",
        Duration::from_secs(60),
        logs,
        || inbox.mail(&warning),
    );
    assert_eq!(
        mail.credentials,
        Some(("alerts@example.org".to_owned(), SMTP_PASSWORD.to_owned()))
    );
    assert_eq!(mail.recipients, ["team@example.org"]);
    for expected in [
        format!("ToolHighErrorRatio on tool divide of MCP server {server_name} in service {JOB}\n"),
        format!("MCP tool divide on {server_name} fails 100% of its calls\n"),
        "Value: 100%\n".to_owned(),
        "Runbook: https://example.invalid/metrics-toolkit/blob/main/deploy/README.md#toolhigherrorratio\n".to_owned(),
        format!("job=\"{JOB}\""),
        format!("service=\"{JOB}\""),
        "severity=\"warning\"".to_owned(),
        "tool=\"divide\"".to_owned(),
    ] {
        assert!(mail.text.contains(&expected), "{expected:?} not in the email:\n{}", mail.text);
    }

    // The ticket fires in Prometheus 15 s after the page, and Alertmanager holds it inhibited.
    let ticket = "ObjectiveErrorBudgetBurnSlow";
    wait_until(
        "the ticket inhibited",
        Duration::from_secs(60),
        logs,
        || {
            let alerts = alertmanager.alerts(ticket)?;
            match alerts.as_slice() {
                [one]
                    if one["status"]["state"] == "suppressed"
                        && one["status"]["inhibitedBy"]
                            .as_array()
                            .is_some_and(|by| !by.is_empty()) =>
                {
                    Ok(())
                }
                _ => Err(format!("{ticket} in Alertmanager: {alerts:?}")),
            }
        },
    );
    // Two group intervals for a notification that must not come: while the page fires, the
    // ticket reaches nobody.
    std::thread::sleep(Duration::from_secs(5));
    for mail in inbox.mails() {
        assert!(
            !mail.text.contains(ticket),
            "the inhibited ticket was emailed:\n{}",
            mail.text
        );
    }
    wait_until(
        "the page still firing",
        Duration::from_secs(1),
        logs,
        || match alertmanager.alerts(page)?.as_slice() {
            [one] if one["status"]["state"] == "active" => Ok(()),
            other => Err(format!("{page} in Alertmanager: {other:?}")),
        },
    );

    // The failures stop: 600 successful divisions bring the tool to 10 / 610 = 1.6% (under 5%)
    // and the objective to 10 / 620 (under the ticket's 3%): everything resolves.
    runtime.block_on(call_tools(mcp, 0, 600));
    wait_until(
        "the resolved page at the webhook",
        Duration::from_secs(60),
        logs,
        || inbox.webhook("resolved", page),
    );
    let resolved_page = wait_until(
        "the resolved page in Slack",
        Duration::from_secs(30),
        logs,
        || inbox.slack("[RESOLVED] ObjectiveErrorBudgetBurn: objective demo_tools (success)"),
    );
    assert_eq!(resolved_page.body["attachments"][0]["color"], "good");
    let resolved = format!(
        "[RESOLVED] ToolHighErrorRatio, service {JOB}: tool divide of MCP server {server_name}"
    );
    wait_until(
        "the resolved warning by email",
        Duration::from_secs(60),
        logs,
        || inbox.mail(&resolved),
    );

    // The tool fails again (50 of its 650 calls: 7.7%, over 5%), then the service goes away:
    // JobDown pages, and silences the tool's warning, which the last 5 minutes of data would
    // otherwise keep firing.
    runtime.block_on(call_tools(mcp, 40, 0));
    let again = wait_until("the warning again", Duration::from_secs(60), logs, || {
        let alerts = alertmanager.alerts("ToolHighErrorRatio")?;
        match alerts.as_slice() {
            [one] if one["status"]["state"] == "active" => Ok(one["fingerprint"].clone()),
            _ => Err(format!("ToolHighErrorRatio in Alertmanager: {alerts:?}")),
        }
    });
    server.stop();
    let (_, job_down) = wait_until(
        "JobDown at the webhook",
        Duration::from_secs(60),
        logs,
        || inbox.webhook("firing", "JobDown"),
    );
    assert_eq!(
        job_down["labels"],
        json!({ "alertname": "JobDown", "job": JOB, "service": JOB, "severity": "critical" })
    );
    wait_until("JobDown in Slack", Duration::from_secs(30), logs, || {
        inbox.slack(&format!("[FIRING:1] JobDown, service {JOB}: job {JOB}"))
    });
    let job_down_fingerprint =
        alertmanager.alerts("JobDown").expect("the alerts API")[0]["fingerprint"].clone();
    wait_until(
        "the warning inhibited by JobDown",
        Duration::from_secs(30),
        logs,
        || {
            let alerts = alertmanager.alerts("ToolHighErrorRatio")?;
            match alerts.as_slice() {
                [one]
                    if one["fingerprint"] == again
                        && one["status"]["state"] == "suppressed"
                        && one["status"]["inhibitedBy"] == json!([job_down_fingerprint]) =>
                {
                    Ok(())
                }
                _ => Err(format!("ToolHighErrorRatio in Alertmanager: {alerts:?}")),
            }
        },
    );

    // Over the whole run: the page receivers got only critical alerts and the email only the
    // others (whatever else fired on this host). The ticket may reach the email after the page
    // resolved: its own threshold (3%) is crossed later than the page's (14.4%) as the ratio
    // falls, and the slow burn is then what is left.
    for mail in inbox.mails() {
        assert!(
            !mail.text.contains("severity=\"critical\""),
            "a critical alert went to the email:\n{}",
            mail.text
        );
    }
    for posted in inbox.posted("/webhook") {
        for alert in webhook_alerts(&posted) {
            assert_eq!(alert["labels"]["severity"], "critical", "{alert}");
        }
    }
    for posted in inbox.posted("/slack") {
        let (title, text) = slack_message(&posted);
        assert!(!text.contains("severity=\"warning\""), "{title}\n{text}");
        assert!(!text.contains(ticket), "the ticket paged: {title}\n{text}");
    }
    let paths: Vec<String> = inbox
        .posted
        .lock()
        .expect("inbox lock")
        .iter()
        .map(|p| p.path.clone())
        .filter(|path| path != "/slack" && path != "/webhook")
        .collect();
    assert!(paths.is_empty(), "posts to unknown paths: {paths:?}");

    drop(prometheus);
    drop(alertmanager);
    let _ = std::fs::remove_dir_all(&dir);
}
