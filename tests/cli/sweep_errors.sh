#!/usr/bin/env bash
# A sweep checks every point's config before it runs anything: a bad grid key or value exits 2 with
# one line naming the key, and leaves no result behind. A point that fails only when it runs (here a
# malformed idle-span profile, which exists and so passes validation) gets status error and its
# reason in results.csv, the other points still run, and the sweep exits 1.
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
base=(sweep --config configs/p4d16.json --set run.collectives=analytic)

expect_error() { # expect_error "pattern" args...
  local pattern=$1
  shift
  "$bin" "$@" --out "$tmp/bad" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ $rc -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pattern" "$tmp/err" || [ -s "$tmp/out" ] ||
    [ -e "$tmp/bad" ]; then
    echo "FAIL: gemini-sim $* -> rc=$rc, stderr ($lines lines): $(cat "$tmp/err"); stdout: $(head -c 200 "$tmp/out")"
    fails=$((fails + 1))
  else
    echo "ok: $(cat "$tmp/err")"
  fi
}

printf '{"instances": [8, 16],' >"$tmp/broken.json"
printf '{"instances": 8}' >"$tmp/notalist.json"
expect_error "configs/p4d16.json (--grid): checkpoint.replica: unknown key" "${base[@]}" --grid instances=8,16 --grid checkpoint.replica=1,2
expect_error "(--grid): checkpoint.replicas: m = 99 exceeds the 16 instances (at grid point checkpoint.replicas=99)" "${base[@]}" --grid checkpoint.replicas=1,99
expect_error "(--grid): instances: must be an integer" "${base[@]}" --grid instances=8,sixteen
expect_error "checkpoint.replicas: m = 2 exceeds the 1 instances .* (at grid point instances=1)" "${base[@]}" --grid instances=1,8
expect_error "\-\-grid: instances: repeats the value 8" "${base[@]}" --grid instances=8,8
expect_error "\-\-grid: instances: given twice" "${base[@]}" --grid instances=8 --grid instances=16
expect_error "\-\-grid: instances: expected key=v1,v2" "${base[@]}" --grid instances
expect_error "\-\-grid: instances: empty value" "${base[@]}" --grid instances=8,,16
expect_error "\-\-grid: (none): give at least one" "${base[@]}"
expect_error "\-\-shard: 2/2: expected i/n with 0 <= i < n" "${base[@]}" --grid instances=8 --shard 2/2
printf '{"instances": [8, 16], "instances": [32]}' >"$tmp/dup.json"
expect_error "dup.json: instances: given twice in one object" "${base[@]}" --grid-file "$tmp/dup.json"
# One -j rule for sweep and figure: 0 is one per core, a negative count is refused.
expect_error "\-\-jobs: -3: must be at least 1" "${base[@]}" --grid instances=8 -j -3
expect_error "\-\-jobs: -1: must be at least 1" figure 16 -j -1
# Two sweeps on one --out: the second exits 2 with one line while the first holds the lock.
mkdir "$tmp/locked"
exec 9>"$tmp/locked/.lock"
flock -n 9
"$bin" "${base[@]}" --grid instances=8 --out "$tmp/locked" >"$tmp/out" 2>"$tmp/err"
rc=$?
exec 9>&-
if [ $rc -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q "another gemini-sim sweep or figure" "$tmp/err" ||
  [ -e "$tmp/locked/points" ]; then
  echo "FAIL: a locked --out -> rc=$rc: $(cat "$tmp/err")"
  fails=$((fails + 1))
else
  echo "ok: $(cat "$tmp/err")"
fi
expect_error "broken.json: (syntax): not valid JSON" "${base[@]}" --grid-file "$tmp/broken.json"
expect_error "notalist.json: instances: must be a non-empty list" "${base[@]}" --grid-file "$tmp/notalist.json"
expect_error "nothere.json: --config: file does not exist" sweep --config "$tmp/nothere.json" --grid instances=8
expect_error "no shards directory" sweep-merge
[ $fails -eq 0 ] || { echo "$fails bad-input case(s) misbehaved"; exit 1; }

# Run-time failures: "" (no profile) works, the malformed profile fails, for both cluster sizes.
printf 'garbage\n' >"$tmp/bad_profile.txt"
printf '{"checkpoint.idle_profile": ["", "%s"]}' "$tmp/bad_profile.txt" >"$tmp/grid.json"
run=("${base[@]}" --grid-file "$tmp/grid.json" --grid instances=8,16 --out "$tmp/s" -j 2)
"$bin" "${run[@]}" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 1 ] || { echo "FAIL: a sweep with failed points exits $rc, not 1"; exit 1; }
grep -q "sweep: 4 points, 0 already done, 2 failed" "$tmp/out"
grep -q "sweep: 4/4 done (0 skipped, 2 failed)" "$tmp/err"
grep -q "point 2 (checkpoint.idle_profile=$tmp/bad_profile.txt instances=8) failed: exit status 2: .*no '-' separator" "$tmp/err"
/usr/bin/python3 - "$tmp/s/results.csv" "$tmp/bad_profile.txt" <<'PY'
import csv, sys
csv.field_size_limit(sys.maxsize)  # summary lists (idle spans per iteration) are long JSON cells
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["point"] for r in rows] == ["0", "1", "2", "3"], rows
assert list(rows[0].keys())[:6] == ["point", "hash", "checkpoint.idle_profile", "instances", "status", "error"]
for r in rows[:2]:
    assert r["status"] == "ok" and r["error"] == "" and r["checkpoint.idle_profile"] == "", r
    assert r["checkpoint_bytes_per_gpu"] != "", r
for r in rows[2:]:
    assert r["status"] == "error" and "no '-' separator" in r["error"], r
    assert r["checkpoint.idle_profile"] == sys.argv[2] and r["checkpoint_bytes_per_gpu"] == "", r
assert [r["instances"] for r in rows] == ["8", "16", "8", "16"]
PY
# The failed points have their point.json (to rerun by hand) but no summary.json; a rerun retries
# only them.
[ "$(find "$tmp/s/points" -name point.json | wc -l)" -eq 4 ]
[ "$(find "$tmp/s/points" -name summary.json | wc -l)" -eq 2 ]
set +e
"$bin" "${run[@]}" >"$tmp/out" 2>/dev/null
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "sweep: 4 points, 2 already done, 2 failed" "$tmp/out"
echo "sweep errors ok"
