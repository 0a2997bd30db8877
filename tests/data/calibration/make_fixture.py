#!/usr/bin/env python3
"""Writes the synthetic calibration fixture tests/data/calibration/h200/*.json (Google Benchmark JSON,
the schema of traces/calibration/README.md) from known laws, so tests can check that the loader and the
fits recover them. Deterministic: re-running it rewrites identical files.

Laws (t in seconds, S in bytes; GB = 1e9):
  send_recv      ranks=2  t = 8 us  + S / 380 GB/s
  all_gather     ranks=2  t = 10 us + S / 720 GB/s   (busbw 360 GB/s = 0.8 x 450)
  reduce_scatter ranks=2  t = 12 us + S / 700 GB/s
  all_reduce     ranks=2  t = 15 us + S / 340 GB/s   (busbw = algbw at 2 ranks)
  copy_d2h_pinned         t = 5 us  + S / 55 GB/s
  copy_h2d_pinned         t = 5 us  + S / 56 GB/s
  copy_d2h_pageable       two regimes: t = 6 us + S / 20 GB/s below 8 MiB, 400 us + S / 9 GB/s from 8 MiB
  copy_h2d_pageable       t = 6 us  + S / 15 GB/s
  d2d_copy                t = 3 us  + S / 4320 GB/s  (S = HBM traffic, as bench/gpu/memory_bench.cu counts it;
                                                      4320 GB/s = 0.9 x 4800)
  gemm_{fp16,bf16}        efficiency(m,n,k) = 0.8 * F / (F + 2e10), F = 2 m n k batch; t = F / (989e12 * eff)
Each point has 3 repetitions at x0.995, x1 and x1.01 of the law times a fixed +-0.2 % wobble, so the
median is the law within 0.2 %. A median aggregate with a wrong value and a 1-GPU entry with
error_occurred are included to check that both are skipped.
"""
import json
import math
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "h200")
CONTEXT = {
    "date": "2025-01-01T00:00:00+00:00", "host_name": "fixture", "executable": "synthetic",
    "num_cpus": 16, "mhz_per_cpu": 2000, "cpu_scaling_enabled": False, "caches": [],
    "load_avg": [0, 0, 0], "library_build_type": "release", "json_schema_version": 1,
    "gpu_name": "NVIDIA H200", "gpu_count": "2", "driver_version": "0.0 (synthetic)",
    "cuda_runtime_version": "0", "cublas_version": "0", "nccl_version": "0",
}
SIZES = [2 ** e for e in range(3, 31, 2)]  # 8 B .. 512 MiB, x4


def wobble(i):
    return 1 + 0.002 * math.sin(1.7 * i + 0.3)  # deterministic, within +-0.2 %


def entries(name, t_law, counters, label=None, unit="us", i=0):
    scale = {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1}[unit]
    out = []
    for r, f in enumerate([0.995, 1.0, 1.01]):
        e = {"name": name, "family_index": 0, "per_family_instance_index": i, "run_name": name,
             "run_type": "iteration", "repetitions": 3, "repetition_index": r, "threads": 1,
             "iterations": 100, "real_time": t_law * wobble(i) * f * scale, "cpu_time": 1.0, "time_unit": unit}
        if label:
            e["label"] = label
        e.update(counters)
        out.append(e)
    agg = dict(out[0], name=name + "_median", run_type="aggregate", aggregate_name="median", real_time=1e9)
    out.append(agg)
    return out


def alpha_beta(family, alpha, beta, ranks=None, unit="us", law=None):
    out = []
    for i, s in enumerate(SIZES):
        t = law(s) if law else alpha + s / beta
        c = {"bytes": float(s), "GBps": s / t / 1e9}
        name = f"{family}/bytes:{s}"
        if ranks:
            c["ranks"] = float(ranks)
            name += f"/ranks:{ranks}"
        out += entries(name + "/manual_time", t, c, unit=unit, i=i)
    return out


def gemm(family, shapes):
    out = []
    for i, (label, m, n, k, b) in enumerate(shapes):
        f = 2 * m * n * k * b
        eff = 0.8 * f / (f + 2e10)
        t = f / (989e12 * eff)
        c = {"m": float(m), "n": float(n), "k": float(k), "batch": float(b), "flops": float(f),
             "tflops": f / t / 1e12}
        out += entries(f"{family}/m:{m}/n:{n}/k:{k}/batch:{b}/manual_time", t, c, label=label, unit="ms", i=i)
    return out


def write(name, benchmarks):
    os.makedirs(HERE, exist_ok=True)
    with open(os.path.join(HERE, name), "w") as f:  # one benchmark per line: small, diffable
        f.write('{"context": ' + json.dumps(CONTEXT, sort_keys=True) + ',\n"benchmarks": [\n')
        f.write(",\n".join(json.dumps(b, sort_keys=True) for b in benchmarks))
        f.write("\n]}\n")


MiB = 1 << 20
SHAPES = [(f"g{m}x{n}x{k}", m, n, k, 1) for m in (512, 2048, 8192) for n in (1024, 8192) for k in (1024, 8192)]
BATCHED = [(f"attn{s}x{d}b{b}", s, s, d, b) for s in (256, 512) for d in (64, 128) for b in (64, 512)]

write("nccl.json",
      alpha_beta("send_recv", 8e-6, 380e9, ranks=2) + alpha_beta("all_gather", 10e-6, 720e9, ranks=2)
      + alpha_beta("reduce_scatter", 12e-6, 700e9, ranks=2) + alpha_beta("all_reduce", 15e-6, 340e9, ranks=2)
      + [{"name": "all_gather/bytes:1024/ranks:1/manual_time", "run_name": "all_gather/bytes:1024/ranks:1/manual_time",
          "run_type": "iteration", "error_occurred": True, "error_message": "needs 2 GPUs",
          "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ns"}])
write("copies.json",
      alpha_beta("copy_d2h_pinned", 5e-6, 55e9, unit="ns") + alpha_beta("copy_h2d_pinned", 5e-6, 56e9, unit="ns")
      + alpha_beta("copy_d2h_pageable", 0, 0, unit="ms",
                   law=lambda s: 6e-6 + s / 20e9 if s < 8 * MiB else 400e-6 + s / 9e9)
      + alpha_beta("copy_h2d_pageable", 6e-6, 15e9, unit="s"))
write("memory.json", alpha_beta("d2d_copy", 3e-6, 4320e9))
write("gemm.json", gemm("gemm_fp16", SHAPES) + gemm("gemm_bf16", SHAPES) + gemm("gemm_batched_fp16", BATCHED)
      + gemm("gemm_batched_bf16", BATCHED))
