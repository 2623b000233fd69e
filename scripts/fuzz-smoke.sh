#!/usr/bin/env bash
# Builds the fuzz targets in fuzz/ and runs each one briefly over its committed corpus, so a
# change that makes a parser panic on a known input, or breaks the fuzz build, fails here.
#
# Needs cargo-fuzz (installed with `cargo install cargo-fuzz --locked` when missing). The
# targets build with sanitizer flags that only a nightly compiler accepts; with a stable
# toolchain the script sets RUSTC_BOOTSTRAP=1 so that stable accepts them too.
#
# Usage: scripts/fuzz-smoke.sh [SECONDS_PER_TARGET]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds_per_target="${1:-20}"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
if ! rustc --version | grep -q nightly; then
    export RUSTC_BOOTSTRAP=1
fi

cargo fuzz build -O

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in $(cargo fuzz list); do
    echo "fuzz-smoke: $target for ${seconds_per_target} s"
    # New inputs go to the scratch folder, the first corpus folder, so the committed corpus
    # stays as it is.
    mkdir -p "$scratch/$target"
    cargo fuzz run -O "$target" "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$seconds_per_target" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
done
echo "fuzz-smoke: every target ran ${seconds_per_target} s without a crash"
