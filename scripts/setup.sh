#!/usr/bin/env bash
# Installs what building (and, with --test, testing) the relations monitor
# needs on Debian 12: compilers, gRPC/Protobuf/Abseil/RocksDB/RE2/ICU dev
# packages, libcurl/librdkafka/cpp-httplib, Python gRPC; with --test also the
# tools the black-box tests drive (Node.js and npm when absent, headless
# Chromium, yamllint, shellcheck, curl); with --sanitize clang and its
# sanitizer/fuzzer runtimes. Runs apt-get only when something is
# missing; uses sudo when not root. Safe to run again.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ccache
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev librocksdb-dev libre2-dev libicu-dev nlohmann-json3-dev libxml2-dev libssl-dev
  libcurl4-openssl-dev librdkafka-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev libjemalloc-dev
  iso-codes grpc-proto python3 python3-grpcio python3-protobuf
)
for option in "$@"; do
  case "$option" in
    --test)
      packages+=(chromium yamllint shellcheck curl)
      # Node.js may come from elsewhere (nodesource); Debian's only when absent.
      command -v node >/dev/null || packages+=(nodejs)
      command -v npm >/dev/null || packages+=(npm)
      ;;
    --sanitize)
      # scripts/sanitize.sh: clang's libFuzzer runtime, llvm-symbolizer for
      # readable sanitizer stacks.
      packages+=(clang libclang-rt-14-dev llvm)
      ;;
    *) echo "setup: unknown option $option (--test, --sanitize)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
echo "setup: done"
