"""Reduces a torch.profiler capture to kernel busy time per training phase and per kernel category.

The drivers run one profiled step whose phases are wrapped in record_function("phase:<name>") ranges and end
with torch.cuda.synchronize() inside the range, so every GPU activity launched in a phase starts and ends
inside that phase's host window; an activity is assigned to the phase whose window holds its start.

Categories (by kernel name, first match wins; the order matters: flash kernels are CUTLASS kernels too):
  nccl        NCCL kernels (ncclDevKernel_*, ncclKernel_*)
  memcpy      copies (Memcpy HtoD/DtoH/DtoD/PtoP)
  memset      Memset
  loss        log-softmax / NLL / cross-entropy kernels of the loss
  attention   fused attention (flash / memory-efficient / cuDNN SDPA / fmha) and softmax kernels
              (eager attention's softmax; its two batched GEMMs are counted as gemm)
  gemm        cuBLAS / CUTLASS / nvjet matrix multiplications
  optimizer   multi-tensor / fused Adam(W) kernels
  norm        LayerNorm / RMSNorm kernels
  elementwise everything else that is an elementwise, reduction, indexing, copy or fill kernel
              (PyTorch's elementwise_kernel / vectorized / unrolled / reduce_kernel / index / cat / ...)
  other       the rest
Busy times are sums of activity durations (streams may overlap; `union_busy_us` is the time at least one
activity of that group ran).
"""
import json
import re

CATEGORY_RULES = [
    ("nccl", re.compile(r"nccl", re.I)),
    ("memcpy", re.compile(r"^memcpy|memcpy (htod|dtoh|dtod|ptop)", re.I)),
    ("memset", re.compile(r"^memset", re.I)),
    ("loss", re.compile(r"log_?softmax|nll_?loss|cross_?entropy", re.I)),
    ("attention", re.compile(r"flash|fmha|attention|sdpa|_attn|mha_|softmax", re.I)),
    ("gemm", re.compile(r"gemm|cutlass|xmma|nvjet|matmul|wgmma|cublas|splitk|sm90_|sm80_|gemv|dot_kernel", re.I)),
    ("optimizer", re.compile(r"multi_tensor|adam|fused_optim|_foreach|lpAdam", re.I)),
    ("norm", re.compile(r"layer_norm|layernorm|rms_?norm|batch_norm|group_norm", re.I)),
    ("elementwise", re.compile(
        r"elementwise|vectorized|unrolled|reduce_kernel|reduction|index|gather|scatter|cat_|catarray|copy|fill|"
        r"dropout|gelu|silu|tanh|embedding|where|masked|triu|tril|arange|cumsum|sort|topk|argmax|pow|sqrt|"
        r"mul|add|div|sum|mean|norm|clamp|cast|convert|transpose|permute|contiguous|bernoulli|philox|"
        r"rand|uniform|normal|exp|log|abs|max|min|neg|sign", re.I)),
]
CATEGORIES = [c for c, _ in CATEGORY_RULES] + ["other"]


def category(name):
    for cat, rx in CATEGORY_RULES:
        if rx.search(name):
            return cat
    return "other"


def _union_us(intervals):
    total, end = 0.0, None
    for s, e in sorted(intervals):
        if end is None or s > end:
            total += e - s
            end = e
        elif e > end:
            total += e - end
            end = e
    return total


def _events_from_kineto(prof):
    """(cpu annotations, gpu activities) as (name, start_us, end_us) from the raw kineto results."""
    results = prof.profiler.kineto_results
    cpu, gpu = [], []
    events = list(results.events())
    # record_function ranges (ours, and e.g. "Optimizer.step#AdamW.step") are mirrored on the GPU timeline as
    # gpu_user_annotation spans under the same name as the CPU range; kernels never share a CPU op's name.
    cpu_names = {ev.name() for ev in events if "CUDA" not in str(ev.device_type())}
    for ev in events:
        name = ev.name()
        if hasattr(ev, "start_ns"):
            start = ev.start_ns() / 1e3
            dur = ev.duration_ns() / 1e3
        else:
            start = float(ev.start_us())
            dur = float(ev.duration_us())
        dev = str(ev.device_type())
        if "CUDA" in dev:
            if name in cpu_names or name.startswith("phase:") or name.startswith("ProfilerStep"):
                continue  # gpu_user_annotation mirrors of the CPU ranges
            gpu.append((name, start, start + dur))
        elif name.startswith("phase:"):
            cpu.append((name, start, start + dur))
    return cpu, gpu


def _events_from_chrome(prof, path):
    prof.export_chrome_trace(path)
    with open(path) as f:
        trace = json.load(f)
    cpu, gpu = [], []
    for ev in trace.get("traceEvents", []):
        if ev.get("ph") != "X":
            continue
        name, cat = ev.get("name", ""), ev.get("cat", "")
        start, dur = float(ev.get("ts", 0)), float(ev.get("dur", 0))
        if cat in ("kernel", "gpu_memcpy", "gpu_memset"):
            gpu.append((name, start, start + dur))
        elif cat in ("user_annotation", "cpu_instant_event", "python_function", "cpu_op") and name.startswith("phase:"):
            cpu.append((name, start, start + dur))
    return cpu, gpu


def reduce_profile(prof, chrome_fallback_path, top_n=12):
    """Returns {"source", "phases": {phase: {...}}, "unassigned": {...}} for one profiled step."""
    try:
        cpu, gpu = _events_from_kineto(prof)
        source = "kineto_results"
        if not gpu:
            raise RuntimeError("no GPU activity in kineto_results")
    except Exception as e:  # private API: fall back to the exported trace
        cpu, gpu = _events_from_chrome(prof, chrome_fallback_path)
        source = f"chrome_trace ({type(e).__name__}: {e})"
    windows = sorted(cpu, key=lambda w: w[1])
    phases = {}
    for name, s, e in windows:
        phases[name[len("phase:"):]] = {"window": (s, e), "acts": []}
    unassigned = []
    for act in gpu:
        for pname, p in phases.items():
            s, e = p["window"]
            if s <= act[1] < e:
                p["acts"].append(act)
                break
        else:
            unassigned.append(act)

    def summarize(acts, window):
        by_cat = {c: {"count": 0, "busy_us": 0.0} for c in CATEGORIES}
        by_kernel = {}
        for name, s, e in acts:
            c = category(name)
            by_cat[c]["count"] += 1
            by_cat[c]["busy_us"] += e - s
            k = by_kernel.setdefault(name, [c, 0, 0.0])
            k[1] += 1
            k[2] += e - s
        compute = [(s, e) for n, s, e in acts if category(n) not in ("nccl", "memcpy", "memset")]
        nccl = [(s, e) for n, s, e in acts if category(n) == "nccl"]
        out = {
            "activities": len(acts),
            "kernels": sum(1 for n, _, _ in acts if category(n) not in ("memcpy", "memset")),
            "union_busy_us": round(_union_us([(s, e) for _, s, e in acts]), 1),
            "compute_union_busy_us": round(_union_us(compute), 1),
            "nccl_union_busy_us": round(_union_us(nccl), 1),
            "by_category": {c: {"count": v["count"], "busy_us": round(v["busy_us"], 1)} for c, v in by_cat.items()
                            if v["count"]},
            "top_kernels": [
                {"name": n[:160], "category": v[0], "count": v[1], "busy_us": round(v[2], 1)}
                for n, v in sorted(by_kernel.items(), key=lambda kv: -kv[1][2])[:top_n]
            ],
        }
        if window is not None:
            out["window_us"] = round(window[1] - window[0], 1)
            out["idle_us"] = round(out["window_us"] - out["union_busy_us"], 1)
        return out

    return {
        "source": source,
        "phases": {n: summarize(p["acts"], p["window"]) for n, p in phases.items()},
        "unassigned": summarize(unassigned, None),
    }
