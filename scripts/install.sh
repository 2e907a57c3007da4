#!/usr/bin/env bash
# Sets herd up on a Debian 12 machine that has Swift: system libraries, a release build,
# and the binary at ~/.local/bin/herd (override with PREFIX=/some/dir).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product herd
prefix="${PREFIX:-$HOME/.local}"
mkdir -p "$prefix/bin"
install -m 0755 "$(swift build -c release --show-bin-path)/herd" "$prefix/bin/herd"
echo "herd installed at $prefix/bin/herd" >&2
