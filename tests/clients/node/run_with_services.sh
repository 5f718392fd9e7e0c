#!/usr/bin/env bash
# Runs the Node client scenario (run.mjs) against freshly started services.
#
# Usage: tests/clients/node/run_with_services.sh BIN_DIR SHARED_DIR
#   BIN_DIR     holds ingest-service and query-service (e.g. build/bin)
#   SHARED_DIR  holds corpus/seeds.jsonl (e.g. /work/shared)
#
# Starts both services on 127.0.0.1:0 with temporary data dirs, reads the real
# ports from their `listening on HOST:PORT` stdout lines, runs the scenario,
# then stops both with SIGTERM and checks that they exit 0. Prints a final
# `total: N passed, M failed` (scenario checks plus start/stop checks) and
# exits non-zero when anything failed. Needs node_modules (`npm ci` here);
# installs it with `npm ci` when missing.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BIN_DIR SHARED_DIR" >&2
  exit 2
fi
BIN_DIR=$(cd "$1" && pwd) || exit 2
SHARED_DIR=$(cd "$2" && pwd) || exit 2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
START_TIMEOUT_S=${START_TIMEOUT_S:-60}
STOP_TIMEOUT_S=${STOP_TIMEOUT_S:-30}
SCENARIO_TIMEOUT_S=${SCENARIO_TIMEOUT_S:-300}

passed=0
failed=0
check() {  # check NAME OK(0/1) [DETAIL]
  if [[ $2 -eq 0 ]]; then
    passed=$((passed + 1)); echo "ok   $1${3:+ ($3)}"
  else
    failed=$((failed + 1)); echo "FAIL $1${3:+: $3}"
  fi
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/relmon-node-client.XXXXXX")
declare -A PIDS=()
cleanup() {
  for name in "${!PIDS[@]}"; do
    kill -KILL "${PIDS[$name]}" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# start NAME ARGS...: starts BIN_DIR/NAME, waits for its listening line and
# sets ADDR_<NAME> (dashes as underscores) to HOST:PORT.
start() {
  local name=$1; shift
  local out="$WORK/$name.stdout" err="$WORK/$name.stderr"
  if [[ ! -x "$BIN_DIR/$name" ]]; then
    check "$name starts" 1 "$BIN_DIR/$name not found"
    return 1
  fi
  "$BIN_DIR/$name" --listen=127.0.0.1:0 --data_dir="$WORK/$name-data" "$@" >"$out" 2>"$err" &
  PIDS[$name]=$!
  local addr="" deadline=$((SECONDS + START_TIMEOUT_S))
  while [[ $SECONDS -lt $deadline ]]; do
    addr=$(sed -n 's/^listening on \([^ ]*\)$/\1/p' "$out" | head -n 1)
    [[ -n "$addr" ]] && break
    if ! kill -0 "${PIDS[$name]}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [[ -z "$addr" ]]; then
    check "$name starts" 1 "no 'listening on' line within ${START_TIMEOUT_S}s"
    tail -n 20 "$err" >&2
    return 1
  fi
  check "$name starts" 0 "listening on $addr"
  printf -v "ADDR_${name//-/_}" '%s' "$addr"
}

# stop NAME: SIGTERM, then expects exit code 0 within STOP_TIMEOUT_S.
stop() {
  local name=$1 pid=${PIDS[$1]:-}
  [[ -z "$pid" ]] && return
  kill -TERM "$pid" 2>/dev/null
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while kill -0 "$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    check "$name exits 0 on SIGTERM" 1 "still running after ${STOP_TIMEOUT_S}s"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  else
    wait "$pid"
    local rc=$?
    check "$name exits 0 on SIGTERM" "$((rc != 0))" "exit code $rc"
    [[ $rc -ne 0 ]] && tail -n 20 "$WORK/$name.stderr" >&2
  fi
  unset "PIDS[$name]"
}

if [[ ! -d "$HERE/node_modules" ]]; then
  echo "node_modules missing: npm ci in $HERE"
  (cd "$HERE" && npm ci --no-audit --no-fund) || { echo "0 passed, 1 failed"; exit 1; }
fi

scenario_rc=1
if start ingest-service && start query-service --ingest_target="$ADDR_ingest_service" --http_listen=; then
  timeout "$SCENARIO_TIMEOUT_S" node "$HERE/run.mjs" \
    --ingest "$ADDR_ingest_service" --query "$ADDR_query_service" \
    --corpus "$SHARED_DIR/corpus" | tee "$WORK/scenario.out"
  scenario_rc=${PIPESTATUS[0]}
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$WORK/scenario.out" | tail -n 1)
  if [[ -n "$summary" ]]; then
    read -r sp _ sf _ <<<"${summary//,/}"
    passed=$((passed + sp)); failed=$((failed + sf))
  else
    check "scenario finished" 1 "exit code $scenario_rc, no summary line"
  fi
fi
stop query-service
stop ingest-service

if [[ $scenario_rc -ne 0 && $failed -eq 0 ]]; then
  check "scenario exit code" 1 "$scenario_rc"
fi
echo "total: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
