#!/usr/bin/env python3
"""Runs the reference cases (cases.json) on the GPU machine, each in its own process with a timeout, inside
one global time budget, and writes everything into few files under OUT:

    OUT/results.json   machine, software versions, the command, and one entry per case (the driver's result
                       JSON plus return code, wall time, log tail); rewritten after every case
    OUT/logs.txt       every case's console output, concatenated
    OUT/machine.txt    nvidia-smi, nvidia-smi -q (head), host

Usage, from the repository root on the GPU machine (bench/reference/README.md has the device call):

    python3 bench/reference/run_all.py --out $OUT [--gemini .device-carry/gemini] [--pylib .device-carry/pylib]
        [--budget-s 330] [--only id,id] [--skip id,id]

A case that fails or times out is recorded, never fatal; a case that no longer fits in the budget is recorded
as skipped. Exit status 0 when every case that ran succeeded, 3 otherwise.
"""
import argparse
import copy
import json
import os
import platform
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
START = time.monotonic()
MIN_SLOT_S = {"gemini": 50, "hf": 30}  # a case is started only if at least this much budget is left
SAFE_ENV = {
    # NVLink multicast off, always (device KINDS.md): also inherited by every case process.
    "NCCL_NVLS_ENABLE": "0", "TORCH_SYMM_MEM_DISABLE_MULTICAST": "1", "NVSHMEM_DISABLE_NVLS": "1",
    "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1", "TRANSFORMERS_VERBOSITY": "error", "MPLBACKEND": "Agg",
}


def elapsed():
    return time.monotonic() - START


def deep_merge(base, over):
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_cases(path):
    spec = json.load(open(path))
    cases = []
    for c in spec["cases"]:
        merged = deep_merge(spec["defaults"][c["runner"]], c)
        merged["bounds"] = deep_merge(spec["bounds"][c["runner"]], c.get("bounds", {}))
        cases.append(merged)
    return spec, cases


def sh(cmd, timeout=30):
    try:
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=timeout)
        return (p.stdout + p.stderr).strip()
    except Exception as e:
        return f"({cmd}: {e!r})"


VERSIONS_PY = r"""
import json, sys
out = {"python": sys.version.split()[0], "executable": sys.executable}
for name in ["torch", "transformers", "numpy", "triton", "typing_extensions", "packaging", "psutil"]:
    try:
        m = __import__(name); out[name] = getattr(m, "__version__", "?")
    except Exception as e:
        out[name] = f"missing ({type(e).__name__})"
try:
    import torch
    out["cuda"] = torch.version.cuda
    out["nccl"] = ".".join(map(str, torch.cuda.nccl.version()))
    out["cudnn"] = torch.backends.cudnn.version()
    out["gpu"] = torch.cuda.get_device_name(0)
    out["gpu_count"] = torch.cuda.device_count()
    out["capability"] = list(torch.cuda.get_device_capability(0))
    out["gpu_memory_GiB"] = round(torch.cuda.get_device_properties(0).total_memory / 2**30, 2)
except Exception as e:
    out["torch_cuda_error"] = repr(e)
print(json.dumps(out))
"""


def probe(out_dir):
    smi = sh("nvidia-smi")
    q = sh("nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit,"
           "pstate --format=csv")
    qfull = sh("nvidia-smi -q | head -n 80")
    with open(os.path.join(out_dir, "machine.txt"), "w") as f:
        f.write(f"# bench/reference/run_all.py machine description\nhost: {platform.node()} kernel: {platform.release()}"
                f" cpus: {os.cpu_count()}\n\n## nvidia-smi\n{smi}\n\n## query\n{q}\n\n## nvidia-smi -q (head)\n{qfull}\n"
                f"\n## free -g\n{sh('free -g')}\n\n## lscpu (head)\n{sh('lscpu | head -n 20')}\n")
    script = os.path.join(out_dir, ".versions_probe.py")
    with open(script, "w") as f:
        f.write(VERSIONS_PY)
    try:
        p = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=120)
        versions = json.loads(p.stdout.strip().splitlines()[-1])
    except Exception as e:
        versions = {"error": repr(e)}
    finally:
        os.remove(script)
    return {"nvidia_smi_query": q, "kernel": platform.release(), "cpus": os.cpu_count(), "versions": versions,
            "probe_s": round(elapsed(), 1)}


def run_case(case, a, work_root, log):
    cid = case["id"]
    wd = os.path.join(work_root, cid)
    os.makedirs(wd, exist_ok=True)
    case_file = os.path.join(wd, "case.json")
    with open(case_file, "w") as f:
        json.dump(case, f, indent=1)
    result_file = os.path.join(wd, "result.json")
    if os.path.exists(result_file):
        os.remove(result_file)
    env = dict(os.environ, **SAFE_ENV)
    if case["runner"] == "gemini":
        paths = [os.path.join(HERE, "shims"), os.path.abspath(a.pylib)]
        env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        cmd = [sys.executable, os.path.join(HERE, "gemini_case.py"), "--case", case_file, "--gemini",
               os.path.abspath(a.gemini), "--workdir", os.path.join(wd, "run"), "--out", result_file]
    else:
        cmd = [sys.executable, os.path.join(HERE, "hf_case.py"), "--case", case_file, "--workdir",
               os.path.join(wd, "run"), "--out", result_file]
    remaining = a.budget_s - elapsed() - a.reserve_s
    timeout = min(case["timeout_s"], remaining)
    entry = {"id": cid, "runner": case["runner"], "role": case["role"], "case": case, "command": " ".join(cmd),
             "timeout_s": round(timeout, 1), "started_at_s": round(elapsed(), 1)}
    log.write(f"\n===== {cid} (role {case['role']}, timeout {timeout:.0f} s, at {elapsed():.0f} s) =====\n")
    log.flush()
    t0 = time.monotonic()
    with open(os.path.join(wd, "console.txt"), "w") as con:
        p = subprocess.Popen(cmd, stdout=con, stderr=subprocess.STDOUT, env=env, cwd=wd, start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
            entry["timed_out"] = False
        except subprocess.TimeoutExpired:
            entry["timed_out"] = True
            for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 10)):
                try:
                    os.killpg(p.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    p.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
            rc = p.returncode
    entry["rc"] = rc
    entry["wall_s"] = round(time.monotonic() - t0, 1)
    console = open(os.path.join(wd, "console.txt"), errors="replace").read()
    log.write(console[-200000:])
    log.flush()
    entry["log_tail"] = console[-3000:]
    try:
        entry["result"] = json.load(open(result_file))
    except Exception as e:
        entry["result"] = None
        entry["result_error"] = repr(e)
    status = (entry["result"] or {}).get("status", "no result")
    entry["status"] = "timeout" if entry["timed_out"] else ("ok" if rc == 0 and status in ("ok", "partial") else "failed")
    return entry


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.environ.get("OUT"))
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.json"))
    ap.add_argument("--gemini", default=".device-carry/gemini")
    ap.add_argument("--pylib", default=".device-carry/pylib")
    ap.add_argument("--budget-s", type=float, default=330)
    ap.add_argument("--reserve-s", type=float, default=10, help="kept free at the end for writing the results")
    ap.add_argument("--work", default="/tmp/gsim_reference")
    ap.add_argument("--only", default="")
    ap.add_argument("--skip", default="")
    a = ap.parse_args()
    if not a.out:
        print("run_all.py: --out (or $OUT) is required", file=sys.stderr)
        sys.exit(2)
    os.makedirs(a.out, exist_ok=True)
    os.environ.update(SAFE_ENV)
    spec, cases = load_cases(a.cases)
    only = [s for s in a.only.split(",") if s]
    skip = set(s for s in a.skip.split(",") if s)
    known = {c["id"] for c in cases}
    for cid in only + sorted(skip):
        if cid not in known:
            print(f"run_all.py: unknown case id {cid!r}", file=sys.stderr)
            sys.exit(2)
    if only:  # run in the order given
        cases = [next(c for c in cases if c["id"] == cid) for cid in only]
    cases = [c for c in cases if c["id"] not in skip]
    results = {"schema": "bench/reference run_all results v1", "command": " ".join([sys.executable] + sys.argv),
               "cwd": os.getcwd(), "budget_s": a.budget_s, "env": {k: os.environ.get(k) for k in SAFE_ENV},
               "cases_file_decided": spec.get("decided"), "cases": []}
    results_path = os.path.join(a.out, "results.json")
    results["machine"] = probe(a.out)
    print(f"[run_all] probe done at {elapsed():.1f}s: {results['machine']['versions']}", flush=True)
    failed = 0
    broken = {}  # runner -> id of a case that failed before building its model (import / set-up error)
    with open(os.path.join(a.out, "logs.txt"), "w") as log:
        for case in cases:
            if case["runner"] in broken:
                results["cases"].append({"id": case["id"], "runner": case["runner"], "role": case["role"],
                                         "status": "skipped",
                                         "reason": f"{broken[case['runner']]} failed before building its model"})
                continue
            left = a.budget_s - elapsed() - a.reserve_s
            if left < MIN_SLOT_S[case["runner"]]:
                results["cases"].append({"id": case["id"], "runner": case["runner"], "role": case["role"],
                                         "status": "skipped", "reason": f"budget: {left:.0f} s left"})
                print(f"[run_all] skip {case['id']}: {left:.0f} s left", flush=True)
                continue
            print(f"[run_all] {elapsed():6.1f}s start {case['id']}", flush=True)
            entry = run_case(case, a, a.work, log)
            failed += entry["status"] != "ok"
            print(f"[run_all] {elapsed():6.1f}s {case['id']}: {entry['status']} rc={entry['rc']} "
                  f"wall={entry['wall_s']}s stage={(entry['result'] or {}).get('stage')}", flush=True)
            results["cases"].append(entry)
            early = ("start", "import_torch", "import_deepspeed", "imported")
            if entry["status"] != "ok" and (entry["result"] or {}).get("stage", "start") in early:
                broken[case["runner"]] = case["id"]
            results["elapsed_s"] = round(elapsed(), 1)
            with open(results_path + ".tmp", "w") as f:
                json.dump(results, f, indent=1, default=str)
            os.replace(results_path + ".tmp", results_path)
    results["elapsed_s"] = round(elapsed(), 1)
    with open(results_path, "w") as f:
        json.dump(results, f, indent=1, default=str)
    print(f"[run_all] done at {elapsed():.1f}s, {failed} case(s) not ok", flush=True)
    sys.exit(3 if failed else 0)


if __name__ == "__main__":
    main()
