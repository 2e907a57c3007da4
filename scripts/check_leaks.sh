#!/usr/bin/env bash
# Builds herd with AddressSanitizer (LeakSanitizer included) and inspects every robustness file and
# every HEIC/HEIF, AVIF and WebP sample (broken ones included): any leak, overflow or use-after-free
# in the decoders fails the run. Extra files or folders to inspect can be given as arguments (e.g. a
# fuzzing corpus): check_leaks.sh ~/libheif/fuzzing/data/corpus
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --sanitize=address --product herd --scratch-path .build-asan
files=(../shared/data/robustness/*/* ../shared/data/formats/*/*)
for extra in "$@"; do
    if [ -d "$extra" ]; then files+=("$extra"/*); else files+=("$extra"); fi
done
# inspect decodes each file; preprocess makes the encoder's input (HEIF resampled in place, AVIF through libavif).
set +e
ASAN_OPTIONS=detect_leaks=1 .build-asan/debug/herd inspect "${files[@]}" > /dev/null 2> .build-asan/inspect.log
status=$?
ASAN_OPTIONS=detect_leaks=1 .build-asan/debug/herd preprocess "${files[@]}" --npy .build-asan/preprocess.npy \
    > /dev/null 2> .build-asan/preprocess.log
preprocess_status=$?
set -e
for log in .build-asan/inspect.log .build-asan/preprocess.log; do
    if grep -q "Sanitizer" "$log"; then
        grep -A20 "Sanitizer" "$log" >&2
        exit 1
    fi
done
# Status 1 means some files failed to decode, which is expected for these files.
[ "$status" -le 1 ] && [ "$preprocess_status" -le 1 ] && echo "check_leaks: no sanitizer reports over ${#files[@]} files"
