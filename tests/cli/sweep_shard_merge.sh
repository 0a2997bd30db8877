#!/usr/bin/env bash
# Shards 0/2 and 1/2 of a sweep, run into one directory, merge into the same results.csv bytes as
# the sweep run without shards; so do 3 shards run into three separate directories (no shared file
# system) whose shard tables are copied together. Merge names a missing shard and refuses a mix.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grid=(--config configs/p4d16.json --set run.collectives=analytic --grid instances=8,16
  --grid checkpoint.replicas=1,2 --grid checkpoint.scheme=gemini,none)

"$bin" sweep "${grid[@]}" --out "$tmp/local" -j 2 >/dev/null 2>&1

# Two shards into one directory, as a Slurm array on a shared file system does.
"$bin" sweep "${grid[@]}" --out "$tmp/shared" --shard 0/2 -j 2 >"$tmp/s0.out" 2>"$tmp/s0.err"
grep -q "sweep: shard 0/2 runs 4 of 8 points" "$tmp/s0.err"
[ ! -e "$tmp/shared/results.csv" ]
# Before shard 1 ran, merge names it and writes nothing.
set +e
"$bin" sweep-merge --out "$tmp/shared" >"$tmp/m.out" 2>"$tmp/m.err"
rc=$?
set -e
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/m.err")" -eq 1 ] && grep -q "1-of-2.csv: --shard 1/2: missing" "$tmp/m.err" ||
  { echo "FAIL: merge without shard 1: rc=$rc $(cat "$tmp/m.err")"; exit 1; }
[ ! -e "$tmp/shared/results.csv" ]
"$bin" sweep "${grid[@]}" --out "$tmp/shared" --shard 1/2 -j 2 >/dev/null 2>&1
# Shard 0 ran points 0,2,4,6 and shard 1 points 1,3,5,7 (index % 2).
[ "$(cut -d, -f1 "$tmp/shared/shards/0-of-2.csv" | tail -n +2 | tr '\n' ' ')" = "0 2 4 6 " ]
[ "$(cut -d, -f1 "$tmp/shared/shards/1-of-2.csv" | tail -n +2 | tr '\n' ' ')" = "1 3 5 7 " ]
"$bin" sweep-merge --out "$tmp/shared" >"$tmp/m.out"
grep -q "sweep-merge: 2 shards, 8 points, 0 failed" "$tmp/m.out"
cmp "$tmp/local/results.csv" "$tmp/shared/results.csv"

# Three shards on three "machines" (separate directories); their tables copied into one.
for i in 0 1 2; do
  "$bin" sweep "${grid[@]}" --out "$tmp/node$i" --shard "$i/3" -j 2 >/dev/null 2>&1
  mkdir -p "$tmp/gathered/shards"
  cp "$tmp/node$i/shards/$i-of-3.csv" "$tmp/gathered/shards/"
done
"$bin" sweep-merge --out "$tmp/gathered" >/dev/null
cmp "$tmp/local/results.csv" "$tmp/gathered/results.csv"

# Shards of two different splits in one directory: refused, one line.
cp "$tmp/gathered/shards/0-of-3.csv" "$tmp/shared/shards/"
set +e
"$bin" sweep-merge --out "$tmp/shared" >/dev/null 2>"$tmp/m.err"
rc=$?
set -e
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/m.err")" -eq 1 ] && grep -q "different splits" "$tmp/m.err" ||
  { echo "FAIL: mixed splits: rc=$rc $(cat "$tmp/m.err")"; exit 1; }
echo "sweep shard/merge ok: 2 shards (shared dir) and 3 shards (separate dirs) merge to the local results.csv"
