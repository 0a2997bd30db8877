#!/usr/bin/env python3
"""Fits the host-side cost of DeepSpeed ZeRO-3's module hooks from the calibration reference runs and writes
traces/calibration/h200/host/zero3_hooks.json (read by models/host_cost.cpp):

    python3 bench/reference/fit_host_costs.py [--case traces/validation/gem-gpt-1.3b.json]

The term: host seconds per module hook of the fork's coordinator, i.e. the host time of the forward and
backward phases (torch.cuda.Event-free wall time on the host, `phase_host_ms`) less the time the host spent
blocked in synchronisations inside those phases (`syncs_per_step.by_caller`, all callers except the
optimizer's `stage3.step` and the top level), divided by the hook calls per step (`coord.fetch_sub_module`
calls: one per pre-forward and pre-backward hook, recomputation included). It is everything the host does
per hook: DeepSpeed's hook and coordinator code and the module's own eager launches.

Only cases whose role is `calibration` are accepted (traces/validation/README.md); the mode used is
`interleave` (the figures' mode; its hooks do not synchronise the device, so the phase time is host work).
Every other calibration case and mode is reported beside it as the spread, with the machine it ran on.
"""
import argparse
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OPTIMIZER_CALLERS = ("stage3.step", "(top level)")


def per_hook(case, mode):
    x = case["measured"]["modes"][mode]
    phase = x["phase_host_ms"]
    host_ms = phase["forward"] + phase["backward"]
    waits_ms = sum(b["wait_us_per_step"] for b in x["syncs_per_step"]["by_caller"]
                   if b["inside"] not in OPTIMIZER_CALLERS) / 1000
    calls = x["host_hooks"]["coord.fetch_sub_module"]["calls_per_step"]
    return {
        "case": case["id"], "mode": mode, "run": case["primary_run"],
        "forward_backward_host_ms": round(host_ms, 3), "sync_wait_ms": round(waits_ms, 3),
        "hook_calls_per_step": calls, "host_us_per_hook": round((host_ms - waits_ms) / calls * 1000, 2),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default=os.path.join(ROOT, "traces/validation/gem-gpt-1.3b.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "traces/calibration/h200/host/zero3_hooks.json"))
    a = ap.parse_args()
    case = json.load(open(a.case))
    if case["role"] != "calibration" or case["runner"] != "gemini":
        raise SystemExit(f"{a.case}: role {case['role']} runner {case['runner']}: only GEMINI-fork calibration cases fit")
    fit = per_hook(case, "interleave")
    spread = []
    vdir = os.path.dirname(os.path.abspath(a.case))
    for name in sorted(os.listdir(vdir)):
        if not name.endswith(".json") or name == "known_misses.json":
            continue
        other = json.load(open(os.path.join(vdir, name)))
        if other.get("role") != "calibration" or other.get("runner") != "gemini":
            continue
        for mode in ("none", "interleave"):
            if (other["id"], mode) != (case["id"], "interleave"):
                spread.append(per_hook(other, mode))
    out = {
        "schema": "gemini-sim host costs v1 (bench/reference/fit_host_costs.py)",
        "machine": case["machine"]["nvidia_smi"].splitlines()[-1] + f"; {case['machine']['cpus']} CPUs",
        "software": {k: case["software"][k] for k in ("python", "torch", "deepspeed_fork")},
        "zero3_hook_host_s": fit["host_us_per_hook"] * 1e-6,
        "fit": fit,
        "spread": spread,
        "what": "host seconds per ZeRO-3 module hook (DeepSpeed 0.7.3 coordinator + the module's eager launches), "
                "applied to every hook of the gemini-interleave, gemini-none and deepspeed schedules",
        "source": os.path.relpath(os.path.abspath(a.case), ROOT) + " measured.modes.interleave (phase_host_ms, "
                  "syncs_per_step, host_hooks), primary run " + case["primary_run"],
        "transfer": "used unchanged on every cluster: the cost is CPU-bound Python, and no p4d / p3dn host was "
                    "measured; the two lent H200 machines ran the same code 1.5-2.1x apart (spread), which bounds "
                    "what a different host may do",
    }
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"{os.path.relpath(a.out, ROOT)}: {fit['host_us_per_hook']} us per hook ({fit['case']} {fit['mode']})")


if __name__ == "__main__":
    main()
