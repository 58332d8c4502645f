#!/usr/bin/env bash
# Install the optional benchmark tools (lua5.4, hyperfine) on Debian/Ubuntu.
# Used by `make bench-deps`. Needs root (or sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-tools.sh: need root or sudo" >&2; exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-tools.sh: apt-get not found; install lua5.4 and hyperfine by hand" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y lua5.4 hyperfine

command -v lua5.4 && lua5.4 -v
command -v hyperfine && hyperfine --version
