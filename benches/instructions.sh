#!/usr/bin/env bash
# The instruction-count gate (issue 17): instructions per simulated event for each bench scenario,
# counted by valgrind's callgrind (repeatable whatever else the machine is doing, unlike wall-clock
# time), compared with the committed baseline `benches/instructions.baseline`. Fails when any bench
# needs more than 5% more instructions per event than its baseline.
#
# usage: benches/instructions.sh            check against the baseline
#        benches/instructions.sh --bless    write the baseline (say why in the commit message)
set -euo pipefail
cd "$(dirname "$0")/.."

bless=0
[ "${1:-}" = --bless ] && bless=1
baseline=benches/instructions.baseline
tolerance=1.05

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "installing Debian's valgrind"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi

exe=$(cargo bench --locked --bench instructions --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "instructions" and m.get("executable"):
        print(m["executable"])')
[ -x "$exe" ] || { echo "could not build benches/instructions.rs"; exit 1; }

# Bench and replications per run: enough events that the difference between a run of REPS and one of
# 2 × REPS replications is many thousands of events, few enough that valgrind takes seconds.
benches=(
    "pools/100 64"
    "pools/1000 16"
    "pools/10000 2"
    "ha/125 32"
    "ha/1250 4"
    "clients/100 16"
    "availsim50 64"
)

# Prints "instructions events" for one run under callgrind.
count() {
    local out err
    err=$(mktemp)
    out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" "$1" "$2" 2>"$err")
    local ins
    ins=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$err")
    rm -f "$err"
    echo "$ins ${out#events }"
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
printf '%-14s %14s %12s\n' bench "instr/event" events
for b in "${benches[@]}"; do
    read -r name reps <<<"$b"
    read -r i1 e1 <<<"$(count "$name" "$reps")"
    read -r i2 e2 <<<"$(count "$name" $((2 * reps)))"
    per=$(python3 -c "print(f'{($i2 - $i1) / ($e2 - $e1):.1f}')")
    printf '%-14s %14s %12s\n' "$name" "$per" "$((e2 - e1))"
    echo "$name $per" >>"$results"
done

if [ "$bless" = 1 ]; then
    {
        echo "# Instructions per simulated event (callgrind), per bench of benches/instructions.rs."
        echo "# Written by benches/instructions.sh --bless; checked in CI (fails above $tolerance x)."
        cat "$results"
    } >"$baseline"
    echo "wrote $baseline"
    exit 0
fi

python3 - "$baseline" "$results" "$tolerance" <<'PY'
import sys
base = {}
for line in open(sys.argv[1]):
    if line.strip() and not line.startswith("#"):
        name, per = line.split()
        base[name] = float(per)
tol = float(sys.argv[3])
bad = []
for line in open(sys.argv[2]):
    name, per = line.split()
    per = float(per)
    if name not in base:
        bad.append(f"{name}: no baseline (run benches/instructions.sh --bless)")
        continue
    ratio = per / base[name]
    print(f"{name:<14} {per:10.1f} vs baseline {base[name]:10.1f}  ({ratio - 1:+.1%})")
    if ratio > tol:
        bad.append(f"{name}: {per:.1f} instructions per event, {ratio - 1:+.1%} over the baseline {base[name]:.1f}")
if bad:
    print("instruction-count gate failed:\n  " + "\n  ".join(bad))
    print("If the extra work is meant, run benches/instructions.sh --bless and say why in the commit message.")
    sys.exit(1)
print("instruction-count gate passed")
PY
