#!/usr/bin/env bash
# Installs the system libraries herd builds against (Debian 12). Idempotent: installs only what is missing.
set -euo pipefail

packages=(pkg-config libjpeg-dev libpng-dev libopenblas-dev libdnnl-dev libsqlite3-dev)
# systemd-analyze is used by the tests to verify the user unit.
if [ "${HERD_SETUP_TEST_TOOLS:-0}" = 1 ]; then packages+=(systemd); fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    echo "herd setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
