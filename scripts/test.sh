#!/usr/bin/env bash
# Runs the whole test suite. Installs the one system package the tests need (poppler-utils,
# whose pdftotext reads the generated PDF reports) when it is missing and apt-get can run.
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

cargo test --locked --all-targets "$@"
