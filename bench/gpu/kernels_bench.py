#!/usr/bin/env python3
"""Kernel-variant calibration: the attention, activation and norm kernels a training step runs, each in the
variants users choose between, at every shipped model's own shapes, timed with CUDA events through PyTorch (the
real kernels: cuBLAS for the eager matmuls, PyTorch's elementwise / softmax / dropout kernels, FlashAttention 2
through SDPA's flash backend).

    python3 bench/gpu/kernels_bench.py --runs RUNS.json --out kernels.json [--budget-s 200]

RUNS.json is what `gsim_model_runs` prints (bench/gpu/model_runs_main.cpp): every model of configs/models/ at the
micro-batch x sequence x precision of the experiments in configs/ that use it, or its family's default. The
output is Google Benchmark JSON (traces/calibration/README.md, "Kernel variants"): one entry per repetition
(run_type "iteration"), then mean / median / stddev aggregates; real_time in us is the GPU time of one call; the
shape, the minimum HBM bytes, the model FLOPs and the number of CUDA kernels one call launches are counters.

Families (one call of each is one transformer layer's worth, for one micro-batch, forward or backward):
  attn_eager_{fwd,bwd}   the family's HF eager attention from Q, K, V (b, heads, s, d) to the context, as separate
                         kernels over the b x heads x s x s scores (see eager_attention below)
  attn_flash_{fwd,bwd}   torch.nn.functional.scaled_dot_product_attention restricted to the flash backend,
                         causal:0 and causal:1, with the family's attention dropout
  act_gelu_new_eager_*   HF NewGELUActivation (GPT-2's gelu_new): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                         written as 8 elementwise kernels
  act_gelu_tanh_fused_*  torch.nn.functional.gelu(x, approximate="tanh") (HF "gelu_pytorch_tanh"): one kernel
  act_gelu_erf_fused_*   torch.nn.functional.gelu(x) (HF "gelu", BERT / RoBERTa): one kernel
  act_swiglu_eager_*     HF LlamaMLP's act_fn(gate) * up: silu and mul, 2 kernels
  act_swiglu_compiled_*  the same under torch.compile (Inductor fuses it into one Triton kernel)
  norm_layernorm_{fused,unfused}_*  torch.nn.functional.layer_norm vs the eager formula of
                         pytorch-pretrained-BERT's BertLayerNorm (mean, sub, pow, mean, add, sqrt, div, mul, add)
  norm_rmsnorm_{unfused,fused,compiled}_*  HF LlamaRMSNorm (fp32 upcast, pow, mean, rsqrt, mul, cast, mul) vs
                         torch.nn.functional.rms_norm vs the HF code under torch.compile
  rope_eager_*           HF apply_rotary_pos_emb on Q and K (Llama): rotate_half's slice, neg, cat, mul, add
Each runs in the model run's precision. Warm-up calls, a correctness check against a float64 reference (a wrong
result is a skipped entry that says so), then `--repetitions` repetitions of enough calls to last `--min-time`
seconds each; inputs rotate over copies that total at least 4 x the L2 so that no call reads the previous
call's data from cache. A run out of GPU memory or past the time budget is a skipped entry with the reason.
"""
import argparse
import datetime
import json
import math
import os
import socket
import sys
import time

L2_BYTES = 60 * 2**20  # H200: 60 MB L2 (device KINDS.md: PyTorch reported 60 MB)
HF_DROPOUT = {"gpt2": 0.1, "bert": 0.1, "roberta": 0.1, "llama": 0.0}  # attn_pdrop / attention_probs_dropout_prob /
# attention_dropout defaults of HF GPT2Config, BertConfig, RobertaConfig, LlamaConfig
NORM_EPS = {"gpt2": 1e-5, "bert": 1e-12, "roberta": 1e-5, "llama": 1e-5}  # layer_norm_epsilon / layer_norm_eps /
# rms_norm_eps of the same configs (RoBERTa's checkpoints use 1e-5)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", required=True, help="JSON from gsim_model_runs")
    p.add_argument("--out", required=True, help="Google Benchmark JSON to write")
    p.add_argument("--budget-s", type=float, default=200, help="stop starting new entries after this (s)")
    p.add_argument("--repetitions", type=int, default=5)
    p.add_argument("--min-time", type=float, default=0.02, help="GPU seconds per repetition (at least one call)")
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile variants")
    p.add_argument("--only", default="", help="comma-separated family prefixes to run (debugging)")
    p.add_argument("--list", action="store_true", help="print the entries and exit (no GPU needed)")
    p.add_argument("--device", default="cuda", help="cpu: a smoke test of this script on a machine without a GPU "
                   "(host-clock timing, tiny shapes with --shrink; its numbers mean nothing)")
    p.add_argument("--shrink", type=int, default=1, help="divide sequence, tokens and widths by this (smoke tests)")
    return p.parse_args()


# ---------------------------------------------------------------------------------------------------------------
# The cases: one per distinct (kernel family, shape), labelled with every model run that has it.


def dedupe(cases):
    out = {}
    for c in cases:
        key = c["name"]
        if key in out:
            out[key]["users"].append(c["users"][0])
        else:
            out[key] = c
    return list(out.values())


def build_cases(runs, compile_ok):
    cases = []
    shapes_per_model = {}
    for r in runs:
        shapes_per_model.setdefault(r["model"], set()).add((r["micro_batch"], r["sequence"]))
    for r in runs:
        fam, b, s, dt = r["family"], r["micro_batch"], r["sequence"], r["precision"]
        if dt not in ("fp16", "bf16"):
            continue  # fp32 training has no flash path; not a shipped configuration
        h, a, kv, i = r["hidden"], r["heads"], r["kv_heads"], r["intermediate"]
        d = h // a
        t = b * s
        user = r["model"] + (f"@{b}x{s}" if len(shapes_per_model[r["model"]]) > 1 else "")
        p = HF_DROPOUT[fam]
        causal_own = 1 if fam in ("gpt2", "llama") else 0
        att = dict(b=b, s=s, heads=a, kv_heads=kv, head_dim=d, dtype=dt, style=fam, dropout=p)

        def add(kind, shape_name, **fields):
            for direction in ("fwd", "bwd"):
                cases.append(dict(kind=kind, direction=direction, name=f"{kind}_{direction}/{shape_name}",
                                  users=[user], **fields))

        att_shape = f"b:{b}/s:{s}/heads:{a}/kv_heads:{kv}/d:{d}"
        add("attn_eager", f"{att_shape}/causal:{causal_own}/dropout:{p}/style:{fam}/{dt}", causal=causal_own, **att)
        for causal in (0, 1):
            add("attn_flash", f"{att_shape}/causal:{causal}/dropout:{p}/{dt}", causal=causal,
                **{**att, "style": "sdpa"})
        ew = dict(tokens=t, dtype=dt)
        if fam == "gpt2":
            for k in ("act_gelu_new_eager", "act_gelu_tanh_fused", "act_gelu_erf_fused"):
                add(k, f"tokens:{t}/width:{i}/{dt}", width=i, **ew)
        elif fam in ("bert", "roberta"):
            add("act_gelu_erf_fused", f"tokens:{t}/width:{i}/{dt}", width=i, **ew)
        else:
            add("act_swiglu_eager", f"tokens:{t}/width:{i}/{dt}", width=i, **ew)
            if compile_ok:
                add("act_swiglu_compiled", f"tokens:{t}/width:{i}/{dt}", width=i, **ew)
        eps = NORM_EPS[fam]
        if fam == "llama":
            add("norm_rmsnorm_unfused", f"tokens:{t}/width:{h}/{dt}", width=h, eps=eps, **ew)
            add("norm_rmsnorm_fused", f"tokens:{t}/width:{h}/{dt}", width=h, eps=eps, **ew)
            if compile_ok:
                add("norm_rmsnorm_compiled", f"tokens:{t}/width:{h}/{dt}", width=h, eps=eps, **ew)
            add("rope_eager", f"{att_shape}/{dt}", **att)
        else:
            add("norm_layernorm_fused", f"tokens:{t}/width:{h}/{dt}", width=h, eps=eps, **ew)
            add("norm_layernorm_unfused", f"tokens:{t}/width:{h}/{dt}", width=h, eps=eps, **ew)
    cases = dedupe(cases)
    # Attention first (the headline numbers), compiled variants last (Inductor's compile time is the most likely
    # to run into the budget), each group in the order of the runs.
    order = {"attn_eager": 0, "attn_flash": 0, "act": 1, "norm": 1, "rope": 1}
    def rank(c):
        if c["kind"].endswith("_compiled"):
            return 3
        return order.get(c["kind"], order.get(c["kind"].split("_")[0], 2))
    return sorted(cases, key=rank)


# ---------------------------------------------------------------------------------------------------------------
# The kernels, as the HF modeling code and PyTorch write them.


def kernels(torch):
    F = torch.nn.functional

    def repeat_kv(x, n_rep):  # HF modeling_llama.repeat_kv
        bsz, kvh, slen, hd = x.shape
        if n_rep == 1:
            return x
        return x[:, :, None, :, :].expand(bsz, kvh, n_rep, slen, hd).reshape(bsz, kvh * n_rep, slen, hd)

    def eager_attention(c, q, k, v, mask, dropout):
        """The family's HF eager attention (transformers' modeling_gpt2 / modeling_bert / modeling_llama)."""
        d = q.shape[-1]
        if c["style"] == "gpt2":
            w = torch.matmul(q, k.transpose(-1, -2))
            w = w / torch.full([], d**0.5, dtype=w.dtype, device=w.device)  # scale_attn_weights
            w = torch.where(mask, w, torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype, device=w.device))
            w = F.softmax(w, dim=-1)
            w = w.type(v.dtype)
            w = F.dropout(w, p=dropout, training=True)  # attn_dropout
            return torch.matmul(w, v)
        if c["style"] in ("bert", "roberta"):
            w = torch.matmul(q, k.transpose(-1, -2))
            w = w / math.sqrt(d)
            w = w + mask  # the extended (b, 1, 1, s) padding mask every training batch carries
            w = F.softmax(w, dim=-1)
            w = F.dropout(w, p=dropout, training=True)
            return torch.matmul(w, v)
        # llama: K and V repeated to every query head, scores scaled, additive causal mask, fp32 softmax.
        n_rep = q.shape[1] // k.shape[1]
        k, v = repeat_kv(k, n_rep), repeat_kv(v, n_rep)
        w = torch.matmul(q, k.transpose(2, 3)) * (d**-0.5)
        w = w + mask
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        w = F.dropout(w, p=dropout, training=True)  # attention_dropout 0.0: PyTorch returns the input
        return torch.matmul(w, v)

    def eager_mask(c, dtype, device):
        b, s = c["b"], c["s"]
        if c["style"] == "gpt2":  # GPT2Attention's registered bias buffer: a (1, 1, n_positions, n_positions) bool
            return torch.tril(torch.ones(s, s, dtype=torch.bool, device=device)).view(1, 1, s, s)
        if c["style"] in ("bert", "roberta"):  # (1 - attention_mask) * finfo.min with every token valid
            return torch.zeros(b, 1, 1, s, dtype=dtype, device=device)
        m = torch.full((s, s), torch.finfo(dtype).min, dtype=dtype, device=device).triu(1)  # HF causal mask
        return m.view(1, 1, s, s).expand(b, 1, s, s)

    def flash_attention(c, q, k, v, dropout, gqa):
        from torch.nn.attention import SDPBackend, sdpa_kernel
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            if gqa == "native" or q.shape[1] == k.shape[1]:
                return F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, is_causal=bool(c["causal"]),
                                                      enable_gqa=q.shape[1] != k.shape[1])
            n_rep = q.shape[1] // k.shape[1]
            return F.scaled_dot_product_attention(q, repeat_kv(k, n_rep), repeat_kv(v, n_rep), dropout_p=dropout,
                                                  is_causal=bool(c["causal"]))

    def gelu_new(x):  # HF activations.NewGELUActivation
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

    def swiglu(gate, up):  # HF LlamaMLP: act_fn(gate_proj(x)) * up_proj(x), act_fn = SiLU
        return F.silu(gate) * up

    def layernorm_unfused(x, w, bias, eps):  # pytorch-pretrained-BERT BertLayerNorm (no apex)
        u = x.mean(-1, keepdim=True)
        s = (x - u).pow(2).mean(-1, keepdim=True)
        x = (x - u) / torch.sqrt(s + eps)
        return w * x + bias

    def rmsnorm_unfused(x, w, eps):  # HF LlamaRMSNorm.forward
        input_dtype = x.dtype
        x = x.to(torch.float32)
        variance = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + eps)
        return w * x.to(input_dtype)

    def rotate_half(x):  # HF modeling_llama
        x1 = x[..., : x.shape[-1] // 2]
        x2 = x[..., x.shape[-1] // 2 :]
        return torch.cat((-x2, x1), dim=-1)

    def rope(q, k, cos, sin):  # HF apply_rotary_pos_emb, unsqueeze_dim=1
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)

    return dict(eager_attention=eager_attention, eager_mask=eager_mask, flash_attention=flash_attention,
                gelu_new=gelu_new, swiglu=swiglu, layernorm_unfused=layernorm_unfused,
                rmsnorm_unfused=rmsnorm_unfused, rope=rope, repeat_kv=repeat_kv)


class WrongResult(Exception):
    pass


class Device:
    """CUDA events and memory statistics on a GPU; the host clock on the CPU (smoke tests only)."""

    def __init__(self, torch, name):
        self.torch, self.cuda = torch, name == "cuda"
        self.dev = torch.device(name)

    def sync(self):
        if self.cuda:
            self.torch.cuda.synchronize()

    def event(self):
        if self.cuda:
            return self.torch.cuda.Event(enable_timing=True)
        return HostEvent()

    def memory_allocated(self):
        return self.torch.cuda.memory_allocated() if self.cuda else 0

    def reset_peak(self):
        if self.cuda:
            self.torch.cuda.reset_peak_memory_stats()

    def max_memory_allocated(self):
        return self.torch.cuda.max_memory_allocated() if self.cuda else 0

    def empty_cache(self):
        if self.cuda:
            self.torch.cuda.empty_cache()


class HostEvent:
    def record(self):
        self.t = time.perf_counter()

    def elapsed_time(self, other):
        return (other.t - self.t) * 1e3


def rel_err(torch, got, ref):
    got = got.double()
    ref = ref.double()
    if not torch.isfinite(got).all():
        return float("inf")
    return float((got - ref).norm() / ref.norm().clamp_min(1e-300))


def tolerance(dtype):
    return 2e-2 if dtype == "bf16" else 1e-2  # fp16 / bf16 operands (device METHOD.md: 1e-3 .. 1e-2); a wrong
    # layout or mask is off by O(1)


# ---------------------------------------------------------------------------------------------------------------
# One case: inputs, the function a call runs, its check, its counters.


class Case:
    """Builds a case's inputs (several sets, for L2 rotation) and its forward / backward call."""

    def __init__(self, torch, K, c, compiled, device):
        self.torch, self.K, self.c = torch, K, c
        self.dtype = torch.float16 if c["dtype"] == "fp16" else torch.bfloat16
        self.dev = device.dev
        self.compiled = compiled  # cache of torch.compile'd functions, shared between cases
        self.gqa = "native"
        self.sets = []
        self.fn = self.make_fn()

    # -- inputs
    def randn(self, *shape, grad=True, dtype=None):
        x = self.torch.randn(*shape, device=self.dev, dtype=dtype or self.dtype)
        return x.requires_grad_(grad)

    def one_set(self):
        c, t = self.c, self.torch
        k = c["kind"]
        if k.startswith("attn") or k.startswith("rope"):
            b, s, a, kv, d = c["b"], c["s"], c["heads"], c["kv_heads"], c["head_dim"]
            # HF layout: projections give (b, s, heads, d), viewed as (b, heads, s, d) by a transpose
            q, kk, v = self.randn(b, s, a, d), self.randn(b, s, kv, d), self.randn(b, s, kv, d)
            inputs = dict(q=q, k=kk, v=v)
            if k.startswith("rope"):
                pos = t.arange(s, device=self.dev, dtype=t.float32)
                inv = 1.0 / (500000.0 ** (t.arange(0, d, 2, device=self.dev, dtype=t.float32) / d))
                freqs = t.outer(pos, inv)
                emb = t.cat((freqs, freqs), dim=-1)
                inputs["cos"] = emb.cos().to(self.dtype)[None].expand(b, s, d)
                inputs["sin"] = emb.sin().to(self.dtype)[None].expand(b, s, d)
            return inputs
        n, w = c["tokens"], c["width"]
        if k.startswith("act_swiglu"):
            return dict(gate=self.randn(n, w), up=self.randn(n, w))
        if k.startswith("act"):
            return dict(x=self.randn(n, w))
        weight = (1 + 0.1 * t.randn(w, device=self.dev)).to(self.dtype).requires_grad_(True)
        bias = (0.1 * t.randn(w, device=self.dev)).to(self.dtype).requires_grad_(True)
        return dict(x=self.randn(n, w), w=weight, b=bias)

    def input_bytes(self, inputs):
        return sum(x.numel() * x.element_size() for x in inputs.values() if x.is_contiguous())

    def make_sets(self):
        first = self.one_set()
        n = max(1, min(8, math.ceil(4 * L2_BYTES / max(1, self.input_bytes(first)))))
        self.sets = [first] + [self.one_set() for _ in range(n - 1)]

    # -- the call
    def compiled_fn(self, key, fn):
        if key not in self.compiled:
            self.compiled[key] = self.torch.compile(fn, dynamic=False, fullgraph=True)
        return self.compiled[key]

    def make_fn(self):
        c, K, t = self.c, self.K, self.torch
        k = c["kind"]
        if k == "attn_eager":
            mask = K["eager_mask"](c, self.dtype, self.dev)
            return lambda i: K["eager_attention"](c, i["q"].transpose(1, 2), i["k"].transpose(1, 2),
                                                  i["v"].transpose(1, 2), mask, c["dropout"])
        if k == "attn_flash":
            return lambda i: K["flash_attention"](c, i["q"].transpose(1, 2), i["k"].transpose(1, 2),
                                                  i["v"].transpose(1, 2), c["dropout"], self.gqa)
        if k == "act_gelu_new_eager":
            return lambda i: K["gelu_new"](i["x"])
        if k == "act_gelu_tanh_fused":
            return lambda i: t.nn.functional.gelu(i["x"], approximate="tanh")
        if k == "act_gelu_erf_fused":
            return lambda i: t.nn.functional.gelu(i["x"])
        if k == "act_swiglu_eager":
            return lambda i: K["swiglu"](i["gate"], i["up"])
        if k == "act_swiglu_compiled":
            f = self.compiled_fn("swiglu", K["swiglu"])
            return lambda i: f(i["gate"], i["up"])
        eps = c.get("eps", 1e-5)
        if k == "norm_layernorm_fused":
            return lambda i: t.nn.functional.layer_norm(i["x"], (c["width"],), i["w"], i["b"], eps)
        if k == "norm_layernorm_unfused":
            return lambda i: K["layernorm_unfused"](i["x"], i["w"], i["b"], eps)
        if k == "norm_rmsnorm_unfused":
            return lambda i: K["rmsnorm_unfused"](i["x"], i["w"], eps)
        if k == "norm_rmsnorm_fused":
            return lambda i: t.nn.functional.rms_norm(i["x"], (c["width"],), i["w"], eps)
        if k == "norm_rmsnorm_compiled":
            f = self.compiled_fn("rmsnorm", K["rmsnorm_unfused"])
            return lambda i: f(i["x"], i["w"], eps)
        if k == "rope_eager":
            return lambda i: K["rope"](i["q"].transpose(1, 2), i["k"].transpose(1, 2), i["cos"], i["sin"])
        raise ValueError(k)

    @staticmethod
    def outputs(out):
        return list(out) if isinstance(out, tuple) else [out]

    def grads_for(self, out):
        # Fixed random output gradients (not ones: a constant gradient can take shortcuts), made once per shape.
        if not hasattr(self, "_grads"):
            self._grads = [self.torch.randn_like(o) for o in self.outputs(out)]
        return self._grads

    def clear_grads(self, i):
        for x in i.values():
            x.grad = None

    # -- reference (float64) and check, on the first input set, dropout off
    def check(self):
        t, c, K = self.torch, self.c, self.K
        i = self.sets[0]
        k = c["kind"]
        with t.no_grad():
            if k.startswith("attn"):
                q, kk, v = (i[n].transpose(1, 2) for n in ("q", "k", "v"))
                cc = dict(c, dropout=0.0)
                if k == "attn_eager":
                    got = K["eager_attention"](cc, q, kk, v, K["eager_mask"](c, self.dtype, self.dev), 0.0)
                else:
                    try:
                        got = K["flash_attention"](cc, q, kk, v, 0.0, self.gqa)
                    except RuntimeError:
                        self.gqa = "repeat_kv"  # SDPA's flash backend refused enable_gqa: repeat K, V first
                        got = K["flash_attention"](cc, q, kk, v, 0.0, self.gqa)
                # float64 reference on the first sequence and its first two query heads
                heads = [0, 1] if q.shape[1] > 1 else [0]
                n_rep = q.shape[1] // kk.shape[1]
                qd = q[0, heads].double()
                kd = kk[0, [h // n_rep for h in heads]].double()
                vd = v[0, [h // n_rep for h in heads]].double()
                sc = qd @ kd.transpose(-1, -2) / math.sqrt(q.shape[-1])
                if c["causal"]:
                    s = sc.shape[-1]
                    sc = sc.masked_fill(t.ones(s, s, dtype=t.bool, device=self.dev).triu(1), float("-inf"))
                ref = t.softmax(sc, dim=-1) @ vd
                err = rel_err(t, got[0, heads], ref)
                del sc, ref, got
            else:
                got = self.outputs(self.fn(i))
                xd = {n: x.double() for n, x in i.items()}
                if k in ("act_gelu_new_eager", "act_gelu_tanh_fused"):
                    x = xd["x"]
                    ref = [0.5 * x * (1 + t.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))]
                elif k == "act_gelu_erf_fused":
                    x = xd["x"]
                    ref = [0.5 * x * (1 + t.erf(x / math.sqrt(2)))]
                elif k.startswith("act_swiglu"):
                    g = xd["gate"]
                    ref = [g * t.sigmoid(g) * xd["up"]]
                elif k.startswith("norm_layernorm"):
                    x = xd["x"]
                    ref = [(x - x.mean(-1, keepdim=True)) / t.sqrt(x.var(-1, unbiased=False, keepdim=True) + c["eps"])
                           * xd["w"] + xd["b"]]
                elif k.startswith("norm_rmsnorm"):
                    x = xd["x"]
                    ref = [x * t.rsqrt(x.pow(2).mean(-1, keepdim=True) + c["eps"]) * xd["w"]]
                elif k == "rope_eager":
                    cos, sin = xd["cos"].unsqueeze(1), xd["sin"].unsqueeze(1)
                    def rot(y):
                        h = y.shape[-1] // 2
                        return t.cat((-y[..., h:], y[..., :h]), dim=-1)
                    q, kk = xd["q"].transpose(1, 2), xd["k"].transpose(1, 2)
                    ref = [q * cos + rot(q) * sin, kk * cos + rot(kk) * sin]
                err = max(rel_err(t, g, r) for g, r in zip(got, ref))
                del got, ref, xd
        if not err <= tolerance(c["dtype"]):
            raise WrongResult(f"wrong result: relative L2 error {err:.3g} against float64 (limit "
                              f"{tolerance(c['dtype']):g})")
        return err

    # -- counters
    def counters(self):
        c = self.c
        e = 2  # fp16 / bf16
        fields = {}
        k, direction = c["kind"], c["direction"]
        if k.startswith("attn") or k.startswith("rope"):
            b, s, a, kv, d = c["b"], c["s"], c["heads"], c["kv_heads"], c["head_dim"]
            fields.update(b=b, s=s, heads=a, kv_heads=kv, head_dim=d)
            if k.startswith("attn"):
                fields.update(causal=c["causal"], dropout=c["dropout"])
                fwd = 4.0 * b * a * s * s * d  # Q K^T and A V over the whole s x s (models/transformer.hpp)
                fields["model_flops"] = fwd if direction == "fwd" else 2 * fwd
                qkvo = e * b * s * d * (2 * a + 2 * kv)  # read Q, K, V, write O
                fields["min_bytes"] = qkvo if direction == "fwd" else 2 * qkvo + e * b * s * a * d
            else:
                fields["min_bytes"] = 2.0 * e * b * s * (a + kv) * d  # read and write Q and K
        else:
            n, w = c["tokens"], c["width"]
            fields.update(tokens=n, width=w)
            arrays = {"fwd": 2, "bwd": 3}[direction]  # x -> y; (dy, x) -> dx
            if k.startswith("act_swiglu"):
                arrays = {"fwd": 3, "bwd": 5}[direction]  # (gate, up) -> y; (dy, gate, up) -> (dgate, dup)
            fields["min_bytes"] = float(arrays) * n * w * e
        return fields


# ---------------------------------------------------------------------------------------------------------------
# Timing


def count_kernels(torch, device, untimed, timed, i):
    """CUDA kernels (and memsets / copies) the timed part of one call launches, through the profiler; None if the
    profiler is unavailable."""
    try:
        from torch.profiler import ProfilerActivity, profile
        if not device.cuda:
            return None
        pre = untimed(i)
        device.sync()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            timed(i, pre)
            device.sync()
        del pre
        return sum(1 for ev in prof.events() if ev.device_type == torch.autograd.DeviceType.CUDA)
    except Exception:  # noqa: BLE001 (a profiler that does not start must not stop the benchmark)
        return None


def measure(torch, device, case, reps, min_time):
    """Returns ([per-repetition mean GPU seconds per call], iterations per repetition, kernels, peak bytes)."""
    c = case.c
    fn, sets = case.fn, case.sets
    device.sync()
    if c["direction"] == "fwd":
        def untimed(i):
            return None

        def timed(i, _):
            out = fn(i)
            del out
    else:
        def untimed(i):
            case.clear_grads(i)
            out = fn(i)
            return out

        def timed(i, out):
            outs = case.outputs(out)
            torch.autograd.backward(outs, case.grads_for(out))

    def once(n):
        i = sets[n % len(sets)]
        timed(i, untimed(i))

    # warm-up (also the kernel count and the peak memory), then an estimate of one call
    once(0)
    device.sync()
    base = device.memory_allocated()
    device.reset_peak()
    once(1)
    device.sync()
    peak = device.max_memory_allocated() - base
    kernels = count_kernels(torch, device, untimed, timed, sets[2 % len(sets)])
    start, stop = device.event(), device.event()
    i = sets[0]
    pre = untimed(i)
    start.record()
    timed(i, pre)
    stop.record()
    device.sync()
    one = max(start.elapsed_time(stop) * 1e-3, 1e-6)
    iters = int(max(1, min(10000, math.ceil(min_time / one))))

    times = []
    for rep in range(reps):
        events = []
        for n in range(iters):
            i = sets[n % len(sets)]
            pre = untimed(i)
            a, b = device.event(), device.event()
            a.record()
            timed(i, pre)
            b.record()
            events.append((a, b))
            del pre
        device.sync()
        times.append(sum(a.elapsed_time(b) for a, b in events) * 1e-3 / iters)
    return times, iters, kernels, peak


# ---------------------------------------------------------------------------------------------------------------
# Google Benchmark JSON


def context(torch, device):
    import platform
    if not device.cuda:
        return {"gpu_name": "none (cpu smoke test)", "gpu_count": "0", "torch_version": torch.__version__}
    ctx = {
        "date": datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec="seconds"),
        "host_name": socket.gethostname(),
        "executable": "bench/gpu/kernels_bench.py",
        "num_cpus": os.cpu_count(),
        "library_build_type": "release",
        "gpu_count": str(torch.cuda.device_count()),
        "gpu_name": torch.cuda.get_device_name(0),
        "cuda_runtime_version": torch.version.cuda,
        "torch_version": torch.__version__,
        "cudnn_version": str(torch.backends.cudnn.version()),
        "python_version": platform.python_version(),
    }
    try:
        import pynvml
        pynvml.nvmlInit()
        drv = pynvml.nvmlSystemGetDriverVersion()
        drv = drv.decode() if isinstance(drv, bytes) else drv
        cuda = pynvml.nvmlSystemGetCudaDriverVersion()
        ctx["driver_version"] = f"{drv} (CUDA {cuda // 1000}.{cuda % 1000 // 10})"
    except Exception:  # noqa: BLE001
        pass
    try:
        import importlib.metadata as md
        ctx["torch_cublas_version"] = md.version("nvidia-cublas")
    except Exception:  # noqa: BLE001
        pass
    try:
        import triton
        ctx["triton_version"] = triton.__version__
    except Exception:  # noqa: BLE001
        pass
    return ctx


def entries(index, case_dict, label, fields, times, iters, error=None):
    base = {"family_index": index, "per_family_instance_index": 0, "run_name": case_dict["name"],
            "threads": 1, "time_unit": "us", "label": label}
    out = []
    if error is not None:
        out.append(dict(base, name=case_dict["name"] + "/manual_time", run_type="iteration", repetitions=1,
                        repetition_index=0, iterations=0, real_time=0, cpu_time=0, error_occurred=True,
                        error_message=error))
        return out
    for r, t in enumerate(times):
        out.append(dict(base, name=case_dict["name"] + "/manual_time", run_type="iteration", repetitions=len(times),
                        repetition_index=r, iterations=iters, real_time=t * 1e6, cpu_time=t * 1e6, **fields))
    srt = sorted(times)
    n = len(srt)
    med = srt[n // 2] if n % 2 else (srt[n // 2 - 1] + srt[n // 2]) / 2
    mean = sum(times) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in times) / (n - 1)) if n > 1 else 0.0
    for agg, v in (("mean", mean), ("median", med), ("stddev", sd)):
        out.append(dict(base, name=case_dict["name"] + "/manual_time_" + agg, run_type="aggregate",
                        repetitions=n, threads=1, aggregate_name=agg, aggregate_unit="time", iterations=n,
                        real_time=v * 1e6, cpu_time=v * 1e6, **fields))
    return out


def write(path, ctx, benchmarks):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"context": ctx, "benchmarks": benchmarks}, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def main():
    args = parse_args()
    t0 = time.time()
    with open(args.runs) as f:
        runs = json.load(f)
    if args.shrink > 1:  # smoke tests: the same cases at a fraction of the size
        for r in runs:
            r["sequence"] = max(16, r["sequence"] // args.shrink)
            r["intermediate"] = max(64, r["intermediate"] // args.shrink)
            r["heads"] = max(2, r["heads"] // args.shrink)
            r["kv_heads"] = max(1, r["heads"] // 2) if r["family"] == "llama" else r["heads"]
            r["hidden"] = r["heads"] * 64
            r["micro_batch"] = max(1, r["micro_batch"] // 4)
    if args.device == "cpu":  # CPU matmuls have no fp16
        for r in runs:
            r["precision"] = "bf16"
    cases = build_cases(runs, not args.no_compile)
    if args.only:
        cases = [c for c in cases if any(c["name"].startswith(p) for p in args.only.split(","))]
    if args.list:
        for c in cases:
            print(c["name"], ",".join(c["users"]))
        print(f"{len(cases)} entries")
        return 0

    import torch
    if args.device == "cuda" and not torch.cuda.is_available():
        print("kernels_bench: no CUDA device", file=sys.stderr)
        return 1
    device = Device(torch, args.device)
    torch.manual_seed(1)
    torch.backends.cuda.matmul.allow_tf32 = False
    K = kernels(torch)
    ctx = context(torch, device)
    compiled = {}
    benchmarks = []
    status = 0
    print(f"[kernels] {len(cases)} entries on {ctx['gpu_name']}, torch {torch.__version__}, "
          f"budget {args.budget_s:.0f} s", flush=True)
    for index, c in enumerate(cases):
        label = ",".join(c["users"])
        elapsed = time.time() - t0
        if elapsed > args.budget_s:
            benchmarks += entries(index, c, label, {}, [], 0, error="skipped: the time budget "
                                  f"({args.budget_s:.0f} s) was spent")
            status = 3
            continue
        error = None
        case = None
        try:
            t_case = time.time()
            case = Case(torch, K, c, compiled, device)
            case.make_sets()
            err = case.check()
            times, iters, nk, peak = measure(torch, device, case, args.repetitions, args.min_time)
            fields = case.counters()
            if nk is not None:
                fields["kernels"] = nk
            fields["peak_bytes"] = peak
            med = sorted(times)[len(times) // 2]
            if "model_flops" in fields:
                fields["model_tflops"] = fields["model_flops"] / med / 1e12
            fields["achieved_GBps"] = fields["min_bytes"] / med / 1e9
            fields["check_rel_error"] = err
            extra = []
            if c["kind"] == "attn_flash" and c["heads"] != c["kv_heads"]:
                extra.append("gqa=" + case.gqa)
            if c["kind"].endswith("_compiled"):
                extra.append(f"compile+first call {time.time() - t_case:.1f} s")
            lab = label + ("" if not extra else " (" + "; ".join(extra) + ")")
            benchmarks += entries(index, c, lab, fields, times, iters)
            print(f"[kernels {time.time() - t0:5.0f}s] {c['name']}: {med * 1e3:.3f} ms, {nk} kernels, "
                  f"{fields.get('model_tflops', fields['achieved_GBps']):.1f} "
                  f"{'TFLOP/s' if 'model_tflops' in fields else 'GB/s'}", flush=True)
        except WrongResult as e:
            error = str(e)
        except getattr(torch.cuda, "OutOfMemoryError", MemoryError) as e:
            error = "out of GPU memory: " + str(e).split("\n")[0][:200]
        except Exception as e:  # noqa: BLE001 (one case failing must not lose the others)
            error = f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
        if error is not None:
            benchmarks += entries(index, c, label, {}, [], 0, error=error)
            print(f"[kernels {time.time() - t0:5.0f}s] {c['name']}: skipped: {error}", flush=True)
        del case
        device.empty_cache()
        write(args.out, ctx, benchmarks)
    write(args.out, ctx, benchmarks)
    done = sum(1 for b in benchmarks if b.get("run_type") == "iteration" and not b.get("error_occurred"))
    skipped = sum(1 for b in benchmarks if b.get("error_occurred"))
    print(f"[kernels] finished in {time.time() - t0:.0f} s: {done} timed repetitions, {skipped} skipped", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
