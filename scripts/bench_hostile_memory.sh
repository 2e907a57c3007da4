#!/usr/bin/env bash
# Peak resident memory (VmHWM) of `herd run` over a hostile library: ../shared/data/robustness, ../shared/data/formats
# and libpng's 57-byte crashers (a 1×1 PNG whose next chunk declares ~2 GB), with the byte-histogram test encoder and
# 4 ingest threads. Prints files, embedded/failed counts, VmHWM and seconds until the queue is empty.
# Usage: scripts/bench_hostile_memory.sh [HERD_BINARY]   (default .build/debug/herd)
set -euo pipefail
cd "$(dirname "$0")/.."
herd=$(realpath "${1:-.build/debug/herd}")
data=$(realpath ../shared/data)
base=$(mktemp -d /tmp/herd-hostile-XXXX)
trap 'rm -rf "$base"' EXIT
mkdir -p "$base/lib/crashers"
cp -r "$data/robustness" "$data/formats" "$base/lib/"
ihdr='\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55'
for chunk in iTXt zTXt tEXt sPLT sCAL pCAL iCCP eXIf bKGD cHRM gAMA hIST pHYs sRGB sTER tIME juNK IDAT; do
    printf "${ihdr}\x7f\xff\xff\xf0${chunk}\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" > "$base/lib/crashers/huge_${chunk}_chunk.png"
done
export XDG_CONFIG_HOME=$base/c XDG_DATA_HOME=$base/d XDG_CACHE_HOME=$base/k HERD_THREADS=4 HERD_LOG_LEVEL=error HERD_DEBOUNCE_MS=200
"$herd" init "$base/lib" --output "$base/out" --model byte-histogram-64 > /dev/null
expected=$(find "$base/lib" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.heic' -o -iname '*.heif' \
    -o -iname '*.avif' -o -iname '*.webp' -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.gif' \) | wc -l)
start=$(date +%s.%N)
"$herd" run 2> "$base/daemon.log" &
pid=$!
count() { "$herd" status --json 2> /dev/null | grep -o "\"$1\" : [0-9]*" | grep -o '[0-9]*$' || echo -1; }
while kill -0 "$pid" 2> /dev/null; do
    sleep 0.5
    if [ "$(count files)" -ge "$expected" ] && [ "$(count pending)" = 0 ]; then break; fi
done
end=$(date +%s.%N)
hwm=$(grep VmHWM "/proc/$pid/status" 2> /dev/null | tr -s ' \t' ' ' || echo "VmHWM: (the daemon exited)")
echo "files $(count files) (named as photos: $expected), embedded $(count embedded), failed $(count failed); $hwm; $(echo "$end - $start" | bc) s"
kill "$pid" 2> /dev/null || true
wait "$pid" 2> /dev/null || true
