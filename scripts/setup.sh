#!/usr/bin/env bash
# Installs the system libraries herd builds against (Debian 12). Idempotent: installs only what is missing.
set -euo pipefail

# libheif-dev brings libheif with its HEVC (libde265) and AV1 (dav1d, aom) decoders; libwebp-dev brings libwebpdemux;
# libavif-dev decodes AVIF (dav1d) and turns its YUV into RGB as Pillow's AVIF plugin does (libyuv).
packages=(pkg-config libjpeg-dev libpng-dev libheif-dev libavif-dev libwebp-dev libopenblas-dev libdnnl-dev libsqlite3-dev)
# systemd-analyze is used by the tests to verify the user unit; chromium renders the overview pages headless.
if [ "${HERD_SETUP_TEST_TOOLS:-0}" = 1 ]; then packages+=(systemd chromium); fi

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
