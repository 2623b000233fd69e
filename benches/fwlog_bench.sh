#!/bin/sh
# Firewall log import benchmark: generates a large netfilter log from the fixtures' kernel LOG
# lines and times `scancase import` against psad's analysis mode and `grep -c SRC=`. Not a
# test: it prints a table of wall times and peak memory and the ratios that
# docs/benchmarks.md records.
#
# Usage: benches/fwlog_bench.sh [LINES...]   (default: 1000000; for example 1000000 4000000)
# Environment: BENCH_DIR (default /tmp/scancase-bench) contains the generated logs, cases,
# psad's configuration and data folders, and each tool's output; SKIP_PSAD=1 leaves psad out;
# RUNS (default 5) is how many times grep and the import run, one after the other. The
# ratios use the median wall times, because those of one command vary by 10 to 30 % between
# runs on a shared 2-core machine. psad runs once.
#
# Needs: cargo and rustc, psad (Debian package `psad`), GNU grep, GNU time (/usr/bin/time,
# Debian package `time`).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/scancase-bench}
sizes=${*:-1000000}
fixtures="$root/fixtures/fwlog"
scancase="${CARGO_TARGET_DIR:-$root/target}/release/scancase"
skip_psad=${SKIP_PSAD:-0}
runs=${RUNS:-5}

mkdir -p "$bench_dir"
tools="rustc grep /usr/bin/time"
[ "$skip_psad" = 1 ] || tools="$tools psad"
for tool in $tools; do
    command -v "$tool" >/dev/null || { echo "fwlog_bench: $tool not found" >&2; exit 1; }
done

echo "== machine"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "ram: $(free -g | awk '/^Mem:/ {print $2}') GiB"
echo "kernel: $(uname -r)"
grep --version | head -n 1
[ "$skip_psad" = 1 ] || echo "psad $(dpkg-query -W -f='${Version}' psad 2>/dev/null || echo '(version unknown)')"
echo "scancase commit: $(git -C "$root" rev-parse --short HEAD)"

(cd "$root" && cargo build --release --quiet)
rustc -O --edition 2021 "$root/benches/gen_fwlog.rs" -o "$bench_dir/gen_fwlog"

# Debian's /etc/psad/psad.conf enables e-mail and syslog alerts, whois and DNS look-ups of
# the sources and a check of the local iptables rules. This copy turns them off, so the
# measured run only reads the log and makes no network request. It also keeps psad's data
# and pid files in the bench folder.
psad_dir="$bench_dir/psad"
psad_conf="$psad_dir/psad.conf"
if [ "$skip_psad" != 1 ]; then
    mkdir -p "$psad_dir/log" "$psad_dir/run" "$psad_dir/lib"
    sed -e "s|^HOSTNAME .*|HOSTNAME scancase-bench;|" \
        -e "s|^ALERTING_METHODS .*|ALERTING_METHODS noemail,nosyslog;|" \
        -e "s|^ENABLE_WHOIS_LOOKUPS .*|ENABLE_WHOIS_LOOKUPS N;|" \
        -e "s|^ENABLE_DNS_LOOKUPS .*|ENABLE_DNS_LOOKUPS N;|" \
        -e "s|^ENABLE_FW_LOGGING_CHECK .*|ENABLE_FW_LOGGING_CHECK N;|" \
        -e "s|^ENABLE_INTF_LOCAL_NETS .*|ENABLE_INTF_LOCAL_NETS N;|" \
        -e "s|^PSAD_DIR .*|PSAD_DIR $psad_dir/log;|" \
        -e "s|^PSAD_RUN_DIR .*|PSAD_RUN_DIR $psad_dir/run;|" \
        -e "s|^PSAD_FIFO_DIR .*|PSAD_FIFO_DIR $psad_dir/lib;|" \
        /etc/psad/psad.conf >"$psad_conf"
fi

# Runs a command under GNU time, writes its stdout and stderr to OUTPUT and prints
# "LABEL SECONDS PEAK_KIB USER_SECONDS SYSTEM_SECONDS". The CPU times tell the work apart from
# the waiting when other processes share the cores.
measure() {
    label=$1
    output=$2
    shift 2
    /usr/bin/time -f '%e %M %U %S' -o "$bench_dir/time.out" sh -c 'exec "$@"' sh "$@" >"$output" 2>&1
    echo "$label $(cat "$bench_dir/time.out")"
}

for lines in $sizes; do
    log="$bench_dir/fwlog-${lines}.log"
    if [ ! -f "$log" ]; then
        # Every round has four replays of the benign log and one scan, and the scans take turns.
        "$bench_dir/gen_fwlog" "$log" "$lines" 20261129 \
            "$fixtures/benign_curl_web_dns_vic1.log" \
            -- \
            "$fixtures/scan_nmap_sF_vic1.log" "$fixtures/scan_nmap_sT_vic1.log" \
            "$fixtures/scan_nmap_ipv6_sS_vic1_sll.log" "$fixtures/scan_nmap_sU_vic1.log" \
            "$fixtures/slow_T1_syn_vic3.log" "$fixtures/scan_nmap_sS_8ports_vic1.log"
    fi
    echo "== $log: $(stat -c %s "$log") bytes, $(wc -l <"$log") lines"
    echo "first: $(head -c 15 "$log"), last: $(tail -n 1 "$log" | head -c 15)"

    # Read the file once so that every tool starts from the page cache.
    cat "$log" >/dev/null
    echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    results="$bench_dir/fwlog-results-${lines}.txt"
    out="$bench_dir/fwlog-${lines}"
    : >"$results"

    case_file="$bench_dir/fwlog-${lines}.scancase"
    run=1
    while [ "$run" -le "$runs" ]; do
        measure grep "$out-grep.out" grep -c SRC= "$log" | tee -a "$results"
        rm -f "$case_file" "$case_file-journal" "$case_file-wal" "$case_file-shm"
        "$scancase" --log-level warn new "$case_file" >/dev/null
        measure scancase_import "$out-scancase.out" \
            "$scancase" --log-level info import "$case_file" "$log" --tz UTC --year 2026 | tee -a "$results"
        run=$((run + 1))
    done
    echo "grep: $(cat "$out-grep.out") lines contain SRC="
    echo "scancase import output (last run):"
    sed 's/^/  /' "$out-scancase.out"
    echo "case file: $(stat -c %s "$case_file") bytes"

    if [ "$skip_psad" != 1 ]; then
        # In analysis mode (-A) psad reads the file, prints its report and exits without starting a daemon.
        measure psad "$out-psad.out" psad -c "$psad_conf" -A -m "$log" | tee -a "$results"
        echo "psad: $(grep -m1 'iptables log messages' "$out-psad.out")"
        grep 'total IP addresses' "$out-psad.out" | sed 's/^ */psad: /'
    fi
    echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

    # One line per label: the median wall time, the CPU time (user plus system) of the middle run, the
    # largest peak memory and the number of runs.
    summary="$bench_dir/fwlog-summary-${lines}.txt"
    : >"$summary"
    for label in grep scancase_import psad; do
        grep "^$label " "$results" | awk '{ print $2, $4 + $5, $3 }' | sort -n | awk -v label="$label" '
            { wall[NR] = $1; peak = ($3 > peak) ? $3 : peak; cpu[NR] = $2 }
            END {
                if (NR == 0) exit
                middle = int((NR + 1) / 2)
                print label, (NR % 2) ? wall[middle] : (wall[middle] + wall[middle + 1]) / 2, cpu[middle], peak, NR
            }' >>"$summary"
    done

    awk '
        { seconds[$1] = $2; cpu[$1] = $3; peak[$1] = $4; count[$1] = $5 }
        END {
            import = seconds["scancase_import"]
            printf "scancase import: median %.2f s of %d runs (%.2f s of CPU in the middle run), peak %.0f MiB\n", import, count["scancase_import"], cpu["scancase_import"], peak["scancase_import"] / 1024
            printf "grep -c: median %.2f s of %d runs, peak %.1f MiB\n", seconds["grep"], count["grep"], peak["grep"] / 1024
            if ("psad" in seconds) {
                printf "psad -A: %.2f s, peak %.0f MiB\n", seconds["psad"], peak["psad"] / 1024
                printf "psad / import: %.1fx (target >= 100x)\n", seconds["psad"] / import
            }
            if (seconds["grep"] > 0) printf "import / grep: %.1fx (target <= 5x)\n", import / seconds["grep"]
            else print "import / grep: not computed, grep took less than 0.01 s"
        }' "$summary"
done
