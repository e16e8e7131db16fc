#!/usr/bin/env bash
# Benchmarks the invoice import against sqlite3's `.import` of the same CSV
# (DESIGN §9). ARQ_BENCH_INVOICES sets the size (default 1,000,000 invoices for
# 100,000 customers). Prints both times and their ratio at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "sqlite3 is missing: installing it" >&2
    if [ "$(id -u)" -eq 0 ]; then
        apt-get install -y sqlite3 || { apt-get update && apt-get install -y sqlite3; }
    else
        sudo apt-get install -y sqlite3 || { sudo apt-get update && sudo apt-get install -y sqlite3; }
    fi
fi

cargo bench --bench import "$@"

# Criterion keeps each benchmark's estimates; print the means side by side.
n="${ARQ_BENCH_INVOICES:-1000000}"
n="${n//_/}"
mean() {
    local f="target/criterion/import/$1_$n/new/estimates.json"
    [ -f "$f" ] || { echo "?"; return; }
    # {"mean":{"confidence_interval":{...},"point_estimate":123.4,...
    sed -e 's/.*"mean":{[^}]*}[^}]*"point_estimate":\([0-9.e+]*\).*/\1/' "$f"
}
arq=$(mean arq)
sq=$(mean sqlite3)
awk -v a="$arq" -v s="$sq" -v n="$n" 'BEGIN {
    if (a == "?" || s == "?") { print "no estimates found"; exit 0 }
    printf "import of %d invoices: arq %.3f s, sqlite3 .import %.3f s, arq/sqlite3 = %.2f\n", n, a / 1e9, s / 1e9, a / s
}'
