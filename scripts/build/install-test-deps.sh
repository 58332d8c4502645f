#!/usr/bin/env bash
# Install what the test tooling needs beyond a C compiler and make, on
# Debian: tmux (the REPL test drives a real terminal) and clang with
# libFuzzer (make fuzz). Installs only what is missing; .ci/run calls it.
# Needs root or sudo; without apt-get it says what to install and exits 0
# (the tests that need a missing tool skip with a printed reason).
set -euo pipefail

missing=()
command -v tmux > /dev/null 2>&1 || missing+=(tmux)
if ! command -v clang > /dev/null 2>&1; then
    missing+=(clang)
else
    # libFuzzer ships in clang's runtime package; check that it links.
    probe=$(mktemp -d)
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > "$probe/f.c"
    clang -fsanitize=fuzzer "$probe/f.c" -o "$probe/f" > /dev/null 2>&1 || missing+=(clang)
    rm -rf "$probe"
fi
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo > /dev/null 2>&1; then SUDO="sudo"; else
        echo "install-test-deps.sh: not root; please install: ${missing[*]}" >&2
        exit 0
    fi
fi
if ! command -v apt-get > /dev/null 2>&1; then
    echo "install-test-deps.sh: no apt-get; please install: ${missing[*]}" >&2
    exit 0
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" > /dev/null
