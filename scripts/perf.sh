#!/usr/bin/env bash
# The performance table of docs/PERFORMANCE.md, in one command: builds in release
# mode, runs every benchmark (criterion) and the memory report, and prints the
# table with each figure beside its baseline from the same run.
#   ARQ_BENCH_SIZES=10000,100000,1000000   invoices in the import / first-run series
#   ARQ_BENCH_PENDING=1000,60000           messages in the delivery series
#   ARQ_BENCH_SKIP_DEMO=1                  no large demo build (memory report)
# The large demo used by the daily and tui benchmarks is built once into
# target/bench-data/ (minutes). A full run takes about an hour on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "sqlite3 is missing: installing it (the import baseline)" >&2
    apt-get install -y sqlite3 >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y sqlite3 >/dev/null; } ||
        echo "could not install sqlite3: the import baseline will be skipped" >&2
fi

for b in import first_run daily tui reports whatif; do
    cargo bench --locked --bench "$b" -- --noplot
done
cargo bench --locked --bench memory

# The mean of one benchmark in seconds, from criterion's estimates ("?" if absent).
mean() {
    local f
    f=$(find "target/criterion/$1" -path "*/new/estimates.json" 2>/dev/null | grep -F "/$2/new/" | head -1)
    [ -n "$f" ] || { echo "?"; return; }
    sed -e 's/.*"mean":{[^}]*}[^}]*"point_estimate":\([0-9.e+-]*\).*/\1/' "$f" | awk '{ printf "%.4f", $1 / 1e9 }'
}
row() { # name, arq seconds, baseline seconds, units, unit name
    awk -v n="$1" -v a="$2" -v s="$3" -v u="$4" -v w="$5" 'BEGIN {
        if (a == "?") { printf "| %s | not measured | | | |\n", n; exit }
        per = (u > 0) ? sprintf("%.1f µs/%s", a / u * 1e6, w) : ""
        if (s == "?" || s == "") printf "| %s | %.3f s | %s | | |\n", n, a, per
        else printf "| %s | %.3f s | %s | %.3f s | %.2f× |\n", n, a, per, s, a / s
    }'
}

echo
echo "| benchmark | arq | per unit | baseline | arq / baseline |"
echo "| --- | --- | --- | --- | --- |"
IFS=, read -ra sizes <<< "${ARQ_BENCH_SIZES:-10000,100000,1000000}"
for profile in generic paid; do
    for n in "${sizes[@]}"; do
        row "import $profile, $n invoices (vs sqlite3 .import)" "$(mean "import_$profile" "arq_$n")" "$(mean "import_$profile" "sqlite3_$n")" "$n" row
    done
done
for n in "${sizes[@]}"; do
    a=$((n / 10))
    row "first run after import, $a accounts, file delivery" "$(mean first_run "$a")" "" "$a" account
done
IFS=, read -ra pending <<< "${ARQ_BENCH_PENDING:-1000,60000}"
for n in "${pending[@]}"; do
    row "outbox send, $n pending" "$(mean delivery "$n")" "" "$n" message
done
row "next-day run on the large demo, whole command (vs bare SQL of the same rows)" "$(mean daily run_next_day_command)" "$(mean daily bare_sql_same_rows)" 0 ""
row "terminal app first frame, 100k accounts (in process)" "$(mean tui first_frame_ana)" "" 0 ""
echo
echo "Peak memory (real processes):"
cat target/criterion/memory.txt
