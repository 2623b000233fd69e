#!/bin/sh
# Case-file scale benchmark: builds a case with millions of contacts from a generated wide
# scan, then times the import, the analysis, and the reads an investigator makes afterwards
# (listing the findings, drafting the report). Not a test: it prints wall times, peak memory
# and the case file's bytes per table, which docs/benchmarks.md records.
#
# Usage: benches/scale_bench.sh [PORTS]   (default 153: 65,536 addresses x 153 ports,
#        10,027,008 scanner contacts; 15 gives about 1 million)
# Environment: BENCH_DIR (default /tmp/scancase-bench) receives the capture, case and reports.
#
# Needs: cargo and rustc, sqlite3 (for the table sizes, read-only), GNU time (/usr/bin/time).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/scancase-bench}
ports=${1:-153}
scancase="$root/target/release/scancase"

mkdir -p "$bench_dir"
for tool in rustc sqlite3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "scale_bench: $tool not found" >&2; exit 1; }
done

echo "== machine"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "ram: $(free -g | awk '/^Mem:/ {print $2}') GiB"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git -C "$root" rev-parse --short HEAD)"

(cd "$root" && cargo build --release --quiet)
rustc -O --edition 2021 "$root/benches/gen_scale.rs" -o "$bench_dir/gen_scale"

capture="$bench_dir/scale-16x${ports}.pcap"
[ -f "$capture" ] || "$bench_dir/gen_scale" "$capture" 16 "$ports"
echo "== $capture: $(stat -c %s "$capture") bytes"

# Runs a command under GNU time and prints "LABEL SECONDS PEAK_MIB"; stdout is discarded.
measure() {
    label=$1
    shift
    /usr/bin/time -f '%e %M' -o "$bench_dir/time.out" sh -c 'exec "$@" >/dev/null' sh "$@"
    awk -v label="$label" '{ printf "%-22s %8.2f s %8.0f MiB\n", label, $1, $2 / 1024 }' "$bench_dir/time.out"
}

case_file="$bench_dir/scale-16x${ports}.scancase"
rm -f "$case_file" "$case_file-wal" "$case_file-shm"
"$scancase" --log-level warn new "$case_file"
cat "$capture" >/dev/null
measure import "$scancase" --log-level warn import "$case_file" "$capture"
measure analyze "$scancase" --log-level warn analyze "$case_file"
measure "findings --json" "$scancase" --log-level warn findings "$case_file" --json
measure "findings (again)" "$scancase" --log-level warn findings "$case_file" --json
measure "report md" "$scancase" --log-level warn report "$case_file" --format md -o "$bench_dir/scale.md"
measure "report pdf" "$scancase" --log-level warn report "$case_file" --format pdf -o "$bench_dir/scale.pdf"

echo "== case file: $(stat -c %s "$case_file") bytes"
sqlite3 -readonly "$case_file" "
    SELECT 'contacts: ' || COUNT(*) FROM contact;
    SELECT 'probes: ' || COUNT(*) FROM probe;
    SELECT 'citations: ' || COUNT(*) FROM finding_citation;
    SELECT 'findings: ' || COUNT(*) FROM finding;"
echo "== bytes per table and index (dbstat), and per contact"
sqlite3 -readonly "$case_file" "
    SELECT printf('%-24s %12d bytes %8.1f per contact', name, SUM(pgsize),
                  SUM(pgsize) * 1.0 / (SELECT COUNT(*) FROM contact))
    FROM dbstat GROUP BY name HAVING SUM(pgsize) > 1048576 ORDER BY SUM(pgsize) DESC;"
