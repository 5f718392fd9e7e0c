#!/usr/bin/env bash
# Builds everything into build/ (programs in build/bin, Python test stubs in
# build/python). Extra arguments go to the configure step (-DRELMON_SANITIZE=address).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j2
