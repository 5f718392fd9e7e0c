#!/usr/bin/env bash
# The README's run command. Installs what is missing, builds, starts both
# services on the embedded store in ./var (ingest on 127.0.0.1:50051, query on
# 127.0.0.1:50052, or free ports when those are taken), ingests the demo
# articles of examples/articles/ and prints, with relctl, a relations state, a
# timeline, the agreements, the figures and the disputed figures.
#
# usage: scripts/demo.sh [--stop] [--no-setup] [--no-build]
#          --stop      stop the services when the demo is done (default: leave
#                      them running so you can try relctl yourself)
#          --no-setup  skip scripts/setup.sh;  --no-build  skip scripts/build.sh
#        scripts/demo.sh stop   stop services a previous demo left running
#
# Logs and pid files: var/run/. The store persists in var/ingest and var/query;
# running the demo again reports the articles as duplicates.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
run_dir="$root/var/run"
bin="${RELMON_BIN_DIR:-$root/build/bin}"  # override to use another build

stop_after=0 do_setup=1 do_build=1
for arg in "$@"; do
  case "$arg" in
    --stop) stop_after=1 ;;
    --no-setup) do_setup=0 ;;
    --no-build) do_build=0 ;;
    stop) mode=stop ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

stop_services() {
  for name in query-service ingest-service; do
    local pid_file="$run_dir/$name.pid"
    [[ -f "$pid_file" ]] || continue
    local pid
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then
      echo "demo: stopping $name (pid $pid)"
      kill -TERM "$pid"
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then echo "demo: $name did not stop" >&2; fi
    fi
    rm -f "$pid_file"
  done
}

if [[ "${mode:-}" == stop ]]; then
  stop_services
  exit 0
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_service NAME PORT ARGS...: starts it in the background, waits for its
# `listening on HOST:PORT` line and sets $address.
start_service() {
  local name=$1 port=$2
  shift 2
  if port_in_use "$port"; then
    echo "demo: port $port is taken, $name picks a free one"
    port=0
  fi
  local out="$run_dir/$name.out"
  : >"$out"
  nohup "$bin/$name" --listen="127.0.0.1:$port" "$@" >"$out" 2>"$run_dir/$name.log" </dev/null &
  local pid=$!
  echo "$pid" >"$run_dir/$name.pid"
  address=""
  for _ in $(seq 1 600); do
    address=$(sed -n 's/^listening on //p' "$out" | head -n1)
    [[ -n "$address" ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "demo: $name exited; last log lines:" >&2
      tail -n 20 "$run_dir/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  [[ -n "$address" ]] || { echo "demo: $name did not start within 60 s" >&2; exit 1; }
  echo "demo: $name listening on $address (pid $pid, log $run_dir/$name.log)"
}

[[ $do_setup -eq 1 ]] && bash scripts/setup.sh
[[ $do_build -eq 1 ]] && bash scripts/build.sh

mkdir -p "$run_dir"
stop_services
start_service ingest-service 50051 --data_dir="$root/var/ingest"
ingest_address=$address
start_service query-service 50052 --data_dir="$root/var/query" --ingest_target="$ingest_address"
query_address=$address
export RELCTL_INGEST_TARGET=$ingest_address RELCTL_QUERY_TARGET=$query_address
relctl="$bin/relctl"

section() {
  if [[ -t 1 ]]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi
}
section "relctl ingest examples/articles/articles.jsonl"
summary=$("$relctl" ingest examples/articles/articles.jsonl) || status=$?
echo "$summary"
if [[ ${status:-0} -ge 2 ]]; then echo "demo: ingest failed" >&2; exit 1; fi
sequence=$(sed -n 's/.*highest sequence \([0-9]*\).*/\1/p' <<<"$summary")
q=("$relctl" "--min_sequence=${sequence:-0}")

section "relctl state Japan 'South Korea' --as-of 2023-05-31"
"${q[@]}" state Japan "South Korea" --as-of 2023-05-31
section "relctl state Poland Belarus --as-of 2021-11-30"
"${q[@]}" state Poland Belarus --as-of 2021-11-30
section "relctl timeline Tokyo Seoul --from 2023-01 --to 2023-06"
"${q[@]}" timeline Tokyo Seoul --from 2023-01 --to 2023-06
section "relctl events Greece Turkey"
"${q[@]}" events Greece Turkey
section "relctl agreements"
"${q[@]}" agreements
section "relctl figures"
"${q[@]}" figures
section "relctl disputes"
"${q[@]}" disputes

if [[ $stop_after -eq 1 ]]; then
  echo
  stop_services
else
  cat <<EOT

The services keep running. Try, for example:
  export RELCTL_INGEST_TARGET=$ingest_address RELCTL_QUERY_TARGET=$query_address
  $bin/relctl --help
  $bin/relctl state Somalia Kenya
  $bin/relctl --json agreements --country Burundi
Stop them with: scripts/demo.sh stop
EOT
fi
