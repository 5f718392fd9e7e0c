#!/usr/bin/env bash
# Second CI stage (not part of scripts/test.sh: it builds the tree three more
# times). docs/reliability.md describes each stage and records the results.
#
#   bash scripts/sanitize.sh            # asan, tsan and fuzz stages
#   bash scripts/sanitize.sh fuzz       # only some stages: asan tsan fuzz
#
# asan  ASan+UBSan build (-DRELMON_SANITIZE=address, gcc): every unit test and
#       the black-box tests (ctest; acceptance and script tests excluded).
# tsan  TSan build (-DRELMON_SANITIZE=thread) of the concurrent parts: ingest
#       EventLog/Intake/WorkerPool/IngestService tests, query follower/view
#       tests. Debian's abseil/gRPC are not TSan-instrumented:
#       tests/reliability/tsan.supp suppresses third-party frames only.
# fuzz  clang build with -fsanitize=fuzzer,address,undefined of fuzz/ and a
#       short libFuzzer run of each target (FUZZ_SECONDS, default 20), seeded
#       from fuzz/corpus/, fuzz/regressions/ and the shared corpus when present.
#       A crash is copied to fuzz/regressions/<target>/ (replayed by ctest in
#       every build) and fails the stage.
#
# Environment: SANITIZE_BUILD_PREFIX (default build-; dirs <prefix>asan,
# <prefix>tsan, <prefix>fuzz), JOBS (default 2), FUZZ_SECONDS, RELMON_SHARED_DIR.
# Exit code: 0 when every selected stage passed. Prints one summary line per stage.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PREFIX=${SANITIZE_BUILD_PREFIX:-build-}
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
SHARED=${RELMON_SHARED_DIR:-$ROOT/../shared}
STAGES=("$@")
[ ${#STAGES[@]} -eq 0 ] && STAGES=(asan tsan fuzz)
declare -A RESULT
failed=0

say() { printf '== sanitize: %s\n' "$*"; }

configure() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir/sanitize-configure.log" 2>&1 ||
    { tail -30 "$dir/sanitize-configure.log"; return 1; }
}

stage_asan() {
  local dir=$ROOT/${PREFIX}asan
  mkdir -p "$dir"
  configure "$dir" -DRELMON_SANITIZE=address \
    -DRELMON_COMPONENTS="common;ingest-service;query-service;relctl;feed-follower;tests;fuzz" || return 1
  say "asan: building (log $dir/sanitize-build.log)"
  cmake --build "$dir" -j"$JOBS" >"$dir/sanitize-build.log" 2>&1 || { tail -40 "$dir/sanitize-build.log"; return 1; }
  # detect_leaks: gRPC and protobuf keep process-lifetime singletons.
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$JOBS" -E '^(acceptance_|proto_check|deploy_check|node_client|examples_smoke|browser_)' \
    >"$dir/sanitize-ctest.log" 2>&1
  local rc=$?
  tail -15 "$dir/sanitize-ctest.log"
  grep -l "ERROR: AddressSanitizer\|runtime error:" "$dir"/Testing/Temporary/LastTest.log >/dev/null 2>&1 &&
    { say "asan: sanitizer reports in $dir/Testing/Temporary/LastTest.log"; rc=1; }
  return $rc
}

stage_tsan() {
  local dir=$ROOT/${PREFIX}tsan
  mkdir -p "$dir"
  configure "$dir" -DRELMON_SANITIZE=thread \
    -DRELMON_COMPONENTS="common;ingest-service;query-service" || return 1
  say "tsan: building (log $dir/sanitize-build.log)"
  cmake --build "$dir" -j"$JOBS" --target relmon_ingest_test relmon_query_test \
    >"$dir/sanitize-build.log" 2>&1 || { tail -40 "$dir/sanitize-build.log"; return 1; }
  local rc=0
  export TSAN_OPTIONS="suppressions=$ROOT/tests/reliability/tsan.supp:halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0"
  "$dir/bin/relmon_ingest_test" --gtest_filter='*EventLog*:*Intake*:*WorkerPool*:*IngestService*' \
    >"$dir/sanitize-tsan-ingest.log" 2>&1 || rc=1
  tail -3 "$dir/sanitize-tsan-ingest.log"
  "$dir/bin/relmon_query_test" --gtest_filter='*Follower*:*ViewStore*:*QueryService*:*Engine*' \
    >"$dir/sanitize-tsan-query.log" 2>&1 || rc=1
  tail -3 "$dir/sanitize-tsan-query.log"
  grep -h "WARNING: ThreadSanitizer" "$dir/sanitize-tsan-ingest.log" "$dir/sanitize-tsan-query.log" | sort | uniq -c
  return $rc
}

stage_fuzz() {
  local dir=$ROOT/${PREFIX}fuzz
  if ! command -v clang++ >/dev/null; then
    say "fuzz: clang++ missing (apt-get install -y clang libclang-rt-14-dev)"; return 1
  fi
  mkdir -p "$dir"
  # fuzzer-no-link: the libraries get libFuzzer's coverage instrumentation too.
  configure "$dir" -DCMAKE_CXX_COMPILER=clang++ -DRELMON_SANITIZE=address \
    -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link \
    -DRELMON_COMPONENTS="common;ingest-service;fuzz" || return 1
  local targets=(article_header temporal figures html extractor)
  say "fuzz: building (log $dir/sanitize-build.log)"
  cmake --build "$dir" -j"$JOBS" --target "${targets[@]/#/fuzz_}" >"$dir/sanitize-build.log" 2>&1 ||
    { tail -40 "$dir/sanitize-build.log"; return 1; }
  local rc=0 name work
  for name in "${targets[@]}"; do
    work=$dir/run/$name
    rm -rf "$work"; mkdir -p "$work/corpus" "$work/crashes"
    local seeds=("$ROOT/fuzz/corpus/$name" "$ROOT/fuzz/regressions/$name")
    if [ "$name" = extractor ] || [ "$name" = article_header ]; then
      for d in "$SHARED/corpus/seeds" "$SHARED/corpus/dev"; do [ -d "$d" ] && seeds+=("$d"); done
    fi
    # The first corpus dir receives new inputs; the checked-in ones stay as they are.
    ASAN_OPTIONS=detect_leaks=0 "$dir/bin/fuzz_$name" "$work/corpus" "${seeds[@]}" \
      -max_total_time="$FUZZ_SECONDS" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
      -artifact_prefix="$work/crashes/" -print_final_stats=1 >"$work/log" 2>&1
    local code=$?
    local execs; execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
    local cov; cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1)
    if [ $code -ne 0 ] || [ -n "$(ls -A "$work/crashes")" ]; then
      rc=1
      mkdir -p "$ROOT/fuzz/regressions/$name"
      cp "$work"/crashes/* "$ROOT/fuzz/regressions/$name/" 2>/dev/null
      say "fuzz $name: FOUND a crash (exit $code), saved to fuzz/regressions/$name/; log $work/log"
      grep -m5 -A8 "ERROR:\|runtime error\|fuzz check failed" "$work/log"
    else
      say "fuzz $name: ok, ${execs:-?} runs in ${FUZZ_SECONDS}s, ${cov:-cov ?}"
    fi
  done
  return $rc
}

for stage in "${STAGES[@]}"; do
  case $stage in
    asan|tsan|fuzz) ;;
    *) echo "unknown stage $stage (asan tsan fuzz)"; exit 2 ;;
  esac
  say "$stage: start $(date -u +%H:%M:%S)"
  start=$SECONDS
  if "stage_$stage"; then RESULT[$stage]="passed"; else RESULT[$stage]="FAILED"; failed=1; fi
  say "$stage: ${RESULT[$stage]} in $((SECONDS - start)) s"
done
for stage in "${STAGES[@]}"; do say "summary $stage: ${RESULT[$stage]}"; done
exit $failed
