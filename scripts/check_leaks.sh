#!/usr/bin/env bash
# Builds herd with AddressSanitizer (LeakSanitizer included) and inspects every robustness file:
# any leak, overflow or use-after-free in the decoders fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --sanitize=address --product herd --scratch-path .build-asan
set +e
ASAN_OPTIONS=detect_leaks=1 .build-asan/debug/herd inspect ../shared/data/robustness/*/* > /dev/null 2> .build-asan/inspect.log
status=$?
set -e
if grep -q "Sanitizer" .build-asan/inspect.log; then
    grep -A20 "Sanitizer" .build-asan/inspect.log >&2
    exit 1
fi
# Status 1 means some files failed to decode, which is expected for these files.
[ "$status" -le 1 ] && echo "check_leaks: no sanitizer reports over $(ls ../shared/data/robustness/*/* | wc -l) files"
