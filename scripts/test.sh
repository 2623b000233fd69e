#!/usr/bin/env bash
# Runs the whole test suite: the library and CLI tests, the front end's unit tests and the
# desktop app's tests, end-to-end ones included. Installs the system packages they need
# (poppler-utils for pdftotext; WebKitGTK, Xvfb and the WebKit WebDriver for the app) when they
# are missing and apt-get can run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pdftotext >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils
    else
        echo "scripts/test.sh: pdftotext is missing; install the poppler-utils package" >&2
        exit 1
    fi
fi

# Formatting first: it takes a second and names every file that differs from rustfmt.toml.
if cargo fmt --version >/dev/null 2>&1; then
    cargo fmt --all -- --check
else
    echo "scripts/test.sh: rustfmt is missing (rustup component add rustfmt); formatting not checked" >&2
fi

cargo test --locked --all-targets "$@"

# Unit tests of the desktop app's front-end logic (Vitest), which need Node.js 20 or later
# and npm. SCANCASE_SKIP_UI_TESTS=1 leaves them out on a machine without Node.js.
if [ "${SCANCASE_SKIP_UI_TESTS:-0}" != 1 ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "scripts/test.sh: npm is missing; install Node.js 20 or later, or set SCANCASE_SKIP_UI_TESTS=1" >&2
        exit 1
    fi
    (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm test)
fi

# The desktop app: its Rust tests (the generated TypeScript types included) and the end-to-end
# tests that drive the built app under Xvfb. SCANCASE_SKIP_APP_TESTS=1 leaves them out on a
# machine that cannot install WebKitGTK.
if [ "${SCANCASE_SKIP_APP_TESTS:-0}" != 1 ]; then
    bash scripts/app-e2e.sh
fi
