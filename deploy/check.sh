#!/usr/bin/env bash
# Checks the operations kit in deploy/:
#   1. promtool check config   prometheus/prometheus.yml;
#                              prometheus/remote-write.example.yml, as it is and with every
#                              commented entry under remote_write uncommented;
#                              kubernetes/prometheus-kubernetes.yml. A promtool built without
#                              Kubernetes service discovery (Debian's) rejects kubernetes_sd_configs:
#                              then the file is checked with each such block replaced by a static
#                              target (everything else -- relabelling, rule files -- still goes
#                              through promtool) and the blocks themselves in step 6.
#   2. promtool check rules    prometheus/rules/*.yml
#   3. promtool test rules     prometheus/tests/*.yml
#   4. rules and Grafana dashboards: every JSON parses; every PromQL expression (rules, panel
#      targets, template variables) is valid PromQL (checked with promtool) and uses only the
#      metric names metrics-runtime exports or the recording rules in prometheus/rules (panels
#      also cAdvisor's container_* names, see CADVISOR); template variables are used as
#      label=~"$var"; datasources are {"type":"prometheus","uid":"prometheus"};
#      every alert has a severity, summary/description annotations and a runbook annotation
#      naming a heading of deploy/README.md; every threshold is used
#      and guarded by ThresholdRulesMissing; time series and heatmap targets on a
#      *_duration_seconds_bucket histogram have "exemplar": true.
#   5. docker-compose.yml: parses, every bind-mounted path exists, Prometheus runs with
#      exemplar storage, Prometheus' Alertmanager is the compose service that mounts
#      alertmanager/, both Prometheus configurations add `service` to alerts the same way,
#      every static scrape target of prometheus/prometheus.yml is a compose
#      service; the Prometheus datasource links exemplars' trace_id to a provisioned datasource.
#   6. kubernetes/ and remote_write: the Service, ServiceMonitor, PodMonitor and example
#      Deployment have the right apiVersion/kind and a metadata.name; the monitors'
#      spec.selector.matchLabels match the Service's labels and the pods' labels; their
#      endpoints use the port named `metrics` (a port of the Service and of the container), path
#      /metrics; the pods' prometheus.io/* annotations match that port; prometheus-kubernetes.yml
#      discovers pods (role: pod), keeps pods by the prometheus.io/scrape annotation, uses the
#      port and path annotations and sets namespace, pod and instance. remote-write.example.yml
#      has no inline secrets (only password_file / credentials_file) and entries for Mimir
#      (/api/v1/push with X-Scope-OrgID), Thanos Receive (/api/v1/receive) and VictoriaMetrics
#      (/api/v1/write).
#
#   7. alertmanager/alertmanager.yml: amtool check-config, and `amtool config routes test` for
#      every alert of prometheus/rules/ with the receivers alertmanager/routes_test.yml expects
#      (which must list every alert).
#
# Needs promtool, amtool (Debian's prometheus-alertmanager) and python3 with PyYAML
# (Debian's python3-yaml).
#
# Usage: deploy/check.sh            (from any directory; PROMTOOL=/path/to/promtool and
#                                    AMTOOL=/path/to/amtool to override)
# Exits non-zero on the first failing promtool step or on any problem found in steps 4-6.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
PROMTOOL="${PROMTOOL:-promtool}"
AMTOOL="${AMTOOL:-amtool}"

if ! command -v "$PROMTOOL" >/dev/null 2>&1; then
    echo "check.sh: promtool not found (install Debian's 'prometheus' package or set PROMTOOL)" >&2
    exit 2
fi
if ! command -v "$AMTOOL" >/dev/null 2>&1; then
    echo "check.sh: amtool not found (install Debian's 'prometheus-alertmanager' package or set AMTOOL)" >&2
    exit 2
fi
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
    echo "check.sh: python3 with PyYAML not found (install Debian's python3-yaml, or pip install pyyaml)" >&2
    exit 2
fi

echo "== promtool: $("$PROMTOOL" --version 2>&1 | head -n1)"
echo
tmp="$(mktemp -d)"
# Variants of config files are written next to the original, so that their relative paths
# (rule files, file_sd files) resolve as in the original; removed on exit.
variants=()
trap 'rm -rf "$tmp"; rm -f ${variants[@]+"${variants[@]}"}' EXIT

# $1: config file; $2: what to do (uncomment-remote-write | static-instead-of-kubernetes-sd).
# Writes the variant next to $1, its path in $VARIANT.
make_variant() {
    VARIANT="$(dirname "$1")/.check-$$-$(basename "$1")"
    variants+=("$VARIANT")
    python3 - "$1" "$2" "$VARIANT" <<'PY'
import re, sys
src, how, out = sys.argv[1:]
text = open(src).read()
if how == "uncomment-remote-write":
    # In the remote_write section (up to the next top-level key), commented lines that are
    # YAML -- "# - key: ...", "# key: ...", "#   key: ..." -- are uncommented; prose comments
    # (starting with a capital, a parenthesis, an URL ...) stay comments.
    lines, inside, n = text.splitlines(), False, 0
    for i, line in enumerate(lines):
        if re.match(r"^[A-Za-z_]", line):
            inside = line.startswith("remote_write:")
            continue
        m = re.match(r"^(\s*)# ((?: *)(?:- )?(?:[a-z_][\w-]*|[A-Z][A-Za-z-]*-[A-Za-z-]+):(?:\s.*)?)$", line)
        if inside and m:
            lines[i] = m.group(1) + m.group(2)
            n += 1
    if n == 0:
        sys.exit(f"{src}: no commented remote_write example found")
    text = "\n".join(lines) + "\n"
elif how == "static-instead-of-kubernetes-sd":
    text, n = re.subn(r"(?m)^( *)kubernetes_sd_configs:\n(?:(?:\1 .*|\s*#.*|\s*)\n)*",
                      lambda m: f'{m.group(1)}static_configs:\n{m.group(1)}  - targets: ["kubernetes-sd-placeholder:9000"]\n',
                      text)
    if n == 0:
        sys.exit(f"{src}: no kubernetes_sd_configs block")
open(out, "w").write(text)
PY
}

echo "== [1/7] promtool check config"
echo "-- prometheus/prometheus.yml"
"$PROMTOOL" check config prometheus/prometheus.yml
echo "-- prometheus/remote-write.example.yml"
"$PROMTOOL" check config prometheus/remote-write.example.yml
echo "-- prometheus/remote-write.example.yml with the commented remote_write entries uncommented"
make_variant prometheus/remote-write.example.yml uncomment-remote-write
RW_VARIANT="$VARIANT"
"$PROMTOOL" check config "$RW_VARIANT"
echo "-- kubernetes/prometheus-kubernetes.yml"
if ! k8s_out="$("$PROMTOOL" check config kubernetes/prometheus-kubernetes.yml 2>&1)"; then
    if grep -q "field kubernetes_sd_configs not found" <<<"$k8s_out"; then
        echo "  this promtool has no Kubernetes service discovery (Debian's build): checking the"
        echo "  file with its kubernetes_sd_configs blocks replaced by a static target (step 6"
        echo "  checks the blocks)"
        make_variant kubernetes/prometheus-kubernetes.yml static-instead-of-kubernetes-sd
        "$PROMTOOL" check config "$VARIANT"
    else
        echo "$k8s_out"
        exit 1
    fi
else
    echo "$k8s_out"
fi
echo
echo "== [2/7] promtool check rules prometheus/rules/*.yml"
"$PROMTOOL" check rules prometheus/rules/*.yml
echo
echo "== [3/7] promtool test rules prometheus/tests/*.yml"
"$PROMTOOL" test rules prometheus/tests/*.yml
echo

echo "== [4/7] rules and dashboards: metric names, PromQL syntax, variables, datasources"
echo "== [5/7] docker-compose.yml and Grafana provisioning"
echo "== [6/7] kubernetes/ manifests and remote_write"
PROMTOOL="$PROMTOOL" TMPDIR_CHECK="$tmp" RW_VARIANT="$RW_VARIANT" python3 - <<'PY'
import glob, json, os, re, subprocess, sys

problems = []
def problem(msg):
    problems.append(msg)
    print("  PROBLEM: " + msg)

import yaml  # PyYAML (Debian's python3-yaml): rules, compose file, Kubernetes manifests

def load_all(path):
    """The documents of a YAML file."""
    return [d for d in yaml.safe_load_all(open(path).read()) if d is not None]

# --- What metrics-runtime exports (keep in sync with the toolkit) ----------------------------
HISTOGRAMS = ["function_call_duration_seconds", "mcp_tool_call_duration_seconds"]
EXPORTED = {
    # #[monitored]
    "function_calls_total", "function_errors_total", "function_calls_in_flight",
    # #[tool_call]
    "mcp_tool_calls_total", "mcp_tool_errors_total", "mcp_tool_calls_in_flight",
    # objectives (#[monitored(objective = ...)]), see rules/objectives.yml
    "objective_calls_total", "objective_errors_total", "objective_latency_good_total",
    "objective_target_ratio", "objective_latency_threshold_seconds",
    # runtime / production
    "service_health", "build_info",
    "process_start_time_seconds", "process_cpu_seconds_total", "process_resident_memory_bytes",
    "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_threads",
    "host_cpu_usage_ratio", "host_memory_used_bytes", "host_memory_total_bytes",
    "host_disk_used_bytes", "host_disk_total_bytes", "host_network_received_bytes_total",
    "host_network_transmitted_bytes_total", "host_uptime_seconds",
    # Prometheus itself
    "up",
}
for h in HISTOGRAMS:
    # The classic series, and the native histogram itself (over the protobuf format).
    EXPORTED |= {h, h + "_bucket", h + "_sum", h + "_count"}

# --- cAdvisor's container metrics (not metrics-runtime's): the "Containers (cAdvisor)" row of
# host-process.json; docker-compose.yml runs cAdvisor, prometheus/prometheus.yml scrapes it as
# job cadvisor. Dashboards only: the rules and alerts use metrics-runtime's names alone.
CADVISOR = {
    "container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
    "container_network_receive_bytes_total", "container_network_transmit_bytes_total",
}

PROMQL_FUNCS = set("""
abs absent absent_over_time ceil changes clamp clamp_max clamp_min day_of_month day_of_week
day_of_year days_in_month delta deriv exp floor histogram_count histogram_sum histogram_fraction
histogram_quantile holt_winters hour idelta increase irate label_join label_replace ln log2 log10
minute month predict_linear rate resets round scalar sgn sort sort_desc sqrt time timestamp vector
year avg_over_time min_over_time max_over_time sum_over_time count_over_time quantile_over_time
stddev_over_time stdvar_over_time last_over_time present_over_time acos acosh asin asinh atan
atanh cos cosh sin sinh tan tanh deg pi rad
sum min max avg group stddev stdvar count count_values bottomk topk quantile
""".split())
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
            "unless", "offset", "atan2", "inf", "nan"}

def names_in(expr):
    """Metric names and function names used by a PromQL expression."""
    s = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', '""', expr)
    if "__name__" in s:
        return {"__name__"}, set()
    s = re.sub(r"\{[^}]*\}", " ", s)           # label matchers
    s = re.sub(r"\[[^\]]*\]", " ", s)          # range / subquery windows
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    metrics, funcs = set(), set()
    for m in re.finditer(r"(?<![\w:.$])([A-Za-z_:][\w:]*)", s):
        ident = m.group(1)
        if ident.lower() in KEYWORDS:
            continue
        if s[m.end():].lstrip().startswith("("):
            funcs.add(ident)
        else:
            metrics.add(ident)
    return metrics, funcs

# --- Rules ---------------------------------------------------------------------------------
rule_files = sorted(glob.glob("prometheus/rules/*.yml"))
all_rules = {}
for f in rule_files:
    doc = yaml.safe_load(open(f).read()) or {}
    all_rules[f] = [r for g in doc.get("groups", []) for r in g.get("rules", [])]

RECORDS = {r["record"] for rs in all_rules.values() for r in rs if "record" in r}
RULES_ALLOWED = EXPORTED | RECORDS
ALLOWED = RULES_ALLOWED | CADVISOR     # dashboards
print(f"  rules: {len(RECORDS)} recording rules, "
      f"{sum(1 for rs in all_rules.values() for r in rs if 'alert' in r)} alerts in {len(rule_files)} files")

exprs_for_promtool = []   # (where, expr)
checked_exprs = 0
used_metrics = set()

# Grafana's own interval variables the dashboards may use, and what they stand for here.
BUILTIN_INTERVALS = {"__rate_interval": "1m", "__range": "5m"}

def check_expr(where, expr, allowed_vars=frozenset()):
    global checked_exprs
    checked_exprs += 1
    if not expr or not expr.strip():
        problem(f"{where}: empty expr")
        return
    for m in re.finditer(r"\$\{?(\w+)\}?", expr):
        v = m.group(1)
        if v in BUILTIN_INTERVALS:
            continue
        if v not in allowed_vars:
            problem(f"{where}: uses ${v}, which is not a template variable of this dashboard "
                    f"(allowed: {', '.join('$' + b for b in sorted(BUILTIN_INTERVALS))} and "
                    f"{sorted(allowed_vars) or 'none'})")
    n_vars = len(re.findall(r"\$\{?(?!__rate_interval\b|__range\b)\w+", expr))
    n_ok = len(re.findall(r'\w+\s*=~\s*"\$\{?\w+\}?"', expr))
    if n_vars != n_ok:
        problem(f'{where}: template variables must be used as label=~"$var": {expr}')
    metrics, funcs = names_in(expr)
    for f in sorted(funcs - PROMQL_FUNCS):
        problem(f"{where}: unknown PromQL function {f}()")
    for name in sorted(metrics - ALLOWED):
        problem(f"{where}: metric {name!r} is neither exported by metrics-runtime nor cAdvisor "
                f"nor a recording rule")
    used_metrics.update(metrics)
    concrete = expr
    for builtin, value in BUILTIN_INTERVALS.items():
        concrete = concrete.replace("${" + builtin + "}", value).replace("$" + builtin, value)
    concrete = re.sub(r"\$\{?\w+\}?", ".*", concrete)
    exprs_for_promtool.append((where, concrete))

# rules: metric names (syntax already checked by promtool check rules)
for f, rs in all_rules.items():
    for r in rs:
        name = r.get("record") or r.get("alert")
        metrics, funcs = names_in(str(r.get("expr", "")))
        for m in sorted(metrics - RULES_ALLOWED):
            problem(f"{f} {name}: metric {m!r} is neither exported by metrics-runtime nor a recording rule")
        for fn in sorted(funcs - PROMQL_FUNCS):
            problem(f"{f} {name}: unknown PromQL function {fn}()")

# alerts: severity, annotations, thresholds wiring
README_ANCHORS = {
    re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
    for m in re.finditer(r"^#+\s+(.*)$", open("README.md").read(), re.M)
}
alerts = [r for rs in all_rules.values() for r in rs if "alert" in r]
for a in alerts:
    sev = (a.get("labels") or {}).get("severity")
    if sev not in ("warning", "critical"):
        problem(f"alert {a['alert']}: severity label must be warning or critical, is {sev!r}")
    ann = a.get("annotations") or {}
    for k in ("summary", "description", "runbook"):
        if not ann.get(k):
            problem(f"alert {a['alert']}: missing annotation {k}")
    # The runbook is a heading of deploy/README.md (GitHub's anchor: lower case, spaces to -).
    runbook = str(ann.get("runbook", ""))
    if runbook and not runbook.startswith(("http://", "https://")):
        path, _, anchor = runbook.partition("#")
        if path != "deploy/README.md" or anchor not in README_ANCHORS:
            problem(f"alert {a['alert']}: runbook {runbook!r} is not a heading of deploy/README.md")
    if "for" not in a:
        problem(f"alert {a['alert']}: no `for:` duration")
print(f"  alerts: severity / summary / description / runbook / for checked for {len(alerts)} alerts")
thresholds = sorted(r for r in RECORDS if r.startswith("metrics_runtime:threshold:"))
meta = [a for a in alerts if a["alert"] == "ThresholdRulesMissing"]
for t in thresholds:
    users = [a["alert"] for a in alerts if a["alert"] != "ThresholdRulesMissing"
             and re.search(re.escape(t) + r"(?![\w:])", str(a.get("expr", "")))]
    if not users:
        problem(f"threshold {t} is not used by any alert")
    if not meta or not re.search(r"absent\(\s*" + re.escape(t) + r"\s*\)", str(meta[0].get("expr", ""))):
        problem(f"threshold {t} is not covered by the ThresholdRulesMissing alert")
print(f"  thresholds: {len(thresholds)} threshold series, each used by an alert and guarded")

# --- Dashboards -------------------------------------------------------------------------------
DS = {"type": "prometheus", "uid": "prometheus"}
VARS_ALLOWED = {"module", "function", "server", "tool", "objective", "instance"}   # what the e2e test substitutes

def walk_panels(panels):
    for p in panels or []:
        yield p
        yield from walk_panels(p.get("panels"))

dash_files = sorted(glob.glob("grafana/dashboards/*.json"))
if not dash_files:
    problem("no dashboards in grafana/dashboards")
uids = {}
n_targets = 0
n_exemplar = n_exemplar_missing = 0
for f in dash_files:
    try:
        d = json.load(open(f))
    except json.JSONDecodeError as e:
        problem(f"{f}: invalid JSON: {e}")
        continue
    for k in ("uid", "title", "schemaVersion", "panels"):
        if k not in d:
            problem(f"{f}: missing top-level {k!r}")
    if d.get("uid") in uids:
        problem(f"{f}: uid {d.get('uid')!r} also used by {uids[d.get('uid')]}")
    uids[d.get("uid")] = f
    variables = {}
    for v in (d.get("templating") or {}).get("list", []):
        variables[v.get("name")] = v
        if v.get("name") not in VARS_ALLOWED:
            problem(f"{f}: template variable ${v.get('name')} is not one of {sorted(VARS_ALLOWED)}")
        if v.get("type") == "query":
            if v.get("datasource") != DS:
                problem(f"{f}: variable ${v.get('name')}: datasource must be {DS}")
            q = v.get("query")
            q = q.get("query") if isinstance(q, dict) else q
            m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", q or "")
            if not m:
                problem(f"{f}: variable ${v.get('name')}: expected label_values(<selector>, <label>), got {q!r}")
            else:
                check_expr(f"{f} variable ${v.get('name')}", m.group(1), frozenset(variables) - {v.get("name")})
    allowed_vars = frozenset(variables)
    ids = set()
    for p in walk_panels(d.get("panels")):
        where = f"{f} panel {p.get('title')!r}"
        if p.get("id") in ids:
            problem(f"{where}: duplicate panel id {p.get('id')}")
        ids.add(p.get("id"))
        if p.get("type") == "row":
            continue
        if "gridPos" not in p:
            problem(f"{where}: no gridPos")
        ts = p.get("targets") or []
        if not ts:
            problem(f"{where}: no targets")
        if p.get("datasource") != DS:
            problem(f"{where}: datasource must be {DS}, is {p.get('datasource')}")
        refs = set()
        for t in ts:
            n_targets += 1
            if t.get("refId") in refs:
                problem(f"{where}: duplicate refId {t.get('refId')}")
            refs.add(t.get("refId"))
            if t.get("datasource") != DS:
                problem(f"{where} target {t.get('refId')}: datasource must be {DS}")
            check_expr(f"{where} target {t.get('refId')}", t.get("expr", ""), allowed_vars)
            if (p.get("type") in ("timeseries", "heatmap") and "_duration_seconds_bucket" in t.get("expr", "")
                    and t.get("exemplar") is not True):
                problem(f'{where} target {t.get("refId")}: a latency histogram, needs "exemplar": true')
                n_exemplar_missing += 1
            elif t.get("exemplar") is True:
                n_exemplar += 1
    print(f"  {f}: uid {d.get('uid')}, {len(ids)} panels, variables {sorted(variables) or 'none'}")

# PromQL syntax of every dashboard expression: as recording rules through promtool
tmpdir = os.environ["TMPDIR_CHECK"]
groups = [{"name": f"expr_{i}", "rules": [{"record": f"dashboard_check:expr_{i}", "expr": e}]}
          for i, (_, e) in enumerate(exprs_for_promtool)]
path = os.path.join(tmpdir, "dashboard_exprs.yml")
with open(path, "w") as fh:
    json.dump({"groups": groups}, fh, indent=1)   # JSON is YAML
res = subprocess.run([os.environ["PROMTOOL"], "check", "rules", path], capture_output=True, text=True)
if res.returncode != 0:
    out = res.stdout + res.stderr
    for i, (where, e) in enumerate(exprs_for_promtool):
        if re.search(rf"\bexpr_{i}\b", out):
            problem(f"{where}: promtool rejects the expression: {e}")
    problem("promtool check rules on the dashboard expressions failed:\n" + out)
print(f"  dashboards: {len(dash_files)} files, {n_targets} targets, {checked_exprs} expressions "
      f"(with variables) checked; PromQL syntax via promtool: "
      f"{'ok' if res.returncode == 0 else 'FAILED'}")
print(f"  metric names used: {len(used_metrics)} ({len(used_metrics & RECORDS)} of them recording rules, "
      f"{len(used_metrics & CADVISOR)} cAdvisor's)")
print(f"  exemplars: {n_exemplar} latency targets with \"exemplar\": true, {n_exemplar_missing} missing")

# --- docker-compose.yml and provisioning -------------------------------------------------------
compose = open("docker-compose.yml").read()
def load_one(path):
    try:
        docs = load_all(path)
    except yaml.YAMLError as e:
        problem(f"{path}: invalid YAML: {e}")
        return None
    if len(docs) != 1 or not isinstance(docs[0], dict):
        problem(f"{path}: expected one YAML mapping, got {len(docs)} document(s)")
        return None
    return docs[0]
compose_doc = load_one("docker-compose.yml") or {}
prom_doc = load_one("prometheus/prometheus.yml") or {}
services = compose_doc.get("services") or {}
print(f"  docker-compose.yml: YAML parses (PyYAML), "
      f"services {', '.join(services)}")
for f in glob.glob("grafana/provisioning/*/*.yml"):
    try:
        yaml.safe_load(open(f))
    except yaml.YAMLError as e:
        problem(f"{f}: invalid YAML: {e}")
# Every static target of prometheus.yml is a service of the compose file (its host part).
static_hosts = {}
for sc in prom_doc.get("scrape_configs") or []:
    for st in sc.get("static_configs") or []:
        for target in st.get("targets") or []:
            static_hosts[target] = sc.get("job_name")
for target, job in sorted(static_hosts.items()):
    if target.rsplit(":", 1)[0] not in services:
        problem(f"prometheus/prometheus.yml job {job}: target {target} is not a service of docker-compose.yml")
print(f"  prometheus.yml static targets in docker-compose.yml: "
      f"{', '.join(f'{t} ({j})' for t, j in sorted(static_hosts.items()))}")
# Alerts go to the compose file's Alertmanager, which mounts alertmanager/ where its config
# expects it; both Prometheus configurations add `service` to the alerts the same way.
alerting = prom_doc.get("alerting") or {}
am_targets = [t for am in alerting.get("alertmanagers") or [] for sc in am.get("static_configs") or []
              for t in sc.get("targets") or []]
if not am_targets:
    problem("prometheus/prometheus.yml: no alerting.alertmanagers target")
for target in am_targets:
    if target.rsplit(":", 1)[0] not in services:
        problem(f"prometheus/prometheus.yml: Alertmanager {target} is not a service of docker-compose.yml")
am_service = services.get("alertmanager") or {}
if not str(am_service.get("image", "")).startswith("prom/alertmanager:"):
    problem("docker-compose.yml: no alertmanager service with image prom/alertmanager:<version>")
if "./alertmanager:/etc/alertmanager:ro" not in (am_service.get("volumes") or []):
    problem("docker-compose.yml: alertmanager does not mount ./alertmanager at /etc/alertmanager")
k8s_prom = load_one("kubernetes/prometheus-kubernetes.yml") or {}
relabel = alerting.get("alert_relabel_configs")
if not relabel or not any(r.get("target_label") == "service" for r in relabel):
    problem("prometheus/prometheus.yml: no alert_relabel_configs setting `service`")
if (k8s_prom.get("alerting") or {}).get("alert_relabel_configs") != relabel:
    problem("kubernetes/prometheus-kubernetes.yml: alert_relabel_configs differ from prometheus/prometheus.yml")
print(f"  alerting: Alertmanager {', '.join(am_targets)} in docker-compose.yml; "
      f"`service` relabelling the same in both Prometheus configurations")
cadvisor = services.get("cadvisor") or {}
if not str(cadvisor.get("image", "")).startswith("gcr.io/cadvisor/cadvisor:"):
    problem("docker-compose.yml: no cadvisor service with image gcr.io/cadvisor/cadvisor:<version>")
for v in ("/:/rootfs:ro", "/var/run:/var/run:ro", "/sys:/sys:ro", "/var/lib/docker/:/var/lib/docker:ro",
          "/dev/disk/:/dev/disk:ro"):
    if v not in (cadvisor.get("volumes") or []):
        problem(f"docker-compose.yml: cadvisor lacks the read-only host mount {v}")
mounts = re.findall(r"^\s*-\s*[\"']?(\.{1,2}(?:/[^:\"']*)?):", compose, re.M)
for m in mounts:
    if not os.path.exists(m):
        problem(f"docker-compose.yml: bind-mounted path {m} does not exist (relative to deploy/)")
print(f"  docker-compose.yml: {len(mounts)} bind mounts checked: {', '.join(mounts)}")
if not re.search(r"^\s*-\s*--enable-feature=(?:[\w-]+,)*exemplar-storage\b", compose, re.M):
    problem("docker-compose.yml: Prometheus needs --enable-feature=exemplar-storage to keep exemplars")
ds = [d for f in sorted(glob.glob("grafana/provisioning/datasources/*.yml"))
      for d in (yaml.safe_load(open(f)) or {}).get("datasources") or []]
ds_uids = {d.get("uid") for d in ds}
prom = [d for d in ds if d.get("uid") == "prometheus"]
dests = ((prom[0].get("jsonData") or {}).get("exemplarTraceIdDestinations") or []) if prom else []
if not any(x.get("name") == "trace_id" for x in dests):
    problem("datasource prometheus: no exemplarTraceIdDestinations entry for the trace_id label")
for x in dests:
    if x.get("datasourceUid") not in ds_uids:
        problem(f"datasource prometheus: exemplar destination {x.get('datasourceUid')!r} is not a provisioned datasource uid")
print(f"  datasources: {', '.join(sorted(str(u) for u in ds_uids))}; exemplar trace_id -> "
      f"{', '.join(str(x.get('datasourceUid')) for x in dests) or 'none'}")
for f in ("grafana/provisioning/datasources/prometheus.yml", "grafana/provisioning/datasources/jaeger.yml",
          "grafana/provisioning/dashboards/dashboards.yml", "prometheus/targets/example.json"):
    if not os.path.isfile(f):
        problem(f"missing {f}")
json.load(open("prometheus/targets/example.json"))

# --- 6. kubernetes/ and remote_write ----------------------------------------------------------
def get(doc, *path):
    for p in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(p)
    return doc

def manifests(path, expected):
    """{kind: document} of a manifest file; `expected` maps each kind to its apiVersion."""
    try:
        docs = load_all(path)
    except Exception as e:
        problem(f"{path}: invalid YAML: {e}")
        return {}
    out = {}
    for d in docs:
        kind = get(d, "kind")
        if kind not in expected:
            problem(f"{path}: unexpected document of kind {kind!r} (expected {sorted(expected)})")
            continue
        if kind in out:
            problem(f"{path}: two documents of kind {kind}")
        if d.get("apiVersion") != expected[kind]:
            problem(f"{path} {kind}: apiVersion must be {expected[kind]}, is {d.get('apiVersion')!r}")
        if not get(d, "metadata", "name"):
            problem(f"{path} {kind}: no metadata.name")
        out[kind] = d
    for kind in sorted(set(expected) - set(out)):
        problem(f"{path}: no {kind}")
    return out

def selects(selector, labels, what):
    """`selector` (a matchLabels mapping) is non-empty and every pair is in `labels`."""
    if not isinstance(selector, dict) or not selector:
        problem(f"{what}: empty or missing selector")
        return
    if not isinstance(labels, dict):
        labels = {}
    missing = {k: v for k, v in selector.items() if labels.get(k) != v}
    if missing:
        problem(f"{what}: selector {selector} does not match the labels {labels}")

svc_file = manifests("kubernetes/servicemonitor.yaml", {"Service": "v1", "ServiceMonitor": "monitoring.coreos.com/v1"})
pm_file = manifests("kubernetes/podmonitor.yaml", {"PodMonitor": "monitoring.coreos.com/v1"})
dep_file = manifests("kubernetes/deployment.example.yaml", {"Deployment": "apps/v1"})
svc, sm = svc_file.get("Service") or {}, svc_file.get("ServiceMonitor") or {}
pm, dep = pm_file.get("PodMonitor") or {}, dep_file.get("Deployment") or {}
pod_labels = get(dep, "spec", "template", "metadata", "labels") or {}
pod_annotations = get(dep, "spec", "template", "metadata", "annotations") or {}
containers = get(dep, "spec", "template", "spec", "containers") or []
container_ports = {p.get("name"): p.get("containerPort")
                   for c in containers for p in (c.get("ports") or []) if isinstance(p, dict)}
svc_ports = {p.get("name"): p for p in (get(svc, "spec", "ports") or []) if isinstance(p, dict)}

if dep:
    selects(get(dep, "spec", "selector", "matchLabels"), pod_labels, "deployment.example.yaml Deployment")
    if container_ports.get("metrics") != 9000:
        problem(f"deployment.example.yaml: no container port named metrics = 9000 ({container_ports})")
    for key, want in (("prometheus.io/scrape", "true"), ("prometheus.io/port", str(container_ports.get("metrics"))),
                      ("prometheus.io/path", "/metrics")):
        if pod_annotations.get(key) != want:
            problem(f"deployment.example.yaml: pod annotation {key} must be the string {want!r}, "
                    f"is {pod_annotations.get(key)!r}")
if svc:
    selects(get(svc, "spec", "selector"), pod_labels, "servicemonitor.yaml Service (its pods)")
    mp = svc_ports.get("metrics") or {}
    if mp.get("port") != 9000:
        problem(f"servicemonitor.yaml Service: no port named metrics = 9000 ({sorted(svc_ports)})")
    if mp.get("targetPort") not in ("metrics", container_ports.get("metrics")):
        problem(f"servicemonitor.yaml Service: port metrics targets {mp.get('targetPort')!r}, "
                f"not the container port named metrics")
for path, mon, endpoints_key, labels in (
        ("servicemonitor.yaml", sm, "endpoints", get(svc, "metadata", "labels")),
        ("podmonitor.yaml", pm, "podMetricsEndpoints", pod_labels)):
    if not mon:
        continue
    what = f"{path} {mon.get('kind')}"
    selects(get(mon, "spec", "selector", "matchLabels"), labels,
            f"{what} (against the {'Service' if endpoints_key == 'endpoints' else 'pod'} labels)")
    if mon.get("kind") == "PodMonitor":
        # The pods behind the Service are the ones the PodMonitor means too.
        selects(get(mon, "spec", "selector", "matchLabels"), get(svc, "spec", "selector"),
                f"{what} (against the Service's pod selector)")
    job_label = get(mon, "spec", "jobLabel")
    if job_label is not None and job_label not in (labels or {}):
        problem(f"{what}: jobLabel {job_label!r} is not a label of the selected objects")
    eps = get(mon, "spec", endpoints_key) or []
    if not eps:
        problem(f"{what}: no spec.{endpoints_key}")
    for ep in eps:
        if ep.get("port") != "metrics":
            problem(f"{what}: endpoint port must be the port named 'metrics', is {ep.get('port')!r}")
        if ep.get("path") != "/metrics":
            problem(f"{what}: endpoint path must be /metrics, is {ep.get('path')!r}")
        if ep.get("interval") != "15s":
            problem(f"{what}: endpoint interval must be 15s (the alerts' `for:` assume it), is {ep.get('interval')!r}")
print(f"  kubernetes: Service/ServiceMonitor, PodMonitor, Deployment: selectors "
      f"{get(sm, 'spec', 'selector', 'matchLabels')}, port metrics, path /metrics checked")

# prometheus-kubernetes.yml: what promtool cannot see (or cannot check at all without
# Kubernetes service discovery).
kp = "kubernetes/prometheus-kubernetes.yml"
kdoc = load_one(kp) or {}
kjobs = kdoc.get("scrape_configs") or []
if not kjobs:
    problem(f"{kp}: no scrape_configs")
for sc in kjobs:
    what = f"{kp} job {sc.get('job_name')}"
    sds = sc.get("kubernetes_sd_configs") or []
    if not sds or any(not isinstance(s, dict) or s.get("role") != "pod" for s in sds):
        problem(f"{what}: needs kubernetes_sd_configs with role: pod, has {sds!r}")
    for s in sds:
        unknown = set(s) - {"role", "namespaces", "api_server", "selectors", "attach_metadata",
                            "kubeconfig_file", "basic_auth", "authorization", "oauth2", "tls_config",
                            "proxy_url", "follow_redirects", "enable_http2"}
        if unknown:
            problem(f"{what}: unknown kubernetes_sd_configs fields {sorted(unknown)}")
    rcs = sc.get("relabel_configs") or []
    def uses(source, action=None, target=None, regex=None):
        return any(source in (r.get("source_labels") or [])
                   and (action is None or r.get("action", "replace") == action)
                   and (target is None or r.get("target_label") == target)
                   and (regex is None or str(r.get("regex")) == regex) for r in rcs)
    ann = "__meta_kubernetes_pod_annotation_prometheus_io_"
    if not uses(ann + "scrape", action="keep", regex="true"):
        problem(f"{what}: no `keep` on the prometheus.io/scrape annotation being \"true\"")
    if not uses(ann + "port", target="__address__"):
        problem(f"{what}: the prometheus.io/port annotation does not set __address__")
    if not uses(ann + "path", target="__metrics_path__"):
        problem(f"{what}: the prometheus.io/path annotation does not set __metrics_path__")
    for target, source in (("namespace", "__meta_kubernetes_namespace"), ("pod", "__meta_kubernetes_pod_name"),
                           ("instance", None)):
        if not any(r.get("target_label") == target and (source is None or source in (r.get("source_labels") or []))
                   for r in rcs):
            problem(f"{what}: no relabelling sets the {target} label" + (f" from {source}" if source else ""))
kdir = os.path.dirname(kp)
for rf in kdoc.get("rule_files") or []:
    if not glob.glob(os.path.join(kdir, rf)):
        problem(f"{kp}: rule_files entry {rf!r} matches no file (relative to {kdir}/)")
print(f"  {kp}: {len(kjobs)} job(s), role pod, scrape/port/path annotations, namespace/pod/instance labels checked")

# remote-write.example.yml: secrets only from files; the three stores' endpoints.
rw = "prometheus/remote-write.example.yml"
rw_text = open(rw).read()
for no, line in enumerate(rw_text.splitlines(), 1):
    m = re.match(r"^\s*#?\s*(?:- )?(password|credentials|bearer_token|client_secret)\s*:", line)
    if m:
        problem(f"{rw}:{no}: inline secret `{m.group(1)}:`; use {m.group(1)}_file")
rw_doc = load_one(rw) or {}
if len(rw_doc.get("remote_write") or []) != 1:
    problem(f"{rw}: exactly one remote_write entry should be active (the others commented out)")
# The commented entries, as step 1 uncommented them for promtool.
entries = (load_one(os.environ["RW_VARIANT"]) or {}).get("remote_write") or []
for suffix, header in (("/api/v1/push", "X-Scope-OrgID"), ("/api/v1/receive", None), ("/api/v1/write", None)):
    found = [e for e in entries if str(e.get("url", "")).endswith(suffix)]
    if not found:
        problem(f"{rw}: no remote_write example with a URL ending in {suffix}")
    elif header and header not in (found[0].get("headers") or {}):
        problem(f"{rw}: the {suffix} example sets no {header} header")
for e in entries:
    if not (get(e, "basic_auth", "password_file") or get(e, "authorization", "credentials_file")):
        problem(f"{rw}: remote_write {e.get('name')}: credentials via basic_auth.password_file or "
                f"authorization.credentials_file")
print(f"  {rw}: {len(entries)} remote_write examples ({', '.join(str(e.get('name')) for e in entries)}), "
      f"no inline secrets")

if problems:
    print(f"\nFAILED: {len(problems)} problem(s)")
    sys.exit(1)
print("\nOK: steps 4-6 passed")
PY

echo
echo "== [7/7] alertmanager/: amtool check-config, and the receiver of every alert"
echo "-- amtool: $("$AMTOOL" --version 2>&1 | head -n1)"
"$AMTOOL" check-config alertmanager/alertmanager.yml
# alertmanager/routes_test.yml names the receivers of every alert of prometheus/rules/; each
# case is the alert's own labels (alertname and the rule's static labels) plus the labels it
# gets at run time (service, job, ...) as listed there. The list must name every alert.
python3 - >"$tmp/routes" <<'PY'
import glob, sys, yaml
cases = yaml.safe_load(open("alertmanager/routes_test.yml"))
rules = {}
for path in sorted(glob.glob("prometheus/rules/*.yml")):
    for group in (yaml.safe_load(open(path)) or {}).get("groups") or []:
        for rule in group.get("rules") or []:
            if "alert" in rule:
                rules[rule["alert"]] = {k: str(v) for k, v in (rule.get("labels") or {}).items()}
listed = {c["alert"] for c in cases["alerts"]}
bad = sorted(set(rules) - listed) + sorted(listed - set(rules))
for name in sorted(set(rules) - listed):
    print(f"PROBLEM alertmanager/routes_test.yml: alert {name} of prometheus/rules/ is not listed", file=sys.stderr)
for name in sorted(listed - set(rules)):
    print(f"PROBLEM alertmanager/routes_test.yml: {name} is not an alert of prometheus/rules/", file=sys.stderr)
if bad:
    sys.exit(1)
def emit(receivers, labels):
    print(",".join(receivers) + "\t" + " ".join(f'{k}={v}' for k, v in labels.items()))
for case in cases["alerts"]:
    labels = {"alertname": case["alert"], **rules[case["alert"]], **{k: str(v) for k, v in (case.get("labels") or {}).items()}}
    emit(case["receivers"], labels)
for case in cases.get("other") or []:
    emit(case["receivers"], {k: str(v) for k, v in case["labels"].items()})
PY
routes=0
while IFS=$'\t' read -r receivers labels; do
    # shellcheck disable=SC2086 # one argument per label
    if ! out="$("$AMTOOL" config routes test --config.file=alertmanager/alertmanager.yml \
        --verify.receivers="$receivers" $labels 2>&1)"; then
        got="$(printf '%s\n' "$out" | grep -v -e 'overrides the --alertmanager.url' -e '^WARNING' | paste -sd, -)"
        echo "  PROBLEM: {$labels} reaches $got, expected $receivers" >&2
        exit 1
    fi
    routes=$((routes + 1))
done <"$tmp/routes"
echo "  amtool config routes test: $routes label sets reach the expected receivers"
echo
echo "OK: all checks passed"
