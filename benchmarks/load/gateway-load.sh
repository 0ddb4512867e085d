#!/usr/bin/env bash
# Loopback load test: wrk -> nginx (direct) against wrk -> sample host gateway -> nginx.
# See benchmarks/load/README.md for what it measures and the knobs.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"

WARMUP="${WARMUP:-20}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-8 32}"
WARMUP_CONNECTIONS="${WARMUP_CONNECTIONS:-8}"
SAMPLE_ARGS="${SAMPLE_ARGS:-}"
JAVA_OPTS="${JAVA_OPTS:-}"
HOST_JAR="${HOST_JAR:-$REPO/samples/plain-java/target/neurasea-sample.jar}"
JFR="${JFR:-0}"
JFR_SETTINGS="${JFR_SETTINGS:-profile}"
KEEP_TMP="${KEEP_TMP:-0}"
MODEL="bench-model"

log() { printf '[gateway-load] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for knob in WARMUP ROUNDS DURATION WARMUP_CONNECTIONS; do
  [[ "${!knob}" =~ ^[0-9]+$ ]] || die "$knob must be a whole number, was '${!knob}'"
done
[[ "$ROUNDS" -ge 1 && "$DURATION" -ge 1 ]] || die "ROUNDS and DURATION must be at least 1"
read -r -a CONNS <<< "$CONNECTIONS"
for c in "${CONNS[@]}"; do [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be numbers, was '$CONNECTIONS'"; done
read -r -a SAMPLE_ARGV <<< "$SAMPLE_ARGS"

# ---------------------------------------------------------------------------------------------
# 1. Tools from Debian when absent.
# ---------------------------------------------------------------------------------------------
nginx_bin() {
  command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}

install_tools() {
  local missing=() sudo=""
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  local want_nginx=0
  [[ -n "$(nginx_bin)" ]] || want_nginx=1
  [[ ${#missing[@]} -gt 0 || $want_nginx -eq 1 ]] || return 0
  [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
  log "installing from Debian: ${missing[*]} $([[ $want_nginx -eq 1 ]] && echo nginx)"
  $sudo apt-get update -qq
  if [[ $want_nginx -eq 1 ]]; then
    # nginx-light where the release still has it (Debian 12), else nginx.
    if apt-cache show nginx-light >/dev/null 2>&1; then missing+=(nginx-light); else missing+=(nginx); fi
  fi
  # Keep the package's postinst from starting a system nginx on port 80 (no-op where a policy exists).
  local policy_added=0
  if [[ $want_nginx -eq 1 && ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  local status=0
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 || status=$?
  [[ $policy_added -eq 0 ]] || $sudo rm -f /usr/sbin/policy-rc.d
  [[ $status -eq 0 ]] || die "apt-get install failed"
}
install_tools
NGINX="$(nginx_bin)"
[[ -n "$NGINX" ]] || die "nginx not found after install"

# ---------------------------------------------------------------------------------------------
# Temp dir, cleanup.
# ---------------------------------------------------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/gateway-load.XXXXXX")"
HOST_PID=""
NGINX_PID=""
JFR_FILE=""

stop_pid() {
  local pid="$1" name="$2"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  log "$name ($pid) did not stop in 10 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_pid "$HOST_PID" "host"
  stop_pid "$NGINX_PID" "nginx"
  if [[ -n "$JFR_FILE" && -s "$JFR_FILE" ]]; then
    # Keep the recording: move it out of the temp dir before that is removed.
    local kept="${JFR_OUT:-${TMPDIR:-/tmp}/gateway-load-$(date +%Y%m%d-%H%M%S).jfr}"
    mv "$JFR_FILE" "$kept" && log "JFR recording: $kept (top frames: $SCRIPT_DIR/jfr-top.sh $kept)"
  fi
  if [[ "$KEEP_TMP" == "1" ]]; then
    log "kept temp dir $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      if ! command -v ss >/dev/null 2>&1 || ! ss -Htln "sport = :$port" | grep -q .; then
        echo "$port"; return 0
      fi
    fi
  done
  die "no free port found"
}

# ---------------------------------------------------------------------------------------------
# 2. nginx: a fixed OpenAI chat completion.
# ---------------------------------------------------------------------------------------------
NGINX_PORT="$(free_port)"
NGX="$TMP/nginx"
mkdir -p "$NGX/logs" "$NGX/tmp"
ACCESS_LOG="$NGX/logs/access.log"
COMPLETION='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the bench upstream."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}'

temp_paths="client_body_temp_path $NGX/tmp/body;"
ngx_build="$("$NGINX" -V 2>&1 || true)"
for module in proxy fastcgi uwsgi scgi; do
  if [[ "$ngx_build" != *"--without-http_${module}_module"* ]]; then
    temp_paths+=" ${module}_temp_path $NGX/tmp/$module;"
  fi
done
user_line=""
[[ "$(id -u)" -ne 0 ]] || user_line="user $(id -un) $(id -gn);"   # as root, keep workers as this user

cat > "$NGX/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 4096; }
http {
  # path: "direct" from wrk's direct script (X-Bench-Path header); "-" for everything else (the gateway).
  # conn/reqs show whether the gateway keeps its upstream connections alive.
  log_format bench '\$msec \$request_method \$uri \$status path=\$http_x_bench_path conn=\$connection reqs=\$connection_requests ua="\$http_user_agent"';
  access_log $ACCESS_LOG bench;
  keepalive_timeout 75s;
  keepalive_requests 100000000;
  $temp_paths
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location = /v1/chat/completions {
      default_type application/json;
      return 200 '$COMPLETION';
    }
    location / {
      default_type application/json;
      return 404 '{"error":{"message":"not served by the bench upstream","type":"invalid_request_error","param":null,"code":null}}';
    }
  }
}
EOF
"$NGINX" -e "$NGX/logs/error.log" -p "$NGX" -c "$NGX/nginx.conf" -t >"$NGX/logs/configtest.log" 2>&1 \
  || { cat "$NGX/logs/configtest.log" >&2; die "nginx config test failed"; }
"$NGINX" -e "$NGX/logs/error.log" -p "$NGX" -c "$NGX/nginx.conf" >"$NGX/logs/stdout.log" 2>&1 &
NGINX_PID=$!
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" -X POST -d '{}' 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$NGX/logs/error.log" >&2 || true; die "nginx exited"; }
  sleep 0.1
done
log "nginx ($NGINX_PID) on 127.0.0.1:$NGINX_PORT, access log $ACCESS_LOG"

# ---------------------------------------------------------------------------------------------
# 3. The sample host.
# ---------------------------------------------------------------------------------------------
if [[ ! -f "$HOST_JAR" ]]; then
  log "building the sample host (mvn -B -q install -DskipTests)"
  (cd "$REPO" && mvn -B -q install -DskipTests) >&2
fi
[[ -f "$HOST_JAR" ]] || die "no host jar at $HOST_JAR"
HOST_PORT="$(free_port)"
while [[ "$HOST_PORT" == "$NGINX_PORT" ]]; do HOST_PORT="$(free_port)"; done
DATA_DIR="$TMP/data"
HOST_LOG="$TMP/host.log"
read -r -a JAVA_OPTV <<< "$JAVA_OPTS"
jfr_opts=()
if [[ "$JFR" == "1" ]]; then
  JFR_FILE="$TMP/host.jfr"
  # Accurate stack tops in ExecutionSample; the recording itself is started after the warm-up (below).
  jfr_opts=(-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints)
fi
java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 "${JAVA_OPTV[@]}" "${jfr_opts[@]}" \
  -jar "$HOST_JAR" --port "$HOST_PORT" --data-dir "$DATA_DIR" "${SAMPLE_ARGV[@]}" >"$HOST_LOG" 2>&1 &
HOST_PID=$!
HOST="http://127.0.0.1:$HOST_PORT"
TOKEN=""
for _ in $(seq 1 600); do
  if ! kill -0 "$HOST_PID" 2>/dev/null; then cat "$HOST_LOG" >&2; die "the host exited while starting"; fi
  [[ -n "$TOKEN" ]] || TOKEN="$(grep -oE 'ns_[A-Za-z0-9_-]{20,}' "$HOST_LOG" | head -n1 || true)"
  if [[ -n "$TOKEN" ]] && curl -fsS -o /dev/null "$HOST/healthz" 2>/dev/null; then break; fi
  sleep 0.2
done
[[ -n "$TOKEN" ]] || { cat "$HOST_LOG" >&2; die "no ns_ token in the host's output"; }
curl -fsS -o /dev/null "$HOST/healthz" || die "the host is not healthy at $HOST/healthz"
log "host ($HOST_PID) on $HOST, args: ${SAMPLE_ARGS:-<none>}"

# ---------------------------------------------------------------------------------------------
# 4. Channel, price; the bootstrap tenant's quota stays unlimited (the default).
# ---------------------------------------------------------------------------------------------
admin() { # method path [body] -> prints body; fails on non-2xx
  local method="$1" path="$2" body="${3:-}" out code
  out="$TMP/admin.out"
  if [[ -n "$body" ]]; then
    code=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$HOST/admin/v1$path" \
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$body")
  else
    code=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$HOST/admin/v1$path" -H "Authorization: Bearer $TOKEN")
  fi
  [[ "$code" == 2* ]] || { log "$method $path -> $code: $(cat "$out")"; return 1; }
  cat "$out"
}
TENANT="$(admin GET /me | jq -r '.principal.tokenTenantId // empty')"
[[ -n "$TENANT" ]] || die "cannot tell the bootstrap tenant from /admin/v1/me"
CHANNEL="$(admin POST /channels "$(jq -nc --arg url "http://127.0.0.1:$NGINX_PORT/v1" --arg m "$MODEL" \
  '{name:"bench-nginx",type:"openai_compatible",baseUrl:$url,models:[$m]}')" | jq -r '.id // .channelId // empty')"
admin POST /prices "$(jq -nc --arg m "$MODEL" '{model:$m,inputPerMillion:1000,outputPerMillion:2000}')" >/dev/null
log "tenant $TENANT, channel ${CHANNEL:-?} -> http://127.0.0.1:$NGINX_PORT/v1, price for $MODEL"

# ---------------------------------------------------------------------------------------------
# 5. wrk script.
# ---------------------------------------------------------------------------------------------
BODY="{\"model\":\"$MODEL\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in five words.\"}]}"
cat > "$TMP/chat.lua" <<'EOF'
-- POSTs a small chat completion; BENCH_TOKEN adds the Authorization header (gateway),
-- BENCH_PATH=direct marks direct requests in nginx's access log.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
local path = os.getenv("BENCH_PATH")
if path and path ~= "" then wrk.headers["X-Bench-Path"] = path end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  -- wrk counts responses with status > 399 in errors.status; every other completed response is taken as 2xx.
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d ok=%d non2xx=%d connect_err=%d read_err=%d write_err=%d timeout_err=%d\n",
    summary.requests, summary.duration, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests - e.status, e.status, e.connect, e.read, e.write, e.timeout))
end
EOF

field() { # name line -> value
  local name="$1" line="$2"
  sed -nE "s/.*(^| )$name=([^ ]+).*/\2/p" <<< "$line"
}

# run_wrk kind connections seconds label -> prints the RESULT line; keeps wrk's full output in $TMP/wrk-<label>.txt
run_wrk() {
  local kind="$1" c="$2" secs="$3" label="$4" url token="" path=""
  if [[ "$kind" == direct ]]; then
    url="http://127.0.0.1:$NGINX_PORT/v1/chat/completions"; path=direct
  else
    url="$HOST/v1/chat/completions"; token="$TOKEN"
  fi
  BENCH_BODY="$BODY" BENCH_TOKEN="$token" BENCH_PATH="$path" \
    wrk -t1 -c"$c" -d"${secs}s" --latency -s "$TMP/chat.lua" "$url" >"$TMP/wrk-$label.txt" 2>&1 \
    || { cat "$TMP/wrk-$label.txt" >&2; kill -0 "$NGINX_PID" 2>/dev/null && kill -0 "$HOST_PID" 2>/dev/null \
         || die "wrk failed ($label): nginx or the host is gone (interrupted?)"; die "wrk failed ($label)"; }
  local line
  line="$(grep '^RESULT ' "$TMP/wrk-$label.txt" | tail -n1)"
  [[ -n "$line" ]] || { cat "$TMP/wrk-$label.txt" >&2; die "no RESULT line from wrk ($label)"; }
  echo "$line"
}

log_lines() { if [[ -f "$ACCESS_LOG" ]]; then wc -l < "$ACCESS_LOG"; else echo 0; fi; }
# gateway_lines_between from to: gateway-attributed chat lines in access-log lines (from, to]
gateway_lines_between() {
  awk -v a="$1" -v b="$2" 'NR > a && NR <= b && $3 == "/v1/chat/completions" && $5 == "path=-" { n++ } END { print n + 0 }' "$ACCESS_LOG"
}

GW_OK_TOTAL=0        # 2xx responses the clients saw through the gateway
GW_NON2XX_TOTAL=0
GW_NGINX_TOTAL=0     # gateway lines in nginx's access log
SETTLE=0.5           # let in-flight upstream calls finish before counting log lines

# One request each way first, so a broken setup fails fast with the reason.
code=$(curl -sS -o "$TMP/pre-direct.json" -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" \
  -H 'Content-Type: application/json' -H 'X-Bench-Path: direct' -d "$BODY")
[[ "$code" == 200 ]] || die "direct request -> $code: $(cat "$TMP/pre-direct.json")"
before=$(log_lines)
code=$(curl -sS -o "$TMP/pre-gateway.json" -w '%{http_code}' "$HOST/v1/chat/completions" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$BODY")
[[ "$code" == 200 ]] || die "gateway request -> $code: $(cat "$TMP/pre-gateway.json")"
jq -e '.usage.total_tokens == 19' "$TMP/pre-gateway.json" >/dev/null \
  || log "warning: the gateway's reply has no usage.total_tokens 19: $(cat "$TMP/pre-gateway.json")"
sleep "$SETTLE"
GW_OK_TOTAL=1
GW_NGINX_TOTAL=$(gateway_lines_between "$before" "$(log_lines)")

# ---------------------------------------------------------------------------------------------
# 6. Warm-up, then interleaved rounds.
# ---------------------------------------------------------------------------------------------
if [[ "$WARMUP" -gt 0 ]]; then
  log "warming up the gateway: ${WARMUP} s at ${WARMUP_CONNECTIONS} connections"
  before=$(log_lines)
  res="$(run_wrk gateway "$WARMUP_CONNECTIONS" "$WARMUP" warmup)"
  sleep "$SETTLE"
  GW_OK_TOTAL=$(( GW_OK_TOTAL + $(field ok "$res") ))
  GW_NON2XX_TOTAL=$(( GW_NON2XX_TOTAL + $(field non2xx "$res") ))
  GW_NGINX_TOTAL=$(( GW_NGINX_TOTAL + $(gateway_lines_between "$before" "$(log_lines)") ))
  log "warm-up: $res"
fi

if [[ "$JFR" == "1" ]]; then
  command -v jcmd >/dev/null 2>&1 || die "JFR=1 needs jcmd (a JDK)"
  jcmd "$HOST_PID" JFR.start name=gateway-load settings="$JFR_SETTINGS" filename="$JFR_FILE" >&2 \
    || die "cannot start the JFR recording"
  log "JFR recording the host from here to the end of the measured rounds"
fi

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
RESULTS="$TMP/results.tsv"   # round connections kind rps p50_us p99_us ok non2xx
: > "$RESULTS"
ROUND_CHECKS="$TMP/round-checks.tsv"   # round connections wrk_ok nginx_lines
: > "$ROUND_CHECKS"
for r in $(seq 1 "$ROUNDS"); do
  for c in "${CONNS[@]}"; do
    for kind in direct gateway; do
      before=$(log_lines)
      res="$(run_wrk "$kind" "$c" "$DURATION" "r$r-c$c-$kind")"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$c" "$kind" "$(field rps "$res")" "$(field p50_us "$res")" \
        "$(field p99_us "$res")" "$(field ok "$res")" "$(field non2xx "$res")" >> "$RESULTS"
      log "round $r c=$c $kind: $res"
      if [[ "$kind" == gateway ]]; then
        sleep "$SETTLE"
        lines=$(gateway_lines_between "$before" "$(log_lines)")
        GW_OK_TOTAL=$(( GW_OK_TOTAL + $(field ok "$res") ))
        GW_NON2XX_TOTAL=$(( GW_NON2XX_TOTAL + $(field non2xx "$res") ))
        GW_NGINX_TOTAL=$(( GW_NGINX_TOTAL + lines ))
        printf '%s\t%s\t%s\t%s\n' "$r" "$c" "$(field ok "$res")" "$lines" >> "$ROUND_CHECKS"
      fi
    done
  done
done

if [[ "$JFR" == "1" ]]; then
  jcmd "$HOST_PID" JFR.stop name=gateway-load >&2 || log "warning: JFR.stop failed"
fi

# ---------------------------------------------------------------------------------------------
# Table: medians over rounds.
# ---------------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { # connections kind column(4=rps,5=p50,6=p99)
  awk -F'\t' -v c="$1" -v k="$2" -v f="$3" '$2 == c && $3 == k { print $f }' "$RESULTS"
}
per_round() { # connections expr over direct (d) and gateway (g) of column f
  awk -F'\t' -v c="$1" -v f="$2" -v op="$3" '
    $2 == c && $3 == "direct" { d[$1] = $f }
    $2 == c && $3 == "gateway" { g[$1] = $f }
    END { for (r in g) if (r in d) { if (op == "ratio") print (d[r] > 0 ? g[r] / d[r] : 0); else print g[r] - d[r] } }' "$RESULTS"
}
ms() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1000 }'; }

echo
echo "## Gateway vs direct (wrk -t1, ${DURATION} s per run, median of ${ROUNDS} round(s), warm-up ${WARMUP} s)"
echo
echo "host args: \`${SAMPLE_ARGS:-<none>}\`; JAVA_OPTS: \`${JAVA_OPTS:-<none>}\`; $(nproc) CPU(s); load average (1/5/15 min) before the rounds: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo
echo "| connections | direct rps | gateway rps | ratio | direct p50 / p99 (ms) | gateway p50 / p99 (ms) | added p50 / p99 (ms) |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for c in "${CONNS[@]}"; do
  d_rps=$(col "$c" direct 4 | median); g_rps=$(col "$c" gateway 4 | median)
  d50=$(col "$c" direct 5 | median); d99=$(col "$c" direct 6 | median)
  g50=$(col "$c" gateway 5 | median); g99=$(col "$c" gateway 6 | median)
  ratio=$(per_round "$c" 4 ratio | median)
  a50=$(per_round "$c" 5 diff | median); a99=$(per_round "$c" 6 diff | median)
  printf '| %s | %.0f | %.0f | %.2f | %s / %s | %s / %s | +%s / +%s |\n' "$c" "$d_rps" "$g_rps" "$ratio" \
    "$(ms "$d50")" "$(ms "$d99")" "$(ms "$g50")" "$(ms "$g99")" "$(ms "$a50")" "$(ms "$a99")"
done
echo
echo "Per run (round, connections, path, rps, p50 µs, p99 µs, 2xx, non-2xx):"
echo
echo '```'
column -t -s $'\t' "$RESULTS" 2>/dev/null || cat "$RESULTS"
echo '```'

# ---------------------------------------------------------------------------------------------
# 7. Checks: every gateway request reached nginx; usage records written.
# ---------------------------------------------------------------------------------------------
failures=0
echo
echo "## Checks"
echo
echo "Gateway runs (2xx seen by wrk vs gateway lines in nginx's access log):"
echo
echo '```'
awk -F'\t' '{ printf "round %s c=%s: wrk 2xx=%s nginx=%s diff=%+d\n", $1, $2, $3, $4, $4 - $3 }' "$ROUND_CHECKS"
echo '```'
echo
diff_total=$(( GW_NGINX_TOTAL - GW_OK_TOTAL ))
max_conns=0
for c in "${CONNS[@]}" "$WARMUP_CONNECTIONS"; do [[ "$c" -le "$max_conns" ]] || max_conns=$c; done
runs=$(( ROUNDS * ${#CONNS[@]} + ( WARMUP > 0 ? 1 : 0 ) ))
slack=$(( runs * max_conns ))   # at most the connections' in-flight requests per run
if (( diff_total >= 0 && diff_total <= slack )); then verdict=PASS; else verdict=FAIL; failures=$((failures + 1)); fi
echo "- upstream reached: $verdict — gateway 2xx seen by clients (incl. warm-up and one pre-flight request): $GW_OK_TOTAL;" \
  "gateway requests logged by nginx: $GW_NGINX_TOTAL; difference $diff_total (allowed 0..$slack, requests in flight when wrk stopped)"
read -r up_conns up_ua <<< "$(awk '$3 == "/v1/chat/completions" && $5 == "path=-" { c[$6] = 1; if (match($0, /ua="[^"]*"/)) ua = substr($0, RSTART + 4, RLENGTH - 5) } END { n = 0; for (k in c) n++; print n, (ua == "" ? "-" : ua) }' "$ACCESS_LOG")"
echo "- gateway -> nginx connections: $up_conns for $GW_NGINX_TOTAL requests" \
  "($(( up_conns > 0 ? GW_NGINX_TOTAL / up_conns : 0 )) requests per connection; user agent $up_ua)"
if (( GW_NON2XX_TOTAL > 0 )); then
  echo "- non-2xx gateway responses: $GW_NON2XX_TOTAL (FAIL)"; failures=$((failures + 1))
else
  echo "- non-2xx gateway responses: 0"
fi
direct_non2xx=$(awk -F'\t' '$3 == "direct" { n += $8 } END { print n + 0 }' "$RESULTS")
(( direct_non2xx == 0 )) || { echo "- non-2xx direct responses: $direct_non2xx (FAIL)"; failures=$((failures + 1)); }

# Usage is written a moment after settlement: poll until it covers the 2xx count or stops growing.
yesterday=$(date -u -d yesterday +%F); tomorrow=$(date -u -d tomorrow +%F)
usage_json="$TMP/usage-daily.json"
usage_requests=0; usage_failed=0; last=-1; stable=0
for _ in $(seq 1 60); do
  if admin GET "/tenants/$TENANT/usage/daily?from=$yesterday&to=$tomorrow&model=$MODEL" > "$usage_json"; then
    usage_requests=$(jq --arg m "$MODEL" '[.data[] | select(.model == $m) | .requests] | add // 0' "$usage_json")
    usage_failed=$(jq --arg m "$MODEL" '[.data[] | select(.model == $m) | .failed] | add // 0' "$usage_json")
  fi
  (( usage_requests < GW_OK_TOTAL )) || break
  if (( usage_requests == last )); then stable=$((stable + 1)); else stable=0; fi
  (( stable < 10 )) || break
  last=$usage_requests
  sleep 0.5
done
if (( usage_requests >= GW_OK_TOTAL )); then verdict=PASS; else verdict=FAIL; failures=$((failures + 1)); fi
echo "- usage records: $verdict — daily usage for $MODEL in tenant $TENANT ($yesterday..$tomorrow): requests=$usage_requests" \
  "(failed=$usage_failed) vs gateway 2xx $GW_OK_TOTAL"
echo
if (( failures > 0 )); then
  log "$failures check(s) failed; host log: $HOST_LOG (set KEEP_TMP=1 to keep it)"
  exit 1
fi
