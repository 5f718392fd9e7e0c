#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every
# test with ctest (unit tests, black-box integration tests against the real
# binaries, the Python client scenario and the acceptance checks). Ends with
# ctest's summary; the exit code is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/build.sh
exec ctest --test-dir build --output-on-failure -j2
