#!/usr/bin/env bash
# Guards the relations.v1 contract: lint, formatting and wire compatibility.
#
# Usage: tools/proto-check.sh [--against GITREF]     (default GITREF: HEAD~1)
#
#   1. `buf lint` in proto/ (rules in proto/buf.yaml: STANDARD minus the two
#      AIP-131 exceptions that API.md allows);
#   2. `buf format --diff --exit-code` in proto/ (prints the diff when a file
#      is not in buf's canonical format);
#   3. `buf breaking proto --against '.git#ref=GITREF,subdir=proto'`: the
#      working tree's proto/ against GITREF's (a renamed, renumbered or
#      removed field, enum value, message or RPC fails). Skipped, with a
#      message, when there is no git history or GITREF has no proto/.
# Prints one line per check and `N passed, M failed[, K skipped]`; exits 1 when
# a check failed. buf comes from tools/buf (npm package @bufbuild/buf, pinned
# by its package-lock.json; `npm ci` is run there when it is missing), or
# from $BUF when set. Works offline.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AGAINST=HEAD~1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --against) AGAINST=${2:?--against needs a git ref}; shift 2 ;;
    --against=*) AGAINST=${1#--against=}; shift ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

BUF=${BUF:-$ROOT/tools/buf/node_modules/.bin/buf}
if [[ ! -x "$BUF" ]]; then
  echo "buf missing: npm ci in tools/buf"
  (cd "$ROOT/tools/buf" && npm ci --no-audit --no-fund >/dev/null) || {
    echo "FAIL install buf"; echo "0 passed, 1 failed"; exit 1; }
fi

passed=0 failed=0 skipped=0
run_check() {  # run_check NAME DIR CMD...
  local name=$1 dir=$2; shift 2
  local out rc
  out=$(cd "$dir" && "$@" 2>&1); rc=$?
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name (exit $rc)"
    [[ -n "$out" ]] && sed 's/^/     /' <<<"$out"
  fi
}

echo "buf $("$BUF" --version) on $ROOT/proto"
run_check "buf lint" "$ROOT/proto" "$BUF" lint
run_check "buf format --diff --exit-code" "$ROOT/proto" "$BUF" format --diff --exit-code

if ! git -C "$ROOT" rev-parse --verify -q "$AGAINST^{commit}" >/dev/null 2>&1; then
  skipped=$((skipped + 1)); echo "skip buf breaking: no commit $AGAINST in $ROOT"
elif ! git -C "$ROOT" cat-file -e "$AGAINST:proto" 2>/dev/null; then
  skipped=$((skipped + 1)); echo "skip buf breaking: $AGAINST has no proto/"
else
  against_name="$AGAINST ($(git -C "$ROOT" rev-parse --short "$AGAINST"))"
  run_check "buf breaking against $against_name" "$ROOT" \
    "$BUF" breaking proto --against ".git#ref=$AGAINST,subdir=proto"
fi

if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed -eq 0 ]]
