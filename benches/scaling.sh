#!/usr/bin/env bash
# Thread scaling (issue 17): replications per second of `nines run` on the AvailSim4-comparable
# 50-component scenario (benches/availsim50.toml, 64 000 ten-year replications) at 1, 2, 4, 8 and 16
# threads (those the machine has), and whether every thread count gives byte-identical results.
#
# usage: benches/scaling.sh [REPLICATIONS]     (default 64000; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-64000}
cargo build --locked --release --quiet
nines=target/release/nines
cores=$(nproc)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "| threads | wall time | replications/s | speed-up | time per replication (one core) | identical |"
echo "|---|---|---|---|---|---|"
base=""
for t in 1 2 4 8 16; do
    [ "$t" -le "$cores" ] || break
    start=$(date +%s.%N)
    "$nines" run benches/availsim50.toml --replications "$reps" --threads "$t" --quiet \
        --no-charts --format json --out "$out/t$t" >"$out/t$t.out"
    end=$(date +%s.%N)
    secs=$(python3 -c "print($end - $start)")
    [ -n "$base" ] || base=$secs
    # Results, without the figures that measure the machine (wall time, events/s, threads).
    grep -v -E '"(wall_seconds|events_per_second|threads)"' "$out/t$t.out" >"$out/t$t.json"
    same=yes
    cmp -s "$out/t1.json" "$out/t$t.json" || same=NO
    cmp -s "$out/t1/summary.csv" "$out/t$t/summary.csv" || same=NO
    python3 -c "
s, b, r, t = $secs, $base, $reps, $t
print(f'| {t} | {s:.2f} s | {r / s:,.0f} | {b / s:.2f}x | {s * t / r * 1e6:.0f} µs | $same |')"
done
