#!/bin/sh
# Capture import benchmark: generates a large realistic capture from the fixtures and times
# scancase against the tools an analyst would otherwise run on it. Not a test: it prints a
# table of wall times and peak memory and the ratios that docs/benchmarks.md records.
#
# Usage: benches/capture_bench.sh [SIZE_MIB...]   (default: 1024; for example 1024 4096)
# Environment: BENCH_DIR (default /tmp/scancase-bench) contains the generated captures and cases;
# SKIP_TSHARK=1 leaves tshark out (it takes minutes per GiB); COLD=1 empties the page cache
# before every command (needs root: writes /proc/sys/vm/drop_caches), so that each reads
# the capture from the disk instead of from memory.
#
# Needs: cargo and rustc, tshark, tcpdump, GNU time (/usr/bin/time, Debian package `time`).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/scancase-bench}
sizes=${*:-1024}
fixtures="$root/fixtures/capture"
scancase="$root/target/release/scancase"
tshark_fields="-e frame.time_epoch -e ip.src -e ip.dst -e tcp.dstport -e tcp.flags"

mkdir -p "$bench_dir"
tools="rustc tcpdump /usr/bin/time"
[ "${SKIP_TSHARK:-0}" = 1 ] || tools="$tools tshark"
for tool in $tools; do
    command -v "$tool" >/dev/null || { echo "capture_bench: $tool not found" >&2; exit 1; }
done

echo "== machine"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "ram: $(free -g | awk '/^Mem:/ {print $2}') GiB"
echo "kernel: $(uname -r)"
[ "${SKIP_TSHARK:-0}" = 1 ] || tshark --version | head -n 1
tcpdump --version 2>&1 | head -n 1

(cd "$root" && cargo build --release --quiet)
rustc -O --edition 2021 "$root/benches/gen_capture.rs" -o "$bench_dir/gen_capture"

# Runs a command under GNU time and prints "LABEL SECONDS PEAK_KIB"; stdout is discarded.
measure() {
    label=$1
    shift
    if [ "${COLD:-0}" = 1 ]; then
        sync
        echo 3 >/proc/sys/vm/drop_caches
    fi
    /usr/bin/time -f '%e %M' -o "$bench_dir/time.out" sh -c 'exec "$@" >/dev/null' sh "$@"
    echo "$label $(cat "$bench_dir/time.out")"
}

for size in $sizes; do
    capture="$bench_dir/capture-${size}MiB.pcap"
    if [ ! -f "$capture" ]; then
        # Mostly benign conversations (web, DNS, SSH, SMTP), with a scan in one round of eight.
        "$bench_dir/gen_capture" "$capture" "$size" 20261204 \
            "$fixtures/benign_curl_web_dns_vic1_first2000.pcap" \
            "$fixtures/benign_mixed_services_vic1_first2000.pcap" \
            -- \
            "$fixtures/scan_nmap_sS_vic1.pcap" "$fixtures/scan_nmap_sT_vic1.pcap" \
            "$fixtures/scan_nmap_sU_vic1.pcap" "$fixtures/scan_hping3_syn_p1-1024_vic1.pcap" \
            "$fixtures/sweep_nmap_sS_p22_80_range_br.pcap"
    fi
    echo "== $capture: $(stat -c %s "$capture") bytes, $(capinfos -c -M "$capture" | awk -F': *' '/Number of packets/ {print $2}') packets"

    # Read the file once so that every tool starts from the page cache (unless COLD=1).
    cat "$capture" >/dev/null
    results="$bench_dir/results-${size}MiB${COLD:+-cold}.txt"
    : >"$results"
    measure cat cat "$capture" | tee -a "$results"
    case_file="$bench_dir/bench-${size}MiB.scancase"
    rm -f "$case_file"
    "$scancase" --log-level warn new "$case_file"
    measure scancase_import "$scancase" --log-level warn import "$case_file" "$capture" | tee -a "$results"
    measure scancase_inspect "$scancase" --log-level error inspect "$capture" --json | tee -a "$results"
    measure tcpdump tcpdump -nr "$capture" | tee -a "$results"
    if [ "${SKIP_TSHARK:-0}" != 1 ]; then
        # shellcheck disable=SC2086 # the field list is split on purpose
        measure tshark tshark -r "$capture" -T fields $tshark_fields | tee -a "$results"
    fi
    echo "case file: $(stat -c %s "$case_file") bytes"

    awk '
        { seconds[$1] = $2; peak[$1] = $3 }
        END {
            import = seconds["scancase_import"]
            printf "scancase import: %.2f s, peak %.0f MiB\n", import, peak["scancase_import"] / 1024
            printf "scancase inspect --json: %.2f s, peak %.0f MiB\n", seconds["scancase_inspect"], peak["scancase_inspect"] / 1024
            if ("tshark" in seconds) printf "tshark / import: %.1fx (target >= 40x)\n", seconds["tshark"] / import
            printf "tcpdump / import: %.1fx (target >= 4x)\n", seconds["tcpdump"] / import
            printf "import / cat: %.1fx (target <= 4x)\n", import / seconds["cat"]
            if ("tshark" in seconds) printf "tshark / inspect: %.1fx\n", seconds["tshark"] / seconds["scancase_inspect"]
            printf "tcpdump / inspect: %.1fx\n", seconds["tcpdump"] / seconds["scancase_inspect"]
            printf "inspect / cat: %.1fx\n", seconds["scancase_inspect"] / seconds["cat"]
        }' "$results"
done
