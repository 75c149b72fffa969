#!/usr/bin/env bash
# benchmarks/run.sh - runs the EventKit benchmarks and copies the reports into benchmarks/results/<mode>/.
#
#   benchmarks/run.sh quick   # a few minutes: 8-publisher per-request publish, latency and drain (batch 100,
#                             # 4 processors), every store, in-process, few iterations; end to end needs `full`
#   benchmarks/run.sh full    # every case, one process per case (BenchmarkDotNet's default toolchain), 1-2 warm-ups
#                             # + 5 iterations, plus one 1,000,000-event backlog memory run per database
#   benchmarks/run.sh full --filter '*Drain*'   # extra arguments go to every BenchmarkDotNet run
#
# PostgreSQL cases run when EVENTKIT_BENCH_POSTGRES (or EVENTKIT_TEST_POSTGRES) holds an Npgsql connection
# string to a server; each benchmark class creates and drops its own database there. benchmarks/README.md says
# how to start a throwaway server with default durability. Other knobs: EVENTKIT_BENCH_STORES=InMemory,Sqlite,...
#
# Writes: results/<mode>/*-report-github.md (BenchmarkDotNet's GitHub-markdown reports),
#         results/<mode>/BacklogMemoryBenchmark-profile-*.md (full only), results/<mode>/environment.md
#         (date, machine, PostgreSQL settings, the exact commands, how long the run took).
# Exits non-zero when the build or any benchmark failed. No `set -e`: a failed run must still copy the others.
set -u -o pipefail

mode=${1:-}
if [[ $mode != quick && $mode != full ]]; then
  echo "usage: $0 quick|full [extra BenchmarkDotNet arguments]" >&2
  exit 2
fi
shift

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDTERMINALLOGGER=off
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
bench_dir=$PWD

if [[ -z ${EVENTKIT_BENCH_POSTGRES:-} && -n ${EVENTKIT_TEST_POSTGRES:-} ]]; then
  export EVENTKIT_BENCH_POSTGRES=$EVENTKIT_TEST_POSTGRES
fi
if [[ -z ${EVENTKIT_BENCH_POSTGRES:-} ]]; then
  echo "run.sh: EVENTKIT_BENCH_POSTGRES is not set: PostgreSQL cases are left out (see benchmarks/README.md)"
fi

artifacts=$bench_dir/BenchmarkDotNet.Artifacts/$mode   # git-ignored
results=$bench_dir/results/$mode
rm -rf "$artifacts"
mkdir -p "$artifacts" "$results"
export EVENTKIT_BENCH_METRICS_DIR=$artifacts/metrics
commands=$artifacts/commands.txt
started=$(date +%s)
status=0

echo "run.sh: building (Release)"
if ! dotnet build -c Release -nologo EventKit.Benchmarks/EventKit.Benchmarks.csproj >"$artifacts/build.log" 2>&1; then
  echo "run.sh: build failed; see $artifacts/build.log" >&2
  tail -n 20 "$artifacts/build.log" >&2
  exit 1
fi
program=EventKit.Benchmarks/bin/Release/net10.0/EventKit.Benchmarks.dll

bench() {
  echo "cd benchmarks && $(env | grep -E '^EVENTKIT_BENCH_(QUICK|STORES)=' | tr '\n' ' ')dotnet $program $* --exporters github --artifacts $artifacts" >>"$commands"
  echo "run.sh: dotnet $program $*"
  dotnet "$program" "$@" --exporters github --artifacts "$artifacts" 2>&1 | tee -a "$artifacts/run.log"
  local rc=${PIPESTATUS[0]}
  if (( rc != 0 )); then
    echo "run.sh: benchmark run failed with exit code $rc" >&2
    status=1
  fi
}

if [[ $mode == quick ]]; then
  export EVENTKIT_BENCH_QUICK=1
  bench --filter '*PublishPerRequestBenchmark*' '*LatencyBenchmark*' --inProcess --launchCount 1 --warmupCount 1 --iterationCount 2 "$@"
  # A drain is one invocation per iteration; ColdStart skips BenchmarkDotNet's extra jitting invocation.
  bench --filter '*DrainBenchmark*' --inProcess --strategy ColdStart --launchCount 1 --warmupCount 1 --iterationCount 1 "$@"
else
  # Operations of a few milliseconds: BenchmarkDotNet's pilot picks how many per iteration.
  bench --filter '*PublishPerRequestBenchmark*' '*PublishCostBreakdownBenchmark*' '*PublishBatchBenchmark*' '*LatencyBenchmark*' \
    --launchCount 1 --warmupCount 2 --iterationCount 5 "$@"
  # Operations of 2,000-20,000 events (seconds): one per iteration, the warm-up iteration pays for JIT.
  bench --filter '*DrainBenchmark*' '*EndToEndBenchmark*' --strategy ColdStart --launchCount 1 --warmupCount 1 --iterationCount 5 "$@"
  # One cold iteration of 1,000,000 events.
  bench --filter '*BacklogMemoryBenchmark*' --strategy ColdStart --launchCount 1 --warmupCount 0 --iterationCount 1 "$@"
fi

elapsed=$(( $(date +%s) - started ))

# The reports behind benchmarks/README.md: copied, so they can be committed.
rm -f "$results"/*.md
cp "$artifacts"/results/*-report-github.md "$results"/ 2>/dev/null
cp "$artifacts"/metrics/*-profile-*.md "$results"/ 2>/dev/null

{
  echo "# Environment of the $mode run"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC') (finished; the run took $((elapsed / 60)) min $((elapsed % 60)) s)"
  echo "- .NET SDK: $(dotnet --version), runtime: $(dotnet --list-runtimes | grep NETCore.App | tail -1 | awk '{print $2}')"
  echo "- Cores: $(nproc); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work shares this machine: compare only within one run)"
  echo "- Stores: ${EVENTKIT_BENCH_STORES:-all available}; PostgreSQL: ${EVENTKIT_BENCH_POSTGRES:-not configured (left out)}"
  if [[ -n ${EVENTKIT_BENCH_POSTGRES:-} ]] && command -v psql >/dev/null; then
    args=()
    IFS=';' read -ra parts <<<"$EVENTKIT_BENCH_POSTGRES"
    for part in "${parts[@]}"; do
      key=$(echo "${part%%=*}" | tr -d ' ' | tr '[:upper:]' '[:lower:]'); val=${part#*=}
      case $key in host|server) args+=(-h "$val");; port) args+=(-p "$val");; username|user|userid) args+=(-U "$val");; database) args+=(-d "$val");; esac
    done
    echo "- PostgreSQL: $(psql "${args[@]}" -XAtc 'show server_version' 2>/dev/null); $(psql "${args[@]}" -XAtc "select string_agg(name || '=' || setting, ', ' order by name) from pg_settings where name in ('fsync','synchronous_commit','wal_sync_method','full_page_writes','shared_buffers','max_connections')" 2>/dev/null)"
  fi
  echo "- SQLite: file database in $(dirname "$(mktemp -u)"), journal_mode=WAL, synchronous=FULL (SQLite's default)"
  echo
  echo '```'
  echo '$ lscpu | head -n 20'
  lscpu | head -n 20
  echo '```'
  echo
  echo "Commands (from the repository root: \`benchmarks/run.sh $mode\`, which runs):"
  echo
  echo '```'
  cat "$commands"
  echo '```'
} >"$results/environment.md"

echo "run.sh: $mode run took $((elapsed / 60)) min $((elapsed % 60)) s; reports in ${results#"$bench_dir"/}/"
exit $status
