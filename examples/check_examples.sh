#!/usr/bin/env bash
# Smoke test of the examples: they must keep running against the real services.
#
# Usage: examples/check_examples.sh BIN_DIR SHARED_DIR
#
# Starts ingest-service and query-service from BIN_DIR on free ports with
# temporary data dirs, ingests the seed texts of SHARED_DIR/corpus with the
# Node example (--ingest, read-your-write), then runs the Python example, the
# C++ example (BIN_DIR/relations-example-cpp, skipped when not built) and the
# buf curl commands of shell/buf-curl.md; each must exit 0 (the Atlantis call:
# non-zero) and print what it should (the AZ-IR state, the service list, the
# health status, the error). Stops both services with SIGTERM.
# Prints `N passed, M failed[, K skipped]`.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BIN_DIR SHARED_DIR" >&2
  exit 2
fi
BIN_DIR=$(cd "$1" && pwd) || exit 2
SHARED_DIR=$(cd "$2" && pwd) || exit 2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUF=${BUF:-$ROOT/tools/buf/node_modules/.bin/buf}

passed=0 failed=0 skipped=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/relmon-examples.XXXXXX")
declare -A PIDS=()
cleanup() {
  for name in "${!PIDS[@]}"; do kill -KILL "${PIDS[$name]}" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# expect NAME PATTERN CMD...: runs CMD, passes when it exits 0 and its output
# matches the extended regex PATTERN.
expect() {
  local name=$1 pattern=$2; shift 2
  local out rc
  out=$(timeout 120 "$@" 2>&1); rc=$?
  if [[ $rc -eq 0 ]] && grep -Eq "$pattern" <<<"$out"; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name (exit $rc, wanted /$pattern/)"
  fi
  sed 's/^/     /' <<<"$out" | head -n 30
}

start() {  # start NAME ARGS... ; sets ADDR_<name>
  local name=$1; shift
  "$BIN_DIR/$name" --listen=127.0.0.1:0 --data_dir="$WORK/$name" "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PIDS[$name]=$!
  local addr="" deadline=$((SECONDS + 60))
  while [[ -z "$addr" && $SECONDS -lt $deadline ]] && kill -0 "${PIDS[$name]}" 2>/dev/null; do
    sleep 0.1
    addr=$(sed -n 's/^listening on \([^ ]*\)$/\1/p' "$WORK/$name.out" | head -n 1)
  done
  if [[ -z "$addr" ]]; then
    echo "FAIL $name did not start"; tail -n 20 "$WORK/$name.err"
    echo "$passed passed, $((failed + 1)) failed"; exit 1
  fi
  printf -v "ADDR_${name//-/_}" '%s' "$addr"
}

for dir in "$HERE/node" "$ROOT/tools/buf"; do
  [[ -d "$dir/node_modules" ]] || (cd "$dir" && npm ci --no-audit --no-fund >/dev/null)
done

start ingest-service
start query-service --ingest_target="$ADDR_ingest_service" --http_listen=
INGEST=$ADDR_ingest_service QUERY=$ADDR_query_service

for file in "$SHARED_DIR"/corpus/seeds/*.txt; do
  expect "node example --ingest $(basename "$file")" 'INGEST_OUTCOME_ACCEPTED' \
    node "$HERE/node/client.mjs" AZ IR --ingest "$file" --ingest-target "$INGEST" --query "$QUERY"
done
expect "node example Baku Tehran" '^AZ-IR: RELATIONS_LEVEL_' \
  node "$HERE/node/client.mjs" Baku Tehran --query "$QUERY"
expect "python example" '^AZ-IR: RELATIONS_LEVEL_' \
  /usr/bin/python3 "$HERE/python/relations_client.py" --query "$QUERY"
if [[ -x "$BIN_DIR/relations-example-cpp" ]]; then
  expect "cpp example" '^AZ-IR: RELATIONS_LEVEL_' \
    "$BIN_DIR/relations-example-cpp" --query="$QUERY" Azerbaijan Iran
else
  skipped=$((skipped + 1)); echo "skip cpp example: $BIN_DIR/relations-example-cpp not built"
fi
expect "buf curl --list-services (reflection)" '^relations\.v1\.QueryService$' \
  "$BUF" curl --protocol grpc --http2-prior-knowledge --list-services "http://$QUERY"
expect "buf curl GetRelationsState -d JSON" '"level": "RELATIONS_LEVEL_' \
  "$BUF" curl --protocol grpc --http2-prior-knowledge \
  -d '{"country_a": "Azerbaijan", "country_b": "Iran"}' \
  "http://$QUERY/relations.v1.QueryService/GetRelationsState"
# Reflection does not describe grpc.health.v1.Health: give buf its .proto.
HEALTH_PROTO=/usr/share/grpc-proto/grpc/health/v1/health.proto
[[ -f "$HEALTH_PROTO" ]] ||
  HEALTH_PROTO="$ROOT/tests/clients/node/node_modules/grpc-health-check/proto/health/v1/health.proto"
if [[ -f "$HEALTH_PROTO" ]]; then
  expect "buf curl health Check (--schema health.proto)" '"status": "SERVING"' \
    "$BUF" curl --protocol grpc --http2-prior-knowledge --schema "$HEALTH_PROTO" -d '{}' \
    "http://$QUERY/grpc.health.v1.Health/Check"
else
  skipped=$((skipped + 1)); echo "skip buf curl health Check: no health.proto (Debian grpc-proto)"
fi
expect "buf curl Atlantis: fails, message names country_a" '"message": "country_a: ' \
  bash -c '! "$@"' _ "$BUF" curl --protocol grpc --http2-prior-knowledge \
  -d '{"country_a": "Atlantis", "country_b": "IR"}' \
  "http://$QUERY/relations.v1.QueryService/GetRelationsState"

for name in query-service ingest-service; do
  kill -TERM "${PIDS[$name]}"
  if wait "${PIDS[$name]}"; then
    passed=$((passed + 1)); echo "ok   $name exits 0 on SIGTERM"
  else
    failed=$((failed + 1)); echo "FAIL $name exit code $? on SIGTERM"
  fi
  unset "PIDS[$name]"
done

if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed -eq 0 ]]
