#!/usr/bin/env bash
# Runs herd's test suite: system libraries first, then every test target.
set -euo pipefail
cd "$(dirname "$0")/.."
HERD_SETUP_TEST_TOOLS=1 bash scripts/setup.sh
swift build --build-tests
swift test --skip-build
