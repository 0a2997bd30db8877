#!/usr/bin/env bash
# `gemini-sim keys [PREFIX]` lists every config key (sorted, with unit, default and what is allowed) and
# refuses a prefix that matches nothing (exit 2, one line, a guess when one is near); an unknown --set key
# says which known key it is near; progress never reaches stderr off a terminal; iterations.csv and
# failures.csv are written by the one CSV writer (shortest round-trip numbers, header unchanged).
set -euo pipefail
bin=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_error() { # expect_error WANT_SUBSTRING ARGS...: exit 2, one line on stderr holding WANT, nothing on stdout
  local want=$1
  shift
  set +e
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  set -e
  test $rc -eq 2 || { echo "gemini-sim $*: exit $rc, want 2" >&2; cat "$tmp/err" >&2; exit 1; }
  test "$(wc -l <"$tmp/err")" -eq 1 || { echo "gemini-sim $*: not one line:" >&2; cat "$tmp/err" >&2; exit 1; }
  grep -qF -- "$want" "$tmp/err" || { echo "gemini-sim $*: want '$want' in:" >&2; cat "$tmp/err" >&2; exit 1; }
  test ! -s "$tmp/out"
}

"$bin" keys >"$tmp/all"
tail -n +4 "$tmp/all" | cut -d' ' -f1 >"$tmp/names"
sort -c "$tmp/names"                                     # sorted
test "$(wc -l <"$tmp/names")" -ge 60                     # every key of the experiment, its cluster and model
grep -Eq '^cluster\.nic\.count +- +4 +integer in \[0, 64\]$' "$tmp/all"
grep -Eq '^checkpoint\.scheme +- +"gemini" +none\|blocking\|naive\|no_pipeline\|gemini$' "$tmp/all"
grep -Eq '^checkpoint\.span_threshold_ms +ms ' "$tmp/all"
grep -Eq '^training\.attention .*; optional, absent: "eager"$' "$tmp/all"

"$bin" keys cluster.nic >"$tmp/nic"
test "$(tail -n +4 "$tmp/nic" | grep -vc '^cluster\.nic\.')" -eq 0
test "$(tail -n +4 "$tmp/nic" | wc -l)" -eq 5

expect_error 'chekpoint: no config key starts with it (did you mean "checkpoint"?)' keys chekpoint
expect_error 'no config key starts with it' keys zzzzzzzzzzzz
expect_error 'p4d16.json (--set): cluster.nic.cont: unknown key (did you mean "cluster.nic.count"?)' \
  --config configs/p4d16.json --set cluster.nic.cont=4

# A run off a terminal: no progress on stderr; iterations.csv and failures.csv through the CSV writer.
"$bin" --config configs/p4d16.json --out "$tmp/run" >/dev/null 2>"$tmp/run.err"
test ! -s "$tmp/run.err" || { echo "stderr of a run off a terminal:" >&2; cat "$tmp/run.err" >&2; exit 1; }
/usr/bin/python3 - "$tmp/run" <<'PY'
import csv, sys
d = sys.argv[1]
def shortest(cell):
    x = float(cell)
    r = repr(x)
    return cell == r.removesuffix(".0") or (float(cell) == x and len(cell) < len(r))
its = list(csv.reader(open(f"{d}/iterations.csv", newline="")))
assert its[0] == ["iteration", "start_s", "iteration_time_s", "compute_time_s", "exposed_communication_s",
                  "communication_busy_s", "network_idle_total_s", "network_idle_time_s", "idle_spans",
                  "long_idle_spans", "longest_idle_span_s"], its[0]
assert len(its) > 2
for row in its[1:]:
    assert len(row) == len(its[0]), row
    assert all(shortest(c) for c in row), row
    assert float(row[2]) > 0, row
fails = list(csv.reader(open(f"{d}/failures.csv", newline="")))
assert fails[0] == ["system", "episode", "phase", "start_s", "duration_s"], fails[0]
assert len(fails) > 1, "no phase in failures.csv"
for row in fails[1:]:
    assert len(row) == 5 and all(shortest(c) for c in row[3:]), row
PY
echo "keys ok"
