#!/usr/bin/env python3
"""Turns the device runs' results (run_all.py's results.json) into the committed validation traces:

    python3 bench/reference/to_validation.py --run run1=DIR1 --run run2=DIR2 [--out traces/validation]

DIRn holds what one device call returned (results.json, machine.txt, console.txt, logs.txt); the call's exact
command is read from DIRn/device_command.txt. Writes
    OUT/<case id>.json      one file per case (schema: traces/validation/README.md)
    OUT/raw/<run>/...       the device call's files, as returned (provenance)
For each case the primary run is the --primary run when the case succeeded in it, else the last run (in --run
order) in which it succeeded; the other runs' medians are kept under `repeats`. --primary names the run the
host-cost calibration was fitted on (traces/calibration/h200/host/zero3_hooks.json says which), so that a later
device call adds repeats without moving the fit's source. Bounds are computed from cases.json's bounds (decided before any simulator
comparison) and the measured spread, never from a simulated value.
"""
import argparse
import json
import os
import shutil
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ANNOTATION_PREFIXES = ("Optimizer.", "nccl:", "ProfilerStep", "phase:")


def load_cases():
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_all", os.path.join(HERE, "run_all.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.load_cases(os.path.join(HERE, "cases.json"))


def deep_merge(base, over):
    out = json.loads(json.dumps(base))
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def robust(vals):
    """median, robust sigma (1.4826 MAD), min, max."""
    med = statistics.median(vals)
    mad = statistics.median([abs(v - med) for v in vals])
    return med, 1.4826 * mad, min(vals), max(vals)


def step_stats(steps, key="step_time_s", scale=1.0):
    vals = [s[key] * scale for s in steps if s.get(key) is not None]
    if not vals:
        return None
    med, sig, lo, hi = robust(vals)
    return {"median": round(med, 6), "robust_sigma": round(sig, 6), "min": round(lo, 6), "max": round(hi, 6),
            "n": len(vals), "values": [round(v, 6) for v in vals]}


def used_steps(phase):
    """Measured (not warm-up) steps without an fp16 overflow (an overflow step skips the optimizer update)."""
    meas = [s for s in phase["steps"] if not s.get("warmup")]
    ok = [s for s in meas if not s.get("overflow")]
    return ok or meas


def clean_profile(prof, corrected_annotations):
    """Per phase: window, GPU busy, compute busy, comm busy, idle, busy by category (ms). Run-1 profiles counted
    the GPU mirrors of record_function ranges (e.g. Optimizer.step#AdamW.step, nccl:_all_gather_base) as
    activities; those are subtracted here from the category sums when listed among the top kernels."""
    out, notes = {}, []
    for ph, d in prof["phases"].items():
        cats = {c: v["busy_us"] for c, v in d["by_category"].items()}
        counts = {c: v["count"] for c, v in d["by_category"].items()}
        if corrected_annotations:
            for k in d["top_kernels"]:
                if k["name"].startswith(ANNOTATION_PREFIXES):
                    cats[k["category"]] = cats.get(k["category"], 0) - k["busy_us"]
                    counts[k["category"]] = counts.get(k["category"], 0) - k["count"]
                    notes.append(f"{ph}: removed annotation '{k['name']}' ({k['busy_us']:.0f} us) from {k['category']}")
        nccl_ms = d["nccl_union_busy_us"] / 1e3
        if corrected_annotations and counts.get("nccl", 0) > 0:
            # Every run-2 profile (annotation-free) shows no NCCL kernel at all at world size 1 (the one-rank
            # all-gather / reduce-scatter is a device copy), so run 1's nccl entries are the nccl:* annotation
            # mirrors, most of them outside the top-kernel list.
            notes.append(f"{ph}: nccl category ({cats.get('nccl', 0):.0f} us) dropped: annotation mirrors")
            cats.pop("nccl", None)
            counts.pop("nccl", None)
        if corrected_annotations:
            nccl_ms = 0.0
        out[ph] = {
            "window_ms": round(d["window_us"] / 1e3, 3),
            "gpu_busy_ms": round(d["union_busy_us"] / 1e3, 3),
            "compute_busy_ms": round(d["compute_union_busy_us"] / 1e3, 3),
            "communication_busy_ms": round(nccl_ms, 3),
            "gpu_idle_ms": round(d["idle_us"] / 1e3, 3),
            "kernels": d["kernels"],
            "busy_ms_by_category": {c: round(v / 1e3, 3) for c, v in cats.items() if counts.get(c, 0) > 0},
            "top_kernels": [k for k in d["top_kernels"] if not k["name"].startswith(ANNOTATION_PREFIXES)][:8],
        }
        if corrected_annotations:
            out[ph]["union_busy_may_include_annotation_spans"] = True
    tot = {k: round(sum(p[k] for p in out.values()), 3)
           for k in ("window_ms", "gpu_busy_ms", "compute_busy_ms", "communication_busy_ms", "gpu_idle_ms")}
    gemm = round(sum(p["busy_ms_by_category"].get("gemm", 0) for p in out.values()), 3)
    tot["gemm_busy_ms"] = gemm
    if corrected_annotations:
        notes.append("run 1: gpu_busy_ms (union) may include GPU-side annotation spans; compute_busy_ms likewise")
    return {"phases": out, "total": tot, "source": prof.get("source"), "profiled_step_time_s":
            prof.get("step", {}).get("step_time_s"), "corrections": notes}


def comm_gap_view(lines, jump, threshold_ms):
    """The artifact's reader (snapshot_strategy.py): skip `jump` lines, one position index over the all-gather
    values and the reduce-scatter values, per-position minimum, keep minima > threshold."""
    gaps, ag_count = {}, None
    for line in lines[jump:]:
        pos = 0
        for tok in line.strip().split(" "):
            if tok == "-":
                ag_count = pos
                continue
            gaps.setdefault(pos, []).append(float(tok))
            pos += 1
    minima = {p: min(v) for p, v in gaps.items() if v}
    kept = {p: m for p, m in minima.items() if m > threshold_ms}
    return {"lines_used": max(len(lines) - jump, 0), "allgather_positions": ag_count,
            "position_minima_ms": [round(minima[p], 2) for p in sorted(minima)],
            "kept_positions": sorted(kept), "kept_sum_ms": round(sum(kept.values()), 2),
            "threshold_ms": threshold_ms}


def syncs(ins):
    f = ins["functions"]

    def g(label):
        return f.get(label, {})

    return {
        "device_synchronize": g("torch.cuda.synchronize").get("calls_per_step", 0),
        "device_synchronize_wait_ms": round(g("torch.cuda.synchronize").get("incl_us_per_step", 0) / 1e3, 3),
        "stream_synchronize": g("Stream.synchronize").get("calls_per_step", 0),
        "stream_synchronize_wait_ms": round(g("Stream.synchronize").get("incl_us_per_step", 0) / 1e3, 3),
        "event_synchronize": g("Event.synchronize").get("calls_per_step", 0),
        "tensor_item": g("Tensor.item").get("calls_per_step", 0),
        "by_caller": ins["syncs_by_caller"],
    }


HOOKS = ["hook.pre_forward", "hook.post_forward", "hook.pre_backward", "hook.post_backward",
         "coord.fetch_sub_module", "coord.release_sub_module", "coord.all_gather_params", "coord.release_param",
         "coord.release_and_reset_all", "allgather_handle.wait(coalesced)", "allgather_handle.wait(single)",
         "grad_hook.reduce_ipg", "stage3.add_grad_to_ipg_bucket", "stage3.reduce_and_partition_ipg_grads",
         "stage3.avg_scatter_grads", "reduce_scatter_coalesced", "stage3.partition_grads",
         "stage3.gradient_epilogue", "stage3.snapshot_states", "stage3.step", "engine.forward", "stage3.backward",
         "engine.step", "snapshot.remote_snapshot", "snapshot.remote_snapshot_blocks", "snapshot.block",
         "profiler.profile_comm_time_gap"]


def host_costs(ins):
    f = ins["functions"]
    return {k: {"calls_per_step": f[k]["calls_per_step"], "excl_us_per_call": f[k]["excl_us_per_call"],
                "excl_ms_per_step": round(f[k]["excl_us_per_step"] / 1e3, 3),
                "incl_ms_per_step": round(f[k]["incl_us_per_step"] / 1e3, 3)} for k in HOOKS if k in f}


def bound_rel(base, sig_rel):
    return round(max(base, 2 * sig_rel), 4)


def gemini_case(case, res, run_name, bounds):
    modes = {}
    for mode in ("none", "interleave"):
        ph = res["phases"][mode]
        st = used_steps(ph)
        it = step_stats(st)
        modes[mode] = {
            "iteration_time_s": it,
            "phase_gpu_ms": {p: step_stats(st, f"gpu_{k}_ms")["median"] for p, k in
                             (("forward", "fwd"), ("backward", "bwd"), ("optimizer", "opt"))},
            "phase_host_ms": {p: step_stats(st, f"host_{k}_ms")["median"] for p, k in
                              (("forward", "fwd"), ("backward", "bwd"), ("optimizer", "opt"))},
            "overflow_steps_excluded": sum(1 for s in ph["steps"] if not s.get("warmup") and s.get("overflow")),
            "alloc_retries_per_step": max(s["alloc_retries"] for s in ph["steps"]),
            "max_memory_allocated_GiB": ph["max_memory_allocated_GiB"],
            "max_memory_reserved_GiB": ph["max_memory_reserved_GiB"],
            "profile": clean_profile(res["profile"][mode], run_name == "run1") if mode in res.get("profile", {}) else None,
            "syncs_per_step": syncs(res["instrumented"][mode]),
            "implicit_syncs_per_step": {"count": res["sync_census"][mode]["synchronizing_calls"],
                                        "by_site": res["sync_census"][mode]["by_site"]},
            "host_hooks": host_costs(res["instrumented"][mode]),
            "instrumented_step_time_s": [s["step_time_s"] for s in res["instrumented"][mode]["steps"]],
        }
        prof = modes[mode]["profile"]
        if prof:
            modes[mode]["gpu_idle_estimate_ms"] = round(it["median"] * 1e3 - prof["total"]["gpu_busy_ms"], 3)
    snap = case["snapshot_args"]
    measured = {"modes": modes, "idle_spans": {
        "profiler_view_interleave": comm_gap_view(res["comm_gap"]["interleave"], snap["jump_profile_lines"],
                                                  snap["span_threshold"]),
        "comm_gap_interleave": res["comm_gap"]["interleave"],
        "comm_gap_none": res["comm_gap"]["none"],
        "note": "comm_gap lines are the artifact's profiler output (CommounicationProfiler.profile_comm_time_gap), one "
                "line per step: all-gather launch-bracket times, '-', reduce-scatter-free intervals (ms). The "
                "physical GPU idle time per phase is modes.<mode>.profile.phases.<phase>.gpu_idle_ms."}}
    n, i = modes["none"]["iteration_time_s"], modes["interleave"]["iteration_time_s"]
    diff = n["median"] - i["median"]
    sig_diff = (n["robust_sigma"] ** 2 + i["robust_sigma"] ** 2) ** 0.5
    measured["mode_difference_s"] = round(diff, 6)
    compare = []
    for mode in ("none", "interleave"):
        it = modes[mode]["iteration_time_s"]
        compare.append({"quantity": f"modes.{mode}.iteration_time_s.median", "measured": it["median"], "unit": "s",
                        "bound": {"rel": bound_rel(bounds["iteration_time_rel"], it["robust_sigma"] / it["median"])},
                        "simulator_config": f"configs/validation/{case['id']}.{mode}.json"})
    compare.append({"quantity": "mode_difference_s", "measured": round(diff, 6), "unit": "s",
                    "bound": {"abs": round(max(bounds["mode_difference_rel"] * abs(diff), 2 * sig_diff), 6)},
                    "definition": "iteration(none) - iteration(interleave)"})
    prof = modes["interleave"]["profile"]
    if prof:
        compare.append({"quantity": "modes.interleave.profile.total.compute_busy_ms",
                        "measured": prof["total"]["compute_busy_ms"], "unit": "ms",
                        "bound": {"rel": bounds["compute_busy_rel"]},
                        "simulator_config": f"configs/validation/{case['id']}.interleave.json"})
    if "ckpt" in res["phases"]:
        ck = used_steps(res["phases"]["ckpt"])
        ckst = step_stats(ck)
        plan = res["snapshot_plan"]
        sizes = plan["block_sizes"] or []
        planned = sum(v for v in plan["strategy"].values() if v > 0)
        blocks = [s.get("ckpt_blocks_sent") for s in ck if s.get("ckpt_blocks_sent") is not None]
        sent = statistics.median(blocks) if blocks else None
        ckpt = {
            "plan": plan, "blocks_planned_per_step": planned,
            "blocks_sent_per_step": sent,
            "bytes_sent_per_step": int(sum(sizes[: int(sent)]) * 4) if sent is not None else None,
            "checkpoint_bytes": int(sum(sizes) * 4),
            "complete": planned >= len(sizes),
            "init_step_s": res["phases"]["ckpt_init_step"]["step_time_s"],
            "iteration_time_s_with_checkpoint": ckst,
            "overhead_vs_interleave_phase_s": round(ckst["median"] - i["median"], 6),
            "host_hooks": host_costs(res["instrumented"]["ckpt"]) if "ckpt" in res["instrumented"] else None,
            "comm_gap_ckpt": res["comm_gap"].get("ckpt"),
        }
        alt = res["phases"].get("ckpt_alternating")
        if alt:
            use = used_steps(alt)
            w = step_stats([s for s in use if s.get("ckpt_blocks_sent")])
            wo = step_stats([s for s in use if not s.get("ckpt_blocks_sent")])
            ckpt["alternating"] = {"with_checkpoint_s": w, "without_checkpoint_s": wo,
                                   "overhead_s": round(w["median"] - wo["median"], 6),
                                   "overhead_rel": round((w["median"] - wo["median"]) / wo["median"], 4)}
            sig = (w["robust_sigma"] ** 2 + wo["robust_sigma"] ** 2) ** 0.5
            compare.append({"quantity": "checkpoint.alternating.overhead_s", "measured": ckpt["alternating"]["overhead_s"],
                            "unit": "s", "definition": "median step with checkpoint traffic - median step without, "
                            "alternating steps (the artifact's snapshot_freq = 2) in one phase",
                            "bound": {"abs": round(max(bounds["checkpoint_overhead_abs_frac_of_iteration"] * wo["median"],
                                                       2 * sig), 6)},
                            "simulator_config": f"configs/validation/{case['id']}.ckpt.json"})
        ckpt["note"] = ("overhead_vs_interleave_phase_s compares phases run minutes apart, after the profiled and "
                        "instrumented steps and the plan set-up; in run 2 the steps WITHOUT checkpoint traffic of the "
                        "alternating phase are as slow as the checkpoint steps, so that difference is not the "
                        "checkpoint's; the alternating (paired) overhead is the one to compare against.")
        measured["checkpoint"] = ckpt
    return measured, compare


def hf_case(case, res, run_name, bounds):
    ph = res["phases"]["train"]
    st = used_steps(ph)
    it = step_stats(st)
    measured = {
        "iteration_time_s": it,
        "phase_gpu_ms": {p: step_stats(st, f"gpu_{k}_ms") for p, k in
                         (("forward", "fwd"), ("backward", "bwd"), ("optimizer", "opt"))},
        "phase_host_ms": {p: step_stats(st, f"host_{k}_ms")["median"] for p, k in
                          (("forward", "fwd"), ("backward", "bwd"), ("optimizer", "opt"))},
        "alloc_retries_per_step": max(s["alloc_retries"] for s in ph["steps"]),
        "max_memory_allocated_GiB": ph["max_memory_allocated_GiB"],
        "max_memory_reserved_GiB": ph["max_memory_reserved_GiB"],
        "profile": clean_profile(res["profile"]["train"], run_name == "run1") if res.get("profile") else None,
        "model": res["model"],
    }
    if measured["profile"]:
        measured["gpu_idle_estimate_ms"] = round(it["median"] * 1e3 - measured["profile"]["total"]["gpu_busy_ms"], 3)
    compare = [{"quantity": "iteration_time_s.median", "measured": it["median"], "unit": "s",
                "bound": {"rel": bound_rel(bounds["iteration_time_rel"], it["robust_sigma"] / it["median"])}}]
    for p in ("forward", "backward", "optimizer"):
        s = measured["phase_gpu_ms"][p]
        compare.append({"quantity": f"phase_gpu_ms.{p}.median", "measured": s["median"], "unit": "ms",
                        "bound": {"rel": bound_rel(bounds["phase_time_rel"], s["robust_sigma"] / s["median"])}})
    if measured["profile"]:
        compare.append({"quantity": "profile.total.gemm_busy_ms", "measured": measured["profile"]["total"]["gemm_busy_ms"],
                        "unit": "ms", "bound": {"rel": bounds["gemm_busy_rel"]}})
        compare.append({"quantity": "profile.total.compute_busy_ms",
                        "measured": measured["profile"]["total"]["compute_busy_ms"], "unit": "ms",
                        "bound": {"rel": bounds["compute_busy_rel"]}})
    for c in compare:
        c["simulator_config"] = f"configs/validation/{case['id']}.json"
    return measured, compare


def repeat_summary(case, res):
    if case["runner"] == "gemini":
        out = {m: step_stats(used_steps(res["phases"][m])) for m in ("none", "interleave") if m in res["phases"]}
        f = res["instrumented"].get("interleave", {}).get("functions", {})
        if "coord.fetch_sub_module" in f:
            out["fetch_sub_module_excl_us_per_call_interleave"] = f["coord.fetch_sub_module"]["excl_us_per_call"]
        return out
    return {"train": step_stats(used_steps(res["phases"]["train"]))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", action="append", required=True, help="NAME=DIR (in chronological order)")
    ap.add_argument("--out", default=os.path.join(ROOT, "traces", "validation"))
    ap.add_argument("--primary", help="NAME of the run that is primary wherever the case succeeded in it")
    a = ap.parse_args()
    spec, cases = load_cases()
    runs, protocols = [], {}
    for r in a.run:
        name, d = r.split("=", 1)
        results = json.load(open(os.path.join(d, "results.json")))
        cmd = open(os.path.join(d, "device_command.txt")).read().strip()
        runs.append((name, d, results, cmd))
        pfile = os.path.join(d, "protocol.json")
        protocols[name] = json.load(open(pfile)) if os.path.exists(pfile) else {}
        raw = os.path.join(a.out, "raw", name)
        os.makedirs(raw, exist_ok=True)
        for fn in ("results.json", "machine.txt", "console.txt", "logs.txt", "device_command.txt", "protocol.json"):
            if os.path.exists(os.path.join(d, fn)):
                shutil.copyfile(os.path.join(d, fn), os.path.join(raw, fn))
    written = []
    for case in cases:
        found = []
        for name, d, results, cmd in runs:
            for e in results["cases"]:
                if e["id"] == case["id"] and e.get("status") == "ok":
                    found.append((name, results, cmd, e))
        if not found:
            print(f"{case['id']}: no successful run")
            continue
        preferred = [f for f in found if f[0] == a.primary]
        if preferred:
            found = [f for f in found if f[0] != a.primary] + preferred
        name, results, cmd, entry = found[-1]
        res = entry["result"]
        # The case as that run ran it: run_all records it per entry; an older run names its protocol in
        # DIR/protocol.json (what differed from today's cases.json).
        case = deep_merge(case, entry.get("case") or protocols[name].get(case["runner"], {}))
        bounds = case["bounds"]
        if case["runner"] == "gemini":
            measured, compare = gemini_case(case, res, name, bounds)
        else:
            measured, compare = hf_case(case, res, name, bounds)
        m = results["machine"]
        out = {
            "schema": "gemini-sim validation case v1 (traces/validation/README.md)",
            "id": case["id"], "role": case["role"], "runner": case["runner"], "what": case["what"],
            "decided": spec["decided"],
            "primary_run": name,
            "machine": {"gpu": m["versions"].get("gpu"), "gpu_memory_GiB": m["versions"].get("gpu_memory_GiB"),
                        "gpus": 1, "nvidia_smi": m["nvidia_smi_query"], "cpus": m["cpus"], "kernel": m["kernel"],
                        "details": f"traces/validation/raw/{name}/machine.txt"},
            "software": {**m["versions"], **{k: v for k, v in (res.get("versions") or {}).items()
                                             if k in ("deepspeed_fork", "fork_commit", "pydantic")}},
            "command": {"device_call": cmd, "run_all": results["command"], "case_process": entry["command"],
                        "cwd": results["cwd"]},
            "configuration": {
                "model": {**case["model"], "params": res["model"]["params"],
                          "attn_implementation": res["model"].get("attn_implementation"),
                          "gradient_checkpointing": res["model"].get("gradient_checkpointing")},
                "training": case["training"],
                **({"zero": case["zero"], "snapshot_args": case["snapshot_args"], "ds_config": res.get("ds_config"),
                    "artifact_args": res.get("artifact_args"), "optimizer": res.get("optimizer"),
                    "shims_applied": res.get("shims_applied"), "harness_patches": res.get("harness_patches")}
                   if case["runner"] == "gemini" else {}),
                "steps": case["steps"], "choices": case.get("choices"),
            },
            "simulator": {"configs": sorted({c["simulator_config"] for c in compare if "simulator_config" in c}),
                          "sets": ["cluster.gpus_per_instance=1"]},
            "measured": measured,
            "bounds_decided": {k: v for k, v in bounds.items()},
            "compare": compare,
            "repeats": {rn: repeat_summary(case, e["result"]) for rn, _, _, e in found[:-1]},
        }
        path = os.path.join(a.out, case["id"] + ".json")
        with open(path, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        written.append(path)
        print(f"{case['id']}: primary {name}, repeats {[rn for rn, *_ in found[:-1]]}")
    return written


if __name__ == "__main__":
    main()
