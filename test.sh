#!/usr/bin/env bash
# test.sh - the project's one test command (used by the README and by .ci/run).
#
#   ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Outbox]
#
# It starts a throwaway PostgreSQL server for the tests, runs
# `dotnet test EventKit.sln -c Release`, stops the server, and prints as its
# LAST line the sum of VSTest's per-assembly summaries, e.g.
#   9 passed, 0 failed, 1 skipped
# It exits with dotnet test's exit code.
#
# Environment the tests get (only when the server started):
#   EVENTKIT_TEST_POSTGRES        Npgsql connection string to database eventkit_tests
#   EVENTKIT_TEST_POSTGRES_BIN    PostgreSQL bin dir (initdb, pg_ctl etc.), for tests
#                                 that start a private server of their own (the
#                                 outage test). No test may stop THIS server: the test
#                                 assemblies run in parallel and all of them use it.
#   EVENTKIT_TEST_POSTGRES_PORT   the port (private servers keep away from it)
#   EVENTKIT_TEST_POSTGRES_OSUSER the OS user initdb/pg_ctl must run as (they refuse root)
#   EVENTKIT_TEST_POSTGRES_PASSWORD_ROLE  "Username=…;Password=…" of a role that must log in
#                                 with its password (SCRAM), for tests of the connections
#                                 EventKit opens itself (LISTEN, the NOTIFY after a commit)
# If EVENTKIT_TEST_POSTGRES is already set, that server is used and none is started.
#
# The dashboard's browser tests need headless Chromium and chromedriver from Debian's
# packages (/usr/bin/chromium, /usr/bin/chromedriver); the script installs them with
# apt-get when it runs as root and they are missing (EVENTKIT_TEST_SKIP_BROWSER_INSTALL=1
# turns that off). Without them the browser tests skip (or fail when CI=true).
#
# Switches for checking this script without a build:
#   EVENTKIT_TEST_DRY_RUN=1      don't run dotnet test; print the settings and run
#                                `select 1` with psql instead; that check is reported
#                                as one VSTest-style summary line (1 passed / 1 failed /
#                                1 skipped when there is no server).
#   EVENTKIT_TEST_DRY_RUN_LOG=F  with DRY_RUN, also replay file F as if it were
#                                dotnet test's output (tests the summary parser).
#   `source ./test.sh` defines the functions without running anything, e.g.
#   `source ./test.sh; summarize_test_log some.log`.
#
# No `set -e` on purpose: a failing step must never skip stopping the server.

# dotnet: no telemetry, banner or first-run work; English output so the summaries
# can be parsed; no terminal logger, which would swallow VSTest's per-assembly
# summaries and print its own "Test summary:" line instead.
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_UI_LANGUAGE=en-US
export MSBUILDTERMINALLOGGER=off

PG_FIRST_PORT=55432   # away from the usual 5432-5434
PG_PORT_TRIES=50
PG_DIR=""             # temp folder of our server; empty = no server to stop
PG_BIN=""

log() { echo "test.sh: $*"; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a PostgreSQL server command as the OS user that owns the data dir.
# From PG_DIR, because the postgres user may not be able to read our cwd.
as_pg() {
  if is_root; then
    (cd "$PG_DIR" && runuser -u postgres -- "$@")
  else
    (cd "$PG_DIR" && "$@")
  fi
}

# Newest /usr/lib/postgresql/*/bin that has initdb, else initdb on PATH.
find_pg_bin() {
  local d best="" best_ver=-1 ver
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/initdb ]] || continue
    ver=$(basename "$(dirname "$d")")
    ver=${ver%%.*}
    [[ $ver =~ ^[0-9]+$ ]] || ver=0
    if (( ver > best_ver )); then best=$d; best_ver=$ver; fi
  done
  if [[ -z $best ]] && command -v initdb >/dev/null 2>&1; then
    best=$(dirname "$(command -v initdb)")
  fi
  [[ -n $best ]] && echo "$best"
}

# Something already accepts connections on 127.0.0.1:$1 (any program, not only PostgreSQL).
port_busy() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Find PostgreSQL, installing it when we are root and it is missing.
# Sets PG_BIN; returns non-zero when the tests must do without a server.
ensure_postgres() {
  PG_BIN=$(find_pg_bin)
  [[ -n $PG_BIN ]] && return 0
  if ! is_root; then
    log "NOTE: PostgreSQL (initdb) not found and not root, so it cannot be installed;"
    log "      PostgreSQL tests will be skipped. Install it with: apt-get install postgresql"
    return 1
  fi
  local install_log="$LOG_DIR/postgres-install.log"
  log "PostgreSQL not found; installing it with apt-get (log: $install_log) ..."
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } \
      >"$install_log" 2>&1; then
    log "ERROR: installing PostgreSQL failed; last lines of $install_log:"
    tail -n 15 "$install_log" | sed 's/^/    /'
    return 1
  fi
  PG_BIN=$(find_pg_bin)
  if [[ -z $PG_BIN ]]; then
    log "ERROR: apt-get installed postgresql but no initdb was found under /usr/lib/postgresql"
    return 1
  fi
  log "installed PostgreSQL: $PG_BIN"
}

# Install Debian's chromium and chromium-driver for the browser tests when they are
# missing and we are root. Never fatal: without them the browser tests skip (or fail
# under CI=true, which is the tests' decision, not this script's).
ensure_chromium() {
  [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] && return 0
  if [[ ${EVENTKIT_TEST_SKIP_BROWSER_INSTALL:-0} != 0 ]]; then
    log "NOTE: chromium/chromedriver missing and EVENTKIT_TEST_SKIP_BROWSER_INSTALL is set: browser tests will skip"
    return 1
  fi
  if ! is_root; then
    log "NOTE: chromium/chromedriver not found and not root, so they cannot be installed;"
    log "      browser tests will be skipped. Install them with: apt-get install chromium chromium-driver"
    return 1
  fi
  local install_log="$LOG_DIR/chromium-install.log"
  log "chromium/chromedriver not found; installing them with apt-get (log: $install_log) ..."
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; } \
      >"$install_log" 2>&1; then
    log "ERROR: installing chromium failed; last lines of $install_log:"
    tail -n 15 "$install_log" | sed 's/^/    /'
    return 1
  fi
  log "installed $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
}

# Start the throwaway server and export EVENTKIT_TEST_POSTGRES*. Returns non-zero
# (and leaves the variables unset) when it could not.
start_postgres() {
  ensure_postgres || return 1
  if is_root && ! id postgres >/dev/null 2>&1; then
    log "ERROR: OS user 'postgres' does not exist; cannot run the server as root"
    return 1
  fi

  # The socket lives in this folder and its path must stay under 107 bytes.
  local base=${TMPDIR:-/tmp}
  (( ${#base} > 70 )) && base=/tmp
  PG_DIR=$(mktemp -d "$base/eventkit-pg.XXXXXX") || { PG_DIR=""; return 1; }
  # The server refuses to run as root: the folder belongs to the postgres user.
  if is_root; then chown postgres: "$PG_DIR"; fi
  local data="$PG_DIR/data"

  # C locale + UTF8: works without generated locales and sorts the same everywhere.
  if ! as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale \
      >"$PG_DIR/initdb.log" 2>&1; then
    log "ERROR: initdb failed; last lines of its output:"
    tail -n 15 "$PG_DIR/initdb.log" | sed 's/^/    /'
    return 1
  fi
  # One role must log in with its password (the others are trusted): EventKit's own connections, cloned from the
  # application's, must keep its credentials.
  as_pg sh -c "{ printf 'host all eventkit_password 127.0.0.1/32 scram-sha-256\\n'; cat '$data/pg_hba.conf'; } > '$data/pg_hba.new' && mv '$data/pg_hba.new' '$data/pg_hba.conf'"
  # fsync off is for test speed only; -k keeps the socket out of /var/run/postgresql.
  # First free port from PG_FIRST_PORT; if the start still fails because someone
  # took the port meanwhile, try the next one.
  local port=$PG_FIRST_PORT last=$((PG_FIRST_PORT + PG_PORT_TRIES)) started=""
  while (( port < last )); do
    if port_busy "$port"; then
      log "port $port is busy, trying $((port + 1))"
      port=$((port + 1)); continue
    fi
    if as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$PG_DIR/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c synchronous_commit=off -c max_connections=200" \
        >"$PG_DIR/pg_ctl.log" 2>&1; then
      started=1; break
    fi
    if grep -q "could not bind\|Address already in use" "$PG_DIR/server.log" 2>/dev/null; then
      log "port $port was taken while starting, trying $((port + 1))"
      port=$((port + 1)); continue
    fi
    break
  done
  if [[ -z $started ]]; then
    log "ERROR: PostgreSQL did not start; last lines of its log (kept as $LOG_DIR/postgres-server.log):"
    tail -n 20 "$PG_DIR/server.log" 2>/dev/null | sed 's/^/    /'
    tail -n 5 "$PG_DIR/pg_ctl.log" 2>/dev/null | sed 's/^/    /'
    return 1
  fi
  if ! "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres eventkit_tests >"$PG_DIR/createdb.log" 2>&1; then
    log "ERROR: createdb eventkit_tests failed:"
    sed 's/^/    /' "$PG_DIR/createdb.log"
    return 1
  fi

  if "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
      -c "CREATE ROLE eventkit_password LOGIN SUPERUSER PASSWORD 'eventkit-test-secret'" >"$PG_DIR/role.log" 2>&1; then
    export EVENTKIT_TEST_POSTGRES_PASSWORD_ROLE="Username=eventkit_password;Password=eventkit-test-secret"
  else
    log "WARNING: could not create the password role; its tests skip (or fail under CI=true):"
    sed 's/^/    /' "$PG_DIR/role.log"
  fi

  export EVENTKIT_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=eventkit_tests;Pooling=true"
  export EVENTKIT_TEST_POSTGRES_BIN="$PG_BIN"
  export EVENTKIT_TEST_POSTGRES_PORT="$port"
  if is_root; then export EVENTKIT_TEST_POSTGRES_OSUSER=postgres; else export EVENTKIT_TEST_POSTGRES_OSUSER=$(id -un); fi
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port (data: $data)"
}

# Stop the server and remove its folder. Safe to call twice; also the EXIT trap.
# Quiet unless $1 is "verbose": after the summary line nothing may be printed.
stop_postgres() {
  [[ -n $PG_DIR ]] || return 0
  local dir=$PG_DIR
  if [[ -f $dir/data/postmaster.pid ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1
    [[ $1 == verbose ]] && log "PostgreSQL stopped"
  fi
  PG_DIR=""
  # Keep the server log (the folder goes away): useful when a test failed.
  [[ -n ${LOG_DIR:-} && -f $dir/server.log ]] && cp "$dir/server.log" "$LOG_DIR/postgres-server.log"
  rm -rf "$dir"
}

# Unset the variables when the server failed, so tests skip (or fail under CI=true).
unset_postgres_env() {
  unset EVENTKIT_TEST_POSTGRES EVENTKIT_TEST_POSTGRES_BIN EVENTKIT_TEST_POSTGRES_PORT \
        EVENTKIT_TEST_POSTGRES_OSUSER EVENTKIT_TEST_POSTGRES_PASSWORD_ROLE
}

# Sum VSTest's per-assembly summaries in log file $1 and print
# "N passed, N failed, N skipped". VSTest's console logger writes them in one of
# two forms, depending on its verbosity:
#   minimal (the default):
#     Passed!  - Failed:     0, Passed:     9, Skipped:     1, Total:    10, Duration: 1 s - X.dll (net10.0)
#   normal, as used here (zero counts are left out; checked with SDK 10.0.401):
#     Test Run Successful.        (or "Test Run Failed." / "Test Run Aborted.")
#     Total tests: 10
#          Passed: 9
#         Skipped: 1
#      Total time: 1.2 Seconds
# Each assembly prints one of them, so both forms are summed (identical one-line
# summaries counted once, in case a logger repeats one; an aborted run counts as
# at least one failure). Only if there is neither, the terminal logger's
# "Test summary: total: N, failed: N, succeeded: N, skipped: N" is used. With
# none of them, print "0 passed, 1 failed, 0 skipped" and return 1.
summarize_test_log() {
  sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/\r$//' "$1" 2>/dev/null | awk '
    function num(s, key,   t) {            # number after "key:" in s
      if (!match(s, key ": *[0-9]+")) return 0
      t = substr(s, RSTART, RLENGTH); gsub(/[^0-9]/, "", t); return t + 0
    }
    function end_block() {                 # add the open "Test Run ..." block
      if (!inblock) return
      if (aborted && bf == 0) bf = 1
      bn++; bp += p_; bf += f_; bk += k_; inblock = 0
    }
    # one-line form
    match($0, /[A-Za-z]+! +- +Failed: *[0-9]+, *Passed: *[0-9]+, *Skipped: *[0-9]+, *Total: *[0-9]+/) {
      line = $0; sub(/^[ \t]+/, "", line)
      if (seen[line]++) next
      s = substr($0, RSTART, RLENGTH); n++
      f += num(s, "Failed"); p += num(s, "Passed"); k += num(s, "Skipped")
      next
    }
    # block form
    /^Test Run (Successful|Failed|Aborted)/ {
      end_block(); inblock = 1; p_ = f_ = k_ = 0; aborted = ($0 ~ /Aborted/); next
    }
    inblock && /^ *Passed: *[0-9]+ *$/  { p_ = num($0, "Passed");  next }
    inblock && /^ *Failed: *[0-9]+ *$/  { f_ = num($0, "Failed");  next }
    inblock && /^ *Skipped: *[0-9]+ *$/ { k_ = num($0, "Skipped"); next }
    inblock && /^ *Total time:/         { end_block(); next }
    # terminal logger form
    /Test summary: total: *[0-9]+, *failed: *[0-9]+, *succeeded: *[0-9]+, *skipped: *[0-9]+/ {
      if (tseen[$0]++) next
      tn++; tf += num($0, "failed"); tp += num($0, "succeeded"); tk += num($0, "skipped")
    }
    END {
      end_block()
      if (n + bn > 0) { printf "%d passed, %d failed, %d skipped\n", p + bp, f + bf, k + bk; exit 0 }
      if (tn > 0)     { printf "%d passed, %d failed, %d skipped\n", tp, tf, tk; exit 0 }
      print "0 passed, 1 failed, 0 skipped"; exit 1
    }'
}

# psql arguments from an Npgsql connection string (Host, Port, Username, Database).
npgsql_to_psql_args() {
  local part key val args=()
  local IFS=';'
  for part in $1; do
    key=$(echo "${part%%=*}" | tr -d ' ' | tr '[:upper:]' '[:lower:]'); val=${part#*=}
    case $key in
      host|server) args+=(-h "$val") ;;
      port) args+=(-p "$val") ;;
      username|userid|user) args+=(-U "$val") ;;
      database|db) args+=(-d "$val") ;;
    esac
  done
  printf '%s\n' "${args[@]}"
}

# Dry run: stands in for `dotnet test`; prints what the tests would get, checks
# the database with psql, and reports that check as a VSTest summary line.
dry_run_tests() {
  local psql="${PG_BIN:+$PG_BIN/}psql" result
  log "DRY RUN (EVENTKIT_TEST_DRY_RUN=1): not running dotnet test EventKit.sln -c Release $*"
  if [[ -n $EVENTKIT_TEST_POSTGRES ]]; then
    echo "EVENTKIT_TEST_POSTGRES=$EVENTKIT_TEST_POSTGRES"
    echo "EVENTKIT_TEST_POSTGRES_BIN=${EVENTKIT_TEST_POSTGRES_BIN:-}"
    echo "EVENTKIT_TEST_POSTGRES_PORT=${EVENTKIT_TEST_POSTGRES_PORT:-}"
    local -a args; mapfile -t args < <(npgsql_to_psql_args "$EVENTKIT_TEST_POSTGRES")
    echo "+ psql ${args[*]} -c 'select 1'"
    if "$psql" "${args[@]}" -X -c 'select 1'; then
      result="Passed!  - Failed:     0, Passed:     1, Skipped:     0, Total:     1"
    else
      result="Failed!  - Failed:     1, Passed:     0, Skipped:     0, Total:     1"
    fi
  else
    echo "EVENTKIT_TEST_POSTGRES is not set (no server): PostgreSQL tests would skip"
    result="Skipped! - Failed:     0, Passed:     0, Skipped:     1, Total:     1"
  fi
  echo "$result, Duration: 0 ms - dry-run psql check"
  if [[ -n ${EVENTKIT_TEST_DRY_RUN_LOG:-} ]]; then
    log "replaying $EVENTKIT_TEST_DRY_RUN_LOG as dotnet test output"
    cat "$EVENTKIT_TEST_DRY_RUN_LOG"
  fi
  [[ $result == Failed* ]] && return 1
  return 0
}

main() {
  cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
  LOG_DIR="$PWD/artifacts/test-results"   # artifacts/ is git-ignored; logs outlive the run
  mkdir -p "$LOG_DIR"
  local test_log="$LOG_DIR/dotnet-test.log"

  # Stop the server however we leave (Ctrl-C too); silent, see stop_postgres.
  trap stop_postgres EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  if [[ -n ${EVENTKIT_TEST_POSTGRES:-} ]]; then
    log "EVENTKIT_TEST_POSTGRES is already set: using that server, starting none"
  elif ! start_postgres; then
    log "continuing WITHOUT PostgreSQL: its tests skip (or fail when CI=true)"
    stop_postgres verbose
    unset_postgres_env
  fi

  ensure_chromium || log "continuing WITHOUT a browser: the dashboard's browser tests skip (or fail when CI=true)"

  local rc
  if [[ -n ${EVENTKIT_TEST_DRY_RUN:-} && ${EVENTKIT_TEST_DRY_RUN} != 0 ]]; then
    dry_run_tests "$@" 2>&1 | tee "$test_log"
    rc=${PIPESTATUS[0]}
  else
    log "dotnet test EventKit.sln -c Release $* (log: $test_log)"
    dotnet test EventKit.sln -c Release "$@" 2>&1 | tee "$test_log"
    rc=${PIPESTATUS[0]}
  fi

  stop_postgres verbose   # now, so the trap has nothing left to print

  local summary found=0 failed
  summary=$(summarize_test_log "$test_log") || found=1
  if (( found != 0 )); then
    log "no test summary line in $test_log (build error or crashed test run?)"
    (( rc == 0 )) && rc=1
  else
    failed=$(echo "$summary" | awk '{print $3}')
    if (( rc == 0 && failed > 0 )); then rc=1; fi
    if (( rc != 0 && failed == 0 )); then
      log "dotnet test exited with $rc although no test failed (build error? see $test_log)"
    fi
  fi
  echo "$summary"
  exit "$rc"
}

# Run only when executed, not when sourced (so the functions can be tested alone).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
