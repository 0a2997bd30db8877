#!/usr/bin/env python3
"""One plain-PyTorch training case (no DeepSpeed, one GPU): a HuggingFace model built from its config with
random weights, trained with AdamW, timed per phase with CUDA events, plus one profiled step reduced to
kernel busy time per phase and kernel category (profile_reduce.py). Started by run_all.py:

    python3 hf_case.py --case CASE.json --workdir DIR --out RESULT.json

Precision: "fp16" = torch.autocast(float16) with fp32 master weights and a GradScaler (the paper's mixed
precision, as the standard AMP recipe does it without DeepSpeed); "bf16" = torch.autocast(bfloat16) with fp32
master weights, no scaler. Attention: the transformers attn_implementation ("eager" = explicit softmax(QK^T)V
as the 2023 HF GPT-2 / BERT code; "sdpa" = torch.nn.functional.scaled_dot_product_attention, which picks the
flash / cuDNN kernel on Hopper). Recomputation: model.gradient_checkpointing_enable() (whole decoder / encoder
layer recomputed in backward). Optimizer: torch.optim.AdamW(fused=True).
Step phases (CUDA events on the default stream, no host sync inside a step): forward (incl. the loss),
backward, optimizer (scaler.step + update + zero_grad).
"""
import argparse
import json
import os
import statistics
import sys
import time
import traceback

T_START = time.perf_counter()
HERE = os.path.dirname(os.path.abspath(__file__))


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, default=str)
    os.replace(tmp, path)


def build_model(torch, transformers, m, t):
    fam = m["family"]
    attn = t["attention"]
    common = dict(attn_implementation=attn)

    def make(config_cls, **kw):
        try:
            return config_cls(**kw)
        except TypeError:  # a transformers version whose config does not take attn_implementation
            kw.pop("attn_implementation", None)
            return config_cls(**kw)
    if fam == "gpt2":
        cfg = make(transformers.GPT2Config, vocab_size=m["vocab"], n_positions=m["max_positions"], n_embd=m["hidden"],
                                      n_layer=m["layers"], n_head=m["heads"], n_inner=m["intermediate"],
                                      use_cache=False, **common)
        cls = transformers.GPT2LMHeadModel
    elif fam == "bert":
        cfg = make(transformers.BertConfig, vocab_size=m["vocab"], hidden_size=m["hidden"], num_hidden_layers=m["layers"],
                                      num_attention_heads=m["heads"], intermediate_size=m["intermediate"],
                                      max_position_embeddings=m["max_positions"],
                   type_vocab_size=m.get("type_vocab_size", 2), **common)
        cls = transformers.BertForMaskedLM
    elif fam == "llama":
        cfg = make(transformers.LlamaConfig, vocab_size=m["vocab"], hidden_size=m["hidden"], intermediate_size=m["intermediate"],
                                       num_hidden_layers=m["layers"], num_attention_heads=m["heads"],
                                       num_key_value_heads=m.get("kv_heads", m["heads"]),
                                       max_position_embeddings=m["max_positions"],
                                       tie_word_embeddings=m.get("tie_embeddings", False), use_cache=False, **common)
        cls = transformers.LlamaForCausalLM
    else:
        raise ValueError(f"family {fam}")
    try:
        cfg._attn_implementation = attn
    except Exception:
        pass
    torch.manual_seed(1234)
    with torch.device("cuda"):
        model = cls(cfg)
    if getattr(model.config, "_attn_implementation", attn) != attn and hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation(attn)
    return model


def make_batch(torch, m, t):
    g = torch.Generator(device="cuda").manual_seed(4321)
    B, S, V = t["micro_batch"], t["sequence_length"], m["vocab"]
    ids = torch.randint(0, V, (B, S), device="cuda", generator=g)
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
    if m["family"] == "bert":  # masked-LM: 15 % of the positions carry a label, as BERT pre-training
        labels = torch.full_like(ids, -100)
        sel = torch.rand(ids.shape, device="cuda", generator=g) < 0.15
        labels[sel] = ids[sel]
        batch["labels"] = labels
    else:
        batch["labels"] = ids
    return batch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    case = json.load(open(a.case))
    out_path = os.path.abspath(a.out)
    os.makedirs(a.workdir, exist_ok=True)
    os.chdir(a.workdir)
    R = {"case": case["id"], "runner": "hf", "status": "started", "stage": "start", "timings_s": {}, "errors": []}

    def stage(name):
        R["stage"] = name
        R["timings_s"][name] = round(time.perf_counter() - T_START, 2)
        write_json(out_path, R)
        print(f"[hf_case {case['id']}] {time.perf_counter() - T_START:7.1f}s {name}", flush=True)

    try:
        run(case, R, stage)
        R["status"] = "ok" if not R["errors"] else "partial"
    except BaseException as e:
        R["status"] = "error"
        R["error"] = f"{type(e).__name__}: {e}"
        R["traceback"] = traceback.format_exc()[-6000:]
        print(R["traceback"], file=sys.stderr, flush=True)
    R["timings_s"]["total"] = round(time.perf_counter() - T_START, 2)
    write_json(out_path, R)
    sys.stdout.flush()
    os._exit(0 if R["status"] in ("ok", "partial") else 1)


def run(case, R, stage):
    sys.path.insert(0, HERE)
    import torch
    import transformers

    m, t, steps = case["model"], case["training"], case["steps"]
    R["versions"] = {"python": sys.version.split()[0], "torch": torch.__version__, "cuda": torch.version.cuda,
                     "nccl": ".".join(map(str, torch.cuda.nccl.version())), "cudnn": torch.backends.cudnn.version(),
                     "transformers": transformers.__version__, "gpu": torch.cuda.get_device_name(0),
                     "capability": list(torch.cuda.get_device_capability(0))}
    stage("imported")
    model = build_model(torch, transformers, m, t)
    if t["recomputation"]:
        model.gradient_checkpointing_enable()
    model.train()
    n_params = sum(p.numel() for p in model.parameters())
    R["model"] = {"params": int(n_params), "class": type(model).__name__,
                  "attn_implementation": getattr(model.config, "_attn_implementation", None),
                  "gradient_checkpointing": bool(getattr(model, "is_gradient_checkpointing", t["recomputation"]))}
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, fused=True)
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}[t["precision"]]
    scaler = torch.amp.GradScaler("cuda", init_scale=2.0 ** 16) if t["precision"] == "fp16" else None
    batch = make_batch(torch, m, t)
    stage("model_built")
    ev = [torch.cuda.Event(enable_timing=True) for _ in range(4)]
    base = torch.cuda.memory_stats()
    prev = {"retries": base.get("num_alloc_retries", 0)}

    def step(rf=None):
        def phase(name, fn):
            if rf is None:
                return fn()
            with rf("phase:" + name):
                r = fn()
                torch.cuda.synchronize()
                return r

        torch.cuda.synchronize()
        h0 = time.perf_counter()
        ev[0].record()

        def fwd():
            with torch.autocast("cuda", dtype=dtype):
                return model(**batch).loss

        loss = phase("forward", fwd)
        h1 = time.perf_counter()
        ev[1].record()
        phase("backward", lambda: (scaler.scale(loss) if scaler else loss).backward())
        h2 = time.perf_counter()
        ev[2].record()

        def optim():
            if scaler:
                scaler.step(opt)
                scaler.update()
            else:
                opt.step()
            opt.zero_grad(set_to_none=True)

        phase("optimizer", optim)
        h3 = time.perf_counter()
        ev[3].record()
        torch.cuda.synchronize()
        h4 = time.perf_counter()
        st = torch.cuda.memory_stats()
        rec = {"step_time_s": round(h4 - h0, 6), "host_fwd_ms": round((h1 - h0) * 1e3, 3),
               "host_bwd_ms": round((h2 - h1) * 1e3, 3), "host_opt_ms": round((h3 - h2) * 1e3, 3),
               "host_tail_ms": round((h4 - h3) * 1e3, 3),
               "gpu_fwd_ms": round(ev[0].elapsed_time(ev[1]), 3), "gpu_bwd_ms": round(ev[1].elapsed_time(ev[2]), 3),
               "gpu_opt_ms": round(ev[2].elapsed_time(ev[3]), 3), "loss": round(loss.item(), 4),
               "alloc_retries": st.get("num_alloc_retries", 0) - prev["retries"],
               "loss_scale": float(scaler.get_scale()) if scaler else None}
        prev["retries"] = st.get("num_alloc_retries", 0)
        return rec

    torch.cuda.reset_peak_memory_stats()
    recs = [dict(step(), warmup=True) for _ in range(steps["warmup"])]
    stage("warm")
    recs += [step() for _ in range(steps["measured"])]
    meas = [r for r in recs if not r.get("warmup")]
    summ = {"steps": len(meas)}
    for k in ["step_time_s", "host_fwd_ms", "host_bwd_ms", "host_opt_ms", "gpu_fwd_ms", "gpu_bwd_ms", "gpu_opt_ms",
              "alloc_retries"]:
        vals = [r[k] for r in meas]
        summ[k] = round(statistics.median(vals), 6)
        summ[k + "_min"] = round(min(vals), 6)
        summ[k + "_max"] = round(max(vals), 6)
    R["phases"] = {"train": {"steps": recs, "summary": summ,
                             "max_memory_allocated_GiB": round(torch.cuda.max_memory_allocated() / 2 ** 30, 3),
                             "max_memory_reserved_GiB": round(torch.cuda.max_memory_reserved() / 2 ** 30, 3)}}
    stage("measured")
    from profile_reduce import reduce_profile

    try:
        act = [torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]
        with torch.profiler.profile(activities=act, record_shapes=False, with_stack=False) as prof:
            rec = step(rf=torch.profiler.record_function)
        red = reduce_profile(prof, os.path.abspath("trace.json"))
        red["step"] = rec
        R["profile"] = {"train": red}
    except Exception as e:
        R["errors"].append(f"profile: {type(e).__name__}: {e}")
    stage("profiled")


if __name__ == "__main__":
    main()
