#!/usr/bin/env bash
# --out DIR --timeline writes timeline.json (Chrome trace JSON that Perfetto opens) beside iterations.csv;
# --out alone writes no timeline. Checks: the JSON parses; every GPU shown has exactly one compute and one
# communication track, named; events lie on those tracks only; no slice starts before the previous one on
# its track ends (Perfetto drops overlapping slices); compute and communication overlap on a GPU's two
# streams when the all-gathers do not block the host (upstream DeepSpeed, training.framework=deepspeed), and
# barely when every hook syncs the device (the GEMINI artifact's fork with --snapshot_mode none,
# training.framework=gemini-none); iterations.csv has one row per simulated iteration, consistent with the
# summary.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cfg=configs/bert5b-p3dn4.json # 32 GPUs: fast
"$bin" run --config $cfg --set checkpoint.scheme=none --set run.iterations=3 \
  --set training.framework=deepspeed --out "$tmp/async" --timeline >/dev/null
"$bin" run --config $cfg --set checkpoint.scheme=none --set run.iterations=3 \
  --set training.framework=gemini-none --out "$tmp/blocking" --timeline >/dev/null
"$bin" run --config $cfg --set checkpoint.scheme=none --set run.iterations=1 --out "$tmp/plain" >/dev/null
test -s "$tmp/plain/summary.json" && test -s "$tmp/plain/iterations.csv"
if test -e "$tmp/plain/timeline.json"; then
  echo "timeline.json written without --timeline" >&2
  exit 1
fi
/usr/bin/python3 - "$tmp/async" "$tmp/blocking" <<'PY'
import csv, json, sys

def load(d):
    doc = json.load(open(f"{d}/timeline.json"))
    ev = doc["traceEvents"]
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
    xs = [e for e in ev if e["ph"] == "X"]
    assert xs, "no events"
    for e in xs:
        assert (e["pid"], e["tid"]) in names, f"event on an unnamed track: {e}"
        assert e["dur"] >= 0 and e["ts"] >= 0, e
    gpus = {(p, t // 2) for (p, t) in names}
    for g in gpus:  # one compute and one communication track per GPU
        assert names[(g[0], 2 * g[1])].endswith("compute"), names
        assert names[(g[0], 2 * g[1] + 1)].endswith("communication"), names
    assert len(names) == 2 * len(gpus)
    tracks = {}
    for e in xs:  # times are whole nanoseconds printed as microseconds with three decimals
        tracks.setdefault((e["pid"], e["tid"]), []).append((round(e["ts"] * 1000), round(e["dur"] * 1000)))
    for key, slices in tracks.items():
        slices.sort()
        for (t0, d0), (t1, _) in zip(slices, slices[1:]):
            assert t1 >= t0 + d0, f"track {key}: a slice at {t1} ns starts before the one at {t0} ns ends ({t0 + d0})"
    return xs, gpus, json.load(open(f"{d}/summary.json"))

def overlap_s(xs, pid, gpu):
    comp = sorted((e["ts"], e["ts"] + e["dur"]) for e in xs if e["pid"] == pid and e["tid"] == 2 * gpu)
    comm = sorted((e["ts"], e["ts"] + e["dur"]) for e in xs if e["pid"] == pid and e["tid"] == 2 * gpu + 1)
    total, j = 0.0, 0
    for a0, a1 in comp:  # both lists are disjoint intervals in time order (each stream is serial)
        while j < len(comm) and comm[j][1] <= a0:
            j += 1
        k = j
        while k < len(comm) and comm[k][0] < a1:
            total += min(a1, comm[k][1]) - max(a0, comm[k][0])
            k += 1
    return total / 1e6

for d, expect_overlap in ((sys.argv[1], True), (sys.argv[2], False)):
    xs, gpus, summary = load(d)
    assert len(gpus) == 9, gpus  # the first instance's 8 GPUs and the last instance's first
    ov = overlap_s(xs, 0, 0)
    it = summary["iteration_time_s"]
    if expect_overlap:
        # Overlap per iteration is compute + communication - (iteration - idle-free time): must be large.
        assert ov > 0.2 * summary["communication_busy_s"] * summary["simulated_iterations"], (d, ov, summary)
    else:
        assert ov < 0.05 * it * summary["simulated_iterations"], (d, ov)
    rows = list(csv.DictReader(open(f"{d}/iterations.csv")))
    assert len(rows) == summary["simulated_iterations"] == 3, rows
    assert abs(float(rows[-1]["iteration_time_s"]) - it) < 1e-5, (rows[-1], it)
    assert abs(float(rows[-1]["network_idle_time_s"]) - summary["network_idle_time_s"]) < 1e-5
    print(f"{d}: {len(xs)} events, compute/communication overlap {ov:.3f} s over {len(rows)} iterations")
PY
/usr/bin/python3 -m json.tool "$tmp/async/timeline.json" >/dev/null
echo "timeline ok"
