#!/usr/bin/env bash
# benchmarks/foreground-web.sh - #13 item 5 as the issue measured it: ApacheBench against the web sample (SQLite),
# 5,000 POST /companies (each stores a company and publishes one event) from 16 concurrent clients, with processing
# off (`--EventKit:EnableProcessing=false`) and on, alternating, a fresh database per run, after 500 warm-up requests.
#
#   benchmarks/foreground-web.sh [rounds]   # default 4 rounds of (off, on); prints one line per run and the medians
#
# Needs `ab` (Debian: apache2-utils; installed when missing and running as root). Every run checks through
# GET /events/metrics that all its events were stored (and, with processing on, completed) before its line counts.
set -u -o pipefail

rounds=${1:-4}
requests=5000
clients=16
port=5199
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

if ! command -v ab >/dev/null; then
  if [[ $(id -u) == 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q apache2-utils >/dev/null || exit 1
  else
    echo "foreground-web.sh: needs ab (apt-get install apache2-utils)" >&2
    exit 1
  fi
fi

dotnet build samples/EventKit.Samples.Web -c Release -v q -nologo >/dev/null || { echo "build failed" >&2; exit 1; }
app_dir=samples/EventKit.Samples.Web/bin/Release/net10.0
body=$(mktemp)
echo '{ "name": "Acme Corp", "plan": "pro" }' >"$body"
results=$(mktemp)
trap 'rm -f "$body" "$results"' EXIT

run() { # $1 = true|false (processing)
  (cd "$app_dir" && exec dotnet EventKit.Samples.Web.dll --urls "http://127.0.0.1:$port" --EventKit:EnableProcessing="$1") >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/health" -o /dev/null && break; sleep 0.2; done
  ab -q -n 500 -c "$clients" -p "$body" -T application/json "http://127.0.0.1:$port/companies" >/dev/null 2>&1
  local out
  out=$(ab -n "$requests" -c "$clients" -p "$body" -T application/json "http://127.0.0.1:$port/companies" 2>&1)
  local want=$((requests + 500)) metrics=""
  for _ in $(seq 100); do # with processing on, wait (at most 20 s) until every event completed
    metrics=$(curl -sf "http://127.0.0.1:$port/events/metrics")
    [[ $1 == false ]] && break
    [[ $metrics == *"\"completed\":$want,"* ]] && break
    sleep 0.2
  done
  kill "$pid"
  wait "$pid" 2>/dev/null
  local rps p50 p95 p99 non2xx
  rps=$(awk '/^Requests per second/ {print $4}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p95=$(awk '$1 == "95%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/^Non-2xx responses/ {print $3}' <<<"$out")
  local stored=ok
  if [[ $1 == false && $metrics != *"\"pending\":$want,"* ]] || [[ $1 == true && $metrics != *"\"completed\":$want,"* ]]; then
    stored="MISSING EVENTS: $metrics"
  fi
  printf '%s processing=%-5s %8s req/s  p50 %4s ms  p95 %4s ms  p99 %4s ms  non-2xx %s  %s\n' \
    "$(date -u +%H:%M:%S)" "$1" "$rps" "$p50" "$p95" "$p99" "${non2xx:-0}" "$stored"
  echo "$1 $rps $p50 $p95 $p99" >>"$results"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  run false
  run true
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for p in false true; do
  printf 'median processing=%-5s %8s req/s  p50 %4s ms  p95 %4s ms  p99 %4s ms\n' "$p" \
    "$(awk -v p=$p '$1 == p {print $2}' "$results" | median)" "$(awk -v p=$p '$1 == p {print $3}' "$results" | median)" \
    "$(awk -v p=$p '$1 == p {print $4}' "$results" | median)" "$(awk -v p=$p '$1 == p {print $5}' "$results" | median)"
done
