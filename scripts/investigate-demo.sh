#!/usr/bin/env bash
# Builds scancase and runs the main job on a bundled real capture of an nmap SYN scan,
# writing scancase-out/case.scancase, scancase-out/report.md and scancase-out/report.pdf.
# Needs a Rust toolchain (rustup) and a C compiler (for the bundled SQLite); on Debian or
# Ubuntu the compiler is installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cc >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential
    fi
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "scripts/investigate-demo.sh: cargo is missing; install Rust 1.89 or newer with rustup (https://rustup.rs)" >&2
    exit 1
fi

out="${1:-scancase-out}"
rm -f "$out/case.scancase" "$out/case.scancase-wal" "$out/case.scancase-shm"
cargo run --release --locked --quiet -- investigate fixtures/capture/scan_nmap_sS_vic1.pcap --out "$out" --examiner "Demo Examiner"
