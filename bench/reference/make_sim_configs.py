#!/usr/bin/env python3
"""Writes the simulator's experiment configs for the reference cases (configs/validation/), from cases.json
alone (no measurement enters them):

    python3 bench/reference/make_sim_configs.py [--cases bench/reference/cases.json] [--out configs/validation]

One config per case and mode: <id>.none.json / <id>.interleave.json (+ <id>.ckpt.json for a case with a
checkpoint phase) for the GEMINI-fork cases, <id>.json for the plain-PyTorch cases, and one model file per
shape under models/. The cluster is configs/clusters/h200.json, which has 2 GPUs per instance; every case file
under traces/validation/ names the override `cluster.gpus_per_instance=1` (these runs used one GPU).
What the config schema cannot say yet is written under `notes` as the intended key = value
(bench/reference/README.md lists them).
"""
import argparse
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def load_cases(path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_all", os.path.join(HERE, "run_all.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.load_cases(path)


def model_file(case):
    m = case["model"]
    name = f"{m['family']}-l{m['layers']}-h{m['hidden']}"
    out = {
        "name": f"{ {'gpt2': 'GPT-2', 'bert': 'BERT', 'llama': 'Llama'}[m['family']] } {m['layers']} x {m['hidden']} (reference runs)",
        "family": m["family"], "layers": m["layers"], "hidden": m["hidden"], "intermediate": m["intermediate"],
        "heads": m["heads"], "vocab": m["vocab"], "max_positions": m["max_positions"],
    }
    if "kv_heads" in m:
        out["kv_heads"] = m["kv_heads"]
    if "tie_embeddings" in m:
        out["tie_embeddings"] = m["tie_embeddings"]
    out["source"] = ("bench/reference/cases.json (the shape the reference run trained; random weights). "
                     + {"gpt2": "HF GPT2LMHeadModel, lm_head tied", "bert": "HF BertForMaskedLM, decoder tied",
                        "llama": "HF LlamaForCausalLM (Llama 3.2 shape), tie_word_embeddings as given"}[m["family"]])
    if m["family"] == "bert" and m.get("type_vocab_size", 2) != 2:
        out["notes"] = f"intended: type_vocab_size = {m['type_vocab_size']} (token-type table rows; not in the schema)"
    if m["family"] == "gpt2" and m["max_positions"] == 514:
        out["max_positions_source"] = "the artifact's GPT templates: max_position_embeddings 514"
    return name, out


FAILURES = {  # not exercised by a one-GPU validation run; values as configs/p4d16.json, iteration time simulated
    "simultaneous": 1, "rate_per_instance_day": 0.015, "hardware_fraction": 0.0, "detection_s": 15,
    "serialization_GBps": 0.93, "replacement_s": 330, "standby": False, "warmup_s": 253, "iteration_time_s": 0,
    "source": "unused by validation (one GPU, no failures); copied from configs/p4d16.json so that the file loads",
}


def experiment(case, mode, model_rel, params):
    t = case["training"]
    gem = case["runner"] == "gemini"
    notes = []
    if gem:
        z = case["zero"]
        framework = {"none": "gemini-none", "interleave": "gemini-interleave", "ckpt": "gemini-interleave"}[mode]
        notes.append("intended: training.optimizer = adamw (fused multi-tensor)")
        if mode == "ckpt":
            notes.append("intended: checkpoint.peer = loopback (world size 1: each planned chunk is a D2D copy into the "
                         "receive buffer on the checkpoint stream, then a D2H copy to pinned memory on the copy stream; "
                         "no network); checkpoint.plan = the artifact's, from this run's own comm_gap profile")
        training = {
            "micro_batch": t["micro_batch"], "sequence_length": t["sequence_length"], "precision": t["precision"],
            "activation_recomputation": t["recomputation"], "gradient_accumulation_steps": 1,
            "reduce_bucket_elements": z["reduce_bucket_size"], "prefetch_bucket_elements": z["stage3_prefetch_bucket_size"],
            "param_persistence_threshold": z["stage3_param_persistence_threshold"], "framework": framework,
            "source": "bench/reference/cases.json " + case["id"] + " (DeepSpeed 0.7.3 fork ZeRO-3 on one H200)",
            "framework_source": "the fork with --snapshot_mode " + ("none" if mode == "none" else "interleave")
                                + " (models/framework_schedule.hpp, docs/engine.md)",
        }
    else:
        notes.append(f"intended: training.mixed_precision = autocast-{t['precision']} with fp32 master weights"
                     + (" and a GradScaler" if t["precision"] == "fp16" else ""))
        notes.append("intended: training.optimizer = adamw (torch fused)")
        if case["model"]["family"] == "llama":
            notes.append("the model is Llama-style (RMSNorm, SwiGLU, rotary, grouped-query attention)")
        training = {
            "micro_batch": t["micro_batch"], "sequence_length": t["sequence_length"], "precision": t["precision"],
            "activation_recomputation": t["recomputation"], "gradient_accumulation_steps": 1,
            "reduce_bucket_elements": params, "prefetch_bucket_elements": params, "param_persistence_threshold": 0,
            "framework": "ddp",
            "source": "bench/reference/cases.json " + case["id"] + " (plain PyTorch on one H200); the bucket sizes are "
                      "the whole model (no ZeRO: nothing is sharded or gathered)",
            "framework_source": "plain PyTorch on one GPU: no sharding, no collective (models/framework_schedule.hpp)",
        }
    # SDPA on Hopper in bf16 runs a fused flash kernel (the profiles name cuDNN's flash kernels): the schema's
    # training.attention = flash; eager is the explicit softmax(QK^T)V.
    training["attention"] = {"eager": "eager", "sdpa": "flash"}[t["attention"]]
    training["notes"] = "; ".join(notes)
    snap = case.get("snapshot_args", {})
    checkpoint = {
        "scheme": "gemini" if mode == "ckpt" else "none", "replicas": 1, "placement": "group",
        "gpu_buffer_MiB": snap.get("snapshot_buffer_size", 32) * 4, "sub_buffers": 1,
        "mu": snap.get("span_alpha", 0.8), "span_threshold_ms": snap.get("span_threshold", 100),
        "profile_iterations": case["steps"]["measured"], "storage_interval_h": 3,
        "profile_warmup_lines": snap.get("jump_profile_lines", 8),
        "source": ("the artifact's snapshot arguments of this run (--snapshot_buffer_size MiB of fp32 -> x4 MiB, "
                   "--span_alpha, --span_threshold, --jump_profile_lines); replicas 1: one GPU, no peer")
                  if gem else "no checkpointing in this run",
    }
    return {
        "description": f"Reference run {case['id']} ({case['role']}), mode {mode}: {case['what']}. Measured: "
                       f"traces/validation/{case['id']}.json.",
        "cluster": "../clusters/h200.json",
        "instances": 1,
        "model": model_rel,
        "training": training,
        "checkpoint": checkpoint,
        "storage": {"bandwidth_Gbps": 20, "strawman_interval_h": 3, "source": "unused by validation"},
        "failures": FAILURES,
        "run": {"seed": 1, "days": 1, "collectives": "analytic", "iterations": 2},
    }


def param_count(m):
    """Parameters of the HF model (used only as the one-bucket size of a run without ZeRO)."""
    h, L, i, V = m["hidden"], m["layers"], m["intermediate"], m["vocab"]
    if m["family"] == "llama":
        kv = h // m["heads"] * m.get("kv_heads", m["heads"])
        layer = h * (h + 2 * kv) + h * h + 3 * h * i + 2 * h
        return L * layer + V * h * (1 if m.get("tie_embeddings") else 2) + h
    layer = 4 * h * h + 4 * h + 2 * h * i + i + h + 4 * h
    return L * layer + V * h + m["max_positions"] * h + 2 * h


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default=os.path.join(HERE, "cases.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "configs", "validation"))
    a = ap.parse_args()
    spec, cases = load_cases(a.cases)
    os.makedirs(os.path.join(a.out, "models"), exist_ok=True)
    written = []
    for case in cases:
        name, mfile = model_file(case)
        mpath = os.path.join(a.out, "models", name + ".json")
        with open(mpath, "w") as f:
            json.dump(mfile, f, indent=2)
            f.write("\n")
        modes = (["none", "interleave"] + (["ckpt"] if case.get("checkpoint_phase") else [])) \
            if case["runner"] == "gemini" else [None]
        for mode in modes:
            cfg = experiment(case, mode or "train", f"models/{name}.json", param_count(case["model"]))
            path = os.path.join(a.out, f"{case['id']}.{mode}.json" if mode else f"{case['id']}.json")
            with open(path, "w") as f:
                json.dump(cfg, f, indent=2)
                f.write("\n")
            written.append(os.path.relpath(path, ROOT))
    print("\n".join(written))


if __name__ == "__main__":
    main()
