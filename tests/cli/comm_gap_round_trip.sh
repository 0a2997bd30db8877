#!/usr/bin/env bash
# comm_gap.txt is written in the artifact profiler's semantics (models/artifact_profiler.hpp): a run's file,
# read back through `run --idle-profile`, gives the plan the run reported over its own profiler view.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
config=configs/bert5b-p3dn4.json
"$bin" --config "$config" --set checkpoint.profile_iterations=12 --out "$tmp/run" --json >"$tmp/run.json"
[ "$(wc -l <"$tmp/run/comm_gap.txt")" -eq 12 ] || { echo "comm_gap.txt: expected the 12 profiled lines"; exit 1; }
"$bin" --config "$config" --set checkpoint.profile_iterations=12 --idle-profile "$tmp/run/comm_gap.txt" \
  --json >"$tmp/back.json"
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
run, back = json.load(open(f"{tmp}/run.json")), json.load(open(f"{tmp}/back.json"))
assert run["profiler_profile_spans_used"] >= 1, "the profiler view keeps no span"
for k in ("profile_spans_total", "profile_spans_used", "profile_idle_time_s", "plan_chunks", "plan_leftover_bytes"):
    assert back[k] == run["profiler_" + k], (k, back[k], run["profiler_" + k])
assert back["plan_spans"] == run["profiler_plan_spans"]
assert back["profiler_idle_time_s"] == run["profiler_idle_time_s"]
PY
echo "comm_gap round trip ok"
