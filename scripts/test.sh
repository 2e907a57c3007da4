#!/usr/bin/env bash
# Runs herd's test suite: system libraries first, then every test target.
set -euo pipefail
cd "$(dirname "$0")/.."
HERD_SETUP_TEST_TOOLS=1 bash scripts/setup.sh
swift build --build-tests
# The suites are XCTest; without this flag Swift Testing closes the log with "0 tests".
swift test --skip-build --disable-swift-testing
