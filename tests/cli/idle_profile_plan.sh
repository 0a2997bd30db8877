#!/usr/bin/env bash
# The GEMINI artifact's real BERT 5B profile through `run --idle-profile`: the reduction matches an
# independent re-implementation of the artifact's reader, the plan's numbers hold together, and a
# malformed profile is one line on stderr with exit status 2.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
profile=traces/gemini-ae/bert_comm_gap.txt
config=configs/bert5b-p3dn4.json

"$bin" --config "$config" --idle-profile "$profile" >"$tmp/text"
grep -q "Checkpoint partition over idle spans" "$tmp/text"
"$bin" --config "$config" --idle-profile "$profile" --json >"$tmp/t100.json"
"$bin" --config "$config" --idle-profile "$profile" --set checkpoint.span_threshold_ms=5 --json >"$tmp/t5.json"
"$bin" --config "$config" --idle-profile "$profile" --set checkpoint.profile_warmup_lines=6 \
  --set checkpoint.span_threshold_ms=5 --json >"$tmp/w6.json"
"$bin" --config "$config" --idle-profile "$profile" --set checkpoint.scheme=naive --json >"$tmp/naive.json"

/usr/bin/python3 - "$profile" "$tmp" <<'PY'
import json, math, sys
profile, tmp = sys.argv[1], sys.argv[2]

def artifact_reduction(warmup, threshold_ms):
    # snapshot_strategy.py (9b551dd^): skip the warm-up lines; one position index over the values on both
    # sides of '-' (the '-' takes none); minimum per position; keep those > threshold.
    gaps = {}
    for line in open(profile).read().splitlines()[warmup:]:
        for i, g in enumerate(t for t in line.split() if t != "-"):
            gaps.setdefault(i, []).append(float(g))
    mins = [min(gaps[i]) for i in range(len(gaps))]
    return mins, [(i, m) for i, m in enumerate(mins) if m > threshold_ms]

def check(doc, warmup, threshold_ms):
    mins, kept = artifact_reduction(warmup, threshold_ms)
    assert doc["profile_spans_total"] == len(mins), (doc["profile_spans_total"], len(mins))
    assert doc["profile_spans_used"] == len(kept), (doc["profile_spans_used"], kept)
    assert doc["profile_iterations_used"] == 20 - warmup
    assert abs(doc["profile_idle_time_s"] - sum(m for _, m in kept) / 1e3) < 1e-9
    spans = doc["plan_spans"]
    if kept:
        assert [s["position"] for s in spans] == [i for i, _ in kept]
        assert all(abs(s["span_s"] - m / 1e3) < 1e-12 for s, (_, m) in zip(spans, kept))
    # Every byte once: the spans carry the whole shard, once per remote copy.
    C = doc["plan_checkpoint_bytes"]
    assert sum(s["bytes"] for s in spans) == C * doc["plan_remote_copies"]
    # mu respected everywhere but in the last span, which takes the leftover.
    for s in spans[:-1]:
        assert s["busy_s"] <= s["budget_s"] + 1e-12, s
        assert abs(s["budget_s"] - doc["plan_mu"] * s["span_s"]) < 1e-12
    last = spans[-1]
    assert abs(doc["plan_leftover_s"] - max(0.0, last["busy_s"] - last["budget_s"])) < 1e-12
    assert doc["plan_fits"] == (doc["plan_leftover_bytes"] == 0)
    # No faster than the network, no more chunks than R-sized pieces allow plus one partial per span.
    B, alpha, R = doc["plan_bandwidth_Bps"], doc["plan_alpha_s"], doc["plan_buffer_bytes"]
    assert doc["checkpoint_plan_time_s"] >= C * doc["plan_remote_copies"] / B
    assert doc["plan_chunks"] <= math.ceil(C / R) + len(spans)
    assert doc["plan_memory_status"] == "ok"
    assert 0 <= doc["profile_iterations_fitting_alone"] <= doc["profile_iterations_used"]
    return spans

# BERT 5B on 32 GPUs: 12 bytes per parameter over 32 GPUs; one remote copy (m = 2).
t100 = json.load(open(f"{tmp}/t100.json"))
assert abs(t100["plan_checkpoint_bytes"] - 12 * t100["parameters"] / 32) <= 1
assert t100["plan_remote_copies"] == 1
# p3dn: 100 Gbps per instance over 8 GPUs, times the published EFA efficiency (<= 1).
assert 0 < t100["plan_bandwidth_Bps"] <= 100e9 / 8 / 8
assert 1.8 < t100["profile_iteration_time_s"] < 2.1

# At the launch script's 100 ms threshold the artifact's reduction keeps one span of this profile: the
# second reduce-scatter's interval (from the first bucket's end, 1.9 s), at the position it has in the
# lines with 123 all-gathers (the lines with 122 put it one position earlier, where the first bucket's 0
# of the others wins the minimum).
spans = check(t100, 8, 100)
assert t100["profile_spans_used"] == 1
assert spans[0]["position"] == 124 and abs(spans[0]["span_s"] - 1.9166) < 1e-9

# A 5 ms threshold keeps the few short spans that every iteration shares; they carry part of the shard.
t5 = json.load(open(f"{tmp}/t5.json"))
spans = check(t5, 8, 5)
assert t5["profile_spans_used"] >= 1 and spans[0]["bytes"] > 0
assert t5["plan_leftover_s"] <= t100["plan_leftover_s"]
check(json.load(open(f"{tmp}/w6.json")), 6, 5)

# Naive interleaving stages each partition whole: one span kept, one partition of up to the whole shard.
naive = json.load(open(f"{tmp}/naive.json"))
assert 0 < naive["plan_gpu_buffer_bytes"] <= naive["plan_checkpoint_bytes"]

# The same run also simulates (when a calibration is shipped): the replay plans over its own profiled
# iterations and carries the checkpoint, beside the plan over the measured profile.
for doc in (t100, naive):
    if "iteration_time_no_ckpt_s" not in doc:
        continue
    assert doc["checkpoint_status"] in ("ok", "oom", "incomplete"), doc["checkpoint_status"]
    assert doc["checkpoint_profile_iterations"] == 20
    if doc["checkpoint_status"] == "oom":
        continue
    C = doc["plan_checkpoint_bytes"]
    assert doc["checkpoint_remote_bytes_per_gpu"] == C * doc["plan_remote_copies"]
    assert doc["checkpoint_local_bytes_per_gpu"] == C
    assert doc["iteration_time_s"] >= doc["iteration_time_no_ckpt_s"] - 1e-9
    assert 0 <= doc["network_idle_time_with_ckpt_s"] <= doc["network_idle_time_no_ckpt_s"] + 1e-9
    # The network time is at least the bytes at the planned per-GPU bandwidth (analytic collectives).
    assert doc["checkpoint_time_s"] >= C * doc["plan_remote_copies"] / doc["plan_bandwidth_Bps"] - 1e-9
PY

# A malformed profile: exit status 2, one line naming the file and the line.
printf '1.0 2.0 - 0 1900\n1.0 oops - 0 1900\n' >"$tmp/bad.txt"
set +e
"$bin" --config "$config" --idle-profile "$tmp/bad.txt" >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "malformed profile: exit $rc, expected 2"; exit 1; }
[ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "malformed profile: expected one line:"; cat "$tmp/err"; exit 1; }
grep -q "bad.txt: line 2: 'oops' is not a number" "$tmp/err"
[ ! -s "$tmp/out" ] || { echo "malformed profile: partial output on stdout"; exit 1; }
# Too many warm-up lines for the profile: the same kind of error.
set +e
"$bin" --config "$config" --idle-profile "$profile" --set checkpoint.profile_warmup_lines=20 >/dev/null 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "warm-up error: exit $rc"; cat "$tmp/err"; exit 1; }
grep -q "bert_comm_gap.txt: checkpoint.profile_warmup_lines: " "$tmp/err"
echo "idle profile plan ok"
