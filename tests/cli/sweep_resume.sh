#!/usr/bin/env bash
# A sweep killed partway (the whole process group, kill -9) and run again with the same command ends
# with a results.csv byte-identical to an uninterrupted run's; the second run skips the points that
# had finished and redoes the rest, including a point left without summary.json (only a temporary
# file, as a killed `run --out` leaves) and one with a truncated summary.json.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -9 -- -"$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
# 8 cheap points (small clusters, analytic collectives); the last axis varies fastest.
sweep=(sweep --config configs/p4d16.json --set run.collectives=analytic --grid checkpoint.replicas=1,2
  --grid instances=8,16 --grid failures.rate_per_instance_day=0.01,0.02)
finished() { find "$1/points" -name summary.json 2>/dev/null | wc -l; }

"$bin" "${sweep[@]}" --out "$tmp/full" -j 2 >"$tmp/full.out" 2>"$tmp/full.err"
grep -q "sweep: 8 points, 0 already done, 0 failed" "$tmp/full.out"
[ "$(finished "$tmp/full")" -eq 8 ]
[ "$(wc -l <"$tmp/full/results.csv")" -eq 9 ]
grep -q "sweep: 8/8 done (0 skipped, 0 failed)" "$tmp/full.err" # plain progress lines off a terminal

# Interrupted: one worker in its own process group, killed as soon as two points have finished.
mkdir "$tmp/tmpdir" # the children's output files: unlinked at once, so a kill -9 leaves none
TMPDIR="$tmp/tmpdir" setsid "$bin" "${sweep[@]}" --out "$tmp/part" -j 1 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do
  [ "$(finished "$tmp/part")" -ge 2 ] && break
  sleep 0.05
done
kill -9 -- -"$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=
done_before=$(finished "$tmp/part")
[ -z "$(ls -A "$tmp/tmpdir")" ] || { echo "FAIL: the killed sweep left $(ls "$tmp/tmpdir")"; exit 1; }
[ "$done_before" -ge 2 ] || { echo "FAIL: no point finished before the kill"; exit 1; }
# Whatever the timing, leave two finished points broken the ways a crash (or a bad disk) would.
mapfile -t dirs < <(find "$tmp/part/points" -name summary.json -printf '%h\n' | sort)
mv "${dirs[0]}/summary.json" "${dirs[0]}/summary.json.tmp.somehost.12345"
head -c 100 "${dirs[1]}/summary.json" >"${dirs[1]}/cut" && mv "${dirs[1]}/cut" "${dirs[1]}/summary.json"
expect_done=$((done_before - 2))
# The killed run wrote no table (or, if it won the race, a complete one).
[ ! -e "$tmp/part/results.csv" ] || [ "$done_before" -eq 8 ]

"$bin" "${sweep[@]}" --out "$tmp/part" -j 2 >"$tmp/resume.out" 2>"$tmp/resume.err"
grep -q "sweep: 8 points, $expect_done already done, 0 failed" "$tmp/resume.out" ||
  { echo "FAIL: expected $expect_done skipped points: $(cat "$tmp/resume.out")"; exit 1; }
cmp "$tmp/full/results.csv" "$tmp/part/results.csv"
[ ! -e "${dirs[0]}/summary.json.tmp.somehost.12345" ] # the redone point's leftovers are gone
# Every result directory name is the same in both runs: the hash depends on the config only.
diff <(ls "$tmp/full/points") <(ls "$tmp/part/points")

# Once more: nothing to do, the same table.
"$bin" "${sweep[@]}" --out "$tmp/part" -j 2 >"$tmp/again.out" 2>/dev/null
grep -q "sweep: 8 points, 8 already done, 0 failed" "$tmp/again.out"
cmp "$tmp/full/results.csv" "$tmp/part/results.csv"
echo "sweep resume ok: killed after $done_before of 8 points, resumed to an identical results.csv"
