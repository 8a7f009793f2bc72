#!/usr/bin/env bash
# Checks the operations kit in deploy/:
#   1. promtool check config   prometheus/prometheus.yml
#   2. promtool check rules    prometheus/rules/*.yml
#   3. promtool test rules     prometheus/tests/*.yml
#   4. rules and Grafana dashboards: every JSON parses; every PromQL expression (rules, panel
#      targets, template variables) is valid PromQL (checked with promtool) and uses only the
#      metric names metrics-runtime exports or the recording rules in prometheus/rules; template
#      variables are used as label=~"$var"; datasources are {"type":"prometheus","uid":"prometheus"};
#      every alert has a severity and summary/description annotations; every threshold is used
#      and guarded by ThresholdRulesMissing; time series and heatmap targets on a
#      *_duration_seconds_bucket histogram have "exemplar": true.
#   5. docker-compose.yml: parses (if PyYAML is installed), every bind-mounted path exists and
#      Prometheus runs with exemplar storage; the Prometheus datasource links exemplars'
#      trace_id to a provisioned datasource (if PyYAML is installed).
#
# Usage: deploy/check.sh            (from any directory; PROMTOOL=/path/to/promtool to override)
# Exits non-zero on the first failing promtool step or on any problem found in steps 4-5.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
PROMTOOL="${PROMTOOL:-promtool}"

if ! command -v "$PROMTOOL" >/dev/null 2>&1; then
    echo "check.sh: promtool not found (install Debian's 'prometheus' package or set PROMTOOL)" >&2
    exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "check.sh: python3 not found" >&2
    exit 2
fi

echo "== promtool: $("$PROMTOOL" --version 2>&1 | head -n1)"
echo
echo "== [1/5] promtool check config prometheus/prometheus.yml"
"$PROMTOOL" check config prometheus/prometheus.yml
echo
echo "== [2/5] promtool check rules prometheus/rules/*.yml"
"$PROMTOOL" check rules prometheus/rules/*.yml
echo
echo "== [3/5] promtool test rules prometheus/tests/*.yml"
"$PROMTOOL" test rules prometheus/tests/*.yml
echo

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== [4/5] rules and dashboards: metric names, PromQL syntax, variables, datasources"
echo "== [5/5] docker-compose.yml and Grafana provisioning"
PROMTOOL="$PROMTOOL" TMPDIR_CHECK="$tmp" python3 - <<'PY'
import glob, json, os, re, subprocess, sys

problems = []
def problem(msg):
    problems.append(msg)
    print("  PROBLEM: " + msg)

try:
    import yaml  # optional: structural checks of rules and compose file
except ImportError:
    yaml = None

# --- What metrics-runtime exports (keep in sync with the toolkit) ----------------------------
HISTOGRAMS = ["function_call_duration_seconds", "mcp_tool_call_duration_seconds"]
EXPORTED = {
    # #[monitored]
    "function_calls_total", "function_errors_total", "function_calls_in_flight",
    # #[tool_call]
    "mcp_tool_calls_total", "mcp_tool_errors_total", "mcp_tool_calls_in_flight",
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

# --- Rules: parse (PyYAML if present, else a small parser for `record:`/`alert:`/`expr:`) ----
def parse_rules_minimal(text):
    rules, cur, lines, i = [], None, text.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)-?\s*(record|alert):\s*(\S+)", line)
        if m:
            cur = {m.group(2): m.group(3)}
            rules.append(cur)
        m = re.match(r"^(\s*)expr:\s*(.*)$", line)
        if m and cur is not None:
            indent, val = len(m.group(1)), m.group(2).strip()
            if val in ("|", "|-", ">", ">-"):
                block = []
                while i + 1 < len(lines) and (not lines[i + 1].strip() or
                                              len(lines[i + 1]) - len(lines[i + 1].lstrip()) > indent):
                    i += 1
                    block.append(lines[i].strip())
                val = "\n".join(block)
            cur["expr"] = val.strip("'\"") if val[:1] in "'\"" else val
        i += 1
    return rules

rule_files = sorted(glob.glob("prometheus/rules/*.yml"))
all_rules = {}
for f in rule_files:
    text = open(f).read()
    if yaml:
        doc = yaml.safe_load(text) or {}
        rs = [r for g in doc.get("groups", []) for r in g.get("rules", [])]
    else:
        rs = parse_rules_minimal(text)
    all_rules[f] = rs

RECORDS = {r["record"] for rs in all_rules.values() for r in rs if "record" in r}
ALLOWED = EXPORTED | RECORDS
print(f"  rules: {len(RECORDS)} recording rules, "
      f"{sum(1 for rs in all_rules.values() for r in rs if 'alert' in r)} alerts in {len(rule_files)} files")

exprs_for_promtool = []   # (where, expr)
checked_exprs = 0
used_metrics = set()

def check_expr(where, expr, allowed_vars=frozenset()):
    global checked_exprs
    checked_exprs += 1
    if not expr or not expr.strip():
        problem(f"{where}: empty expr")
        return
    for m in re.finditer(r"\$\{?(\w+)\}?", expr):
        v = m.group(1)
        if v == "__rate_interval":
            continue
        if v not in allowed_vars:
            problem(f"{where}: uses ${v}, which is not a template variable of this dashboard "
                    f"(allowed: $__rate_interval and {sorted(allowed_vars) or 'none'})")
    n_vars = len(re.findall(r"\$\{?(?!__rate_interval)\w+", expr))
    n_ok = len(re.findall(r'\w+\s*=~\s*"\$\{?\w+\}?"', expr))
    if n_vars != n_ok:
        problem(f'{where}: template variables must be used as label=~"$var": {expr}')
    metrics, funcs = names_in(expr)
    for f in sorted(funcs - PROMQL_FUNCS):
        problem(f"{where}: unknown PromQL function {f}()")
    for name in sorted(metrics - ALLOWED):
        problem(f"{where}: metric {name!r} is neither exported by metrics-runtime nor a recording rule")
    used_metrics.update(metrics)
    concrete = expr.replace("${__rate_interval}", "1m").replace("$__rate_interval", "1m")
    concrete = re.sub(r"\$\{?\w+\}?", ".*", concrete)
    exprs_for_promtool.append((where, concrete))

# rules: metric names (syntax already checked by promtool check rules)
for f, rs in all_rules.items():
    for r in rs:
        name = r.get("record") or r.get("alert")
        metrics, funcs = names_in(str(r.get("expr", "")))
        for m in sorted(metrics - ALLOWED):
            problem(f"{f} {name}: metric {m!r} is neither exported by metrics-runtime nor a recording rule")
        for fn in sorted(funcs - PROMQL_FUNCS):
            problem(f"{f} {name}: unknown PromQL function {fn}()")

# alerts: severity, annotations, thresholds wiring
alerts = [r for rs in all_rules.values() for r in rs if "alert" in r]
if yaml:
    for a in alerts:
        sev = (a.get("labels") or {}).get("severity")
        if sev not in ("warning", "critical"):
            problem(f"alert {a['alert']}: severity label must be warning or critical, is {sev!r}")
        ann = a.get("annotations") or {}
        for k in ("summary", "description"):
            if not ann.get(k):
                problem(f"alert {a['alert']}: missing annotation {k}")
        if "for" not in a:
            problem(f"alert {a['alert']}: no `for:` duration")
    print(f"  alerts: severity / summary / description / for checked for {len(alerts)} alerts")
else:
    print("  alerts: PyYAML not installed, skipped the severity/annotation checks")
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
VARS_ALLOWED = {"module", "function", "server", "tool"}   # what the e2e test substitutes

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
print(f"  metric names used: {len(used_metrics)} ({len(used_metrics & RECORDS)} of them recording rules)")
print(f"  exemplars: {n_exemplar} latency targets with \"exemplar\": true, {n_exemplar_missing} missing")

# --- docker-compose.yml and provisioning -------------------------------------------------------
compose = open("docker-compose.yml").read()
if yaml:
    try:
        yaml.safe_load(compose)
        print("  docker-compose.yml: YAML parses")
    except yaml.YAMLError as e:
        problem(f"docker-compose.yml: invalid YAML: {e}")
    for f in glob.glob("grafana/provisioning/*/*.yml") + ["prometheus/prometheus.yml"]:
        try:
            yaml.safe_load(open(f))
        except yaml.YAMLError as e:
            problem(f"{f}: invalid YAML: {e}")
else:
    print("  docker-compose.yml: PyYAML not installed, skipped the YAML parse")
mounts = re.findall(r"^\s*-\s*[\"']?(\.{1,2}(?:/[^:\"']*)?):", compose, re.M)
for m in mounts:
    if not os.path.exists(m):
        problem(f"docker-compose.yml: bind-mounted path {m} does not exist (relative to deploy/)")
print(f"  docker-compose.yml: {len(mounts)} bind mounts checked: {', '.join(mounts)}")
if not re.search(r"^\s*-\s*--enable-feature=(?:[\w-]+,)*exemplar-storage\b", compose, re.M):
    problem("docker-compose.yml: Prometheus needs --enable-feature=exemplar-storage to keep exemplars")
if yaml:
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

if problems:
    print(f"\nFAILED: {len(problems)} problem(s)")
    sys.exit(1)
print("\nOK: all checks passed")
PY
