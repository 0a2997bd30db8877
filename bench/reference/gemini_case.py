#!/usr/bin/env python3
"""One GEMINI-artifact case on one GPU: the fork's ZeRO-3 training of a GPT-2 model, the way
examples/GPT/pretrain_gpt.py runs it, in both snapshot modes, with host timers, a sync census, a profiled
step and (optionally) the interleave checkpoint phase. Started by run_all.py, one process per case:

    python3 gemini_case.py --case CASE.json --gemini CHECKOUT --workdir DIR --out RESULT.json

CHECKOUT is an export of github zhuangwang93/Gemini_SOSP23 at 9b551dd^ (deepspeed/, op_builder/, csrc/,
examples/); it is imported from there, never installed. The shims (shims/) must be on PYTHONPATH and
pydantic 1.10 importable (run_all.py sets both).

What is the artifact's and what is ours (README.md has the full list):
* ours: this loop (a copy of pretrain_gpt.py's step: sync, forward, model.backward, model.step, loss.item(),
  sync, empty_cache, set_global_step, comm_profiler.profile_comm_time_gap), random token ids instead of the
  GPT-2 tokenizer (nothing can be downloaded there), torch.optim.AdamW(fused) passed as the client optimizer
  instead of the config's FusedAdam (its JIT build takes minutes), the flatten/unflatten op bound to torch's
  own implementation (UtilsBuilder's C++ source calls exactly torch::utils::flatten_dense_tensors), and, for
  the checkpoint phase at world size 1, a loopback peer (see patch_snapshot_for_one_gpu).
* the artifact's: everything in deepspeed/ (ZeRO-3 hooks, coordinator, syncs, snapshot planner and
  checkpoint path, its comm_gap.txt profiler) and examples/utils.py's argument parser and settings.
"""
import argparse
import copy
import json
import os
import random
import socket
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


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def median(xs):
    return statistics.median(xs) if xs else None


def summarize_steps(steps):
    """Medians over the steps without fp16 overflow (an overflow step skips the optimizer update)."""
    ok = [s for s in steps if not s.get("overflow")]
    use = ok if ok else steps
    keys = ["step_time_s", "host_fwd_ms", "host_bwd_ms", "host_opt_ms", "gpu_fwd_ms", "gpu_bwd_ms", "gpu_opt_ms",
            "alloc_retries"]
    out = {"steps": len(steps), "steps_used": len(use), "overflow_steps": len(steps) - len(ok)}
    for k in keys:
        vals = [s[k] for s in use if s.get(k) is not None]
        if vals:
            out[k] = round(median(vals), 6)
            out[k + "_min"] = round(min(vals), 6)
            out[k + "_max"] = round(max(vals), 6)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--case", required=True)
    ap.add_argument("--gemini", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    case = json.load(open(a.case))
    gemini = os.path.abspath(a.gemini)
    out_path = os.path.abspath(a.out)
    os.makedirs(a.workdir, exist_ok=True)
    os.chdir(a.workdir)  # the artifact writes snapshot_strategy/comm_gap.txt relative to the working directory

    R = {"case": case["id"], "runner": "gemini", "status": "started", "stage": "start", "timings_s": {},
         "harness_patches": [], "phases": {}, "instrumented": {}, "sync_census": {}, "profile": {},
         "comm_gap": {}, "errors": []}

    def stage(name):
        R["stage"] = name
        R["timings_s"][name] = round(time.perf_counter() - T_START, 2)
        write_json(out_path, R)
        print(f"[gemini_case {case['id']}] {time.perf_counter() - T_START:7.1f}s {name}", flush=True)

    try:
        run(case, gemini, R, stage)
        R["status"] = "ok" if not R["errors"] else "partial"
    except BaseException as e:  # record, then exit non-zero
        R["status"] = "error"
        R["error"] = f"{type(e).__name__}: {e}"
        R["traceback"] = traceback.format_exc()[-6000:]
        print(R["traceback"], file=sys.stderr, flush=True)
    R["timings_s"]["total"] = round(time.perf_counter() - T_START, 2)
    write_json(out_path, R)
    sys.stdout.flush()
    # The artifact registers an atexit handler (save_optimizer_snapshot_to_disk) and NCCL teardown can hang:
    # leave at once, the result is written.
    os._exit(0 if R["status"] in ("ok", "partial") else 1)


def run(case, gemini, R, stage):
    os.environ.update({"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(free_port()), "RANK": "0", "WORLD_SIZE": "1",
                       "LOCAL_RANK": "0", "LOCAL_SIZE": "1", "DS_BUILD_OPS": "0",
                       "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"})
    sys.path[:0] = [gemini, os.path.join(gemini, "examples"), HERE, os.path.join(HERE, "shims")]
    import gemini_shims

    import torch
    import numpy

    R["shims_applied"] = gemini_shims.apply_all()
    import transformers

    stage("import_torch")
    import deepspeed

    R["shims_applied"] = gemini_shims.apply_all()
    from deepspeed.ops import op_builder as ds_op_builder

    class _TorchFlatten:
        flatten = staticmethod(torch._utils._flatten_dense_tensors)
        unflatten = staticmethod(torch._utils._unflatten_dense_tensors)

    ds_op_builder.UtilsBuilder.load = lambda self, verbose=True: _TorchFlatten
    R["harness_patches"].append("UtilsBuilder.load -> torch._utils._flatten/_unflatten_dense_tensors (same op as "
                                "csrc/utils/flatten_unflatten.cpp; avoids the JIT build)")
    from utils import get_argument_parser, set_snapshot_settings  # examples/utils.py of the artifact
    from deepspeed.runtime.snapshot import snapshot_comm
    from deepspeed.runtime.snapshot.snapshot_global_variables import snapshot_settings, comm_profiler
    import pydantic

    R["versions"] = {
        "python": sys.version.split()[0], "torch": torch.__version__, "cuda": torch.version.cuda,
        "nccl": ".".join(map(str, torch.cuda.nccl.version())) if hasattr(torch.cuda, "nccl") else None,
        "cudnn": torch.backends.cudnn.version(), "transformers": transformers.__version__,
        "numpy": numpy.__version__, "deepspeed_fork": deepspeed.__version__,
        "fork_commit": open(os.path.join(gemini, "COMMIT")).read().strip()
        if os.path.exists(os.path.join(gemini, "COMMIT")) else None,
        "pydantic": getattr(pydantic, "VERSION", None), "gpu": torch.cuda.get_device_name(0),
        "capability": list(torch.cuda.get_device_capability(0)),
    }
    stage("import_deepspeed")

    m, t, z, snap = case["model"], case["training"], case["zero"], case["snapshot_args"]
    steps = case["steps"]
    ds_config = {
        "train_micro_batch_size_per_gpu": t["micro_batch"],
        "gradient_accumulation_steps": 1,
        "steps_per_print": 1,
        "prescale_gradients": False,
        "zero_optimization": {"stage": 3, **z},
        "gradient_clipping": 1.0,
        "wall_clock_breakdown": False,
        "fp16": {"enabled": True, "loss_scale": 0, "initial_scale_power": t.get("initial_scale_power", 16),
                 "loss_scale_window": 1000},
    }
    with open("ds_config.json", "w") as f:
        json.dump(ds_config, f, indent=1)
    R["ds_config"] = ds_config
    argv = ["--output_dir", os.getcwd(), "--deepspeed", "--deepspeed_config", "ds_config.json",
            "--job_name", case["id"], "--snapshot_mode", "none", "--snapshot_path", os.path.join(os.getcwd(), "snapshot"),
            "--enable_comm_profile", "--comm_profile_steps", str(10 ** 9),
            "--jump_profile_lines", str(snap["jump_profile_lines"]),
            "--network_bandwidth", str(snap["network_bandwidth"]), "--snapshot_buffer_size", str(snap["snapshot_buffer_size"]),
            "--span_threshold", str(snap["span_threshold"]), "--span_alpha", str(snap["span_alpha"]),
            "--max_blocks_in_span", str(snap["max_blocks_in_span"]), "--local_rank", "0"]
    parser = get_argument_parser()
    deepspeed.add_config_arguments(parser)
    args = parser.parse_args(argv)
    args.job_name = case["id"]
    args.saved_model_path = os.path.join(args.output_dir, "saved_models/", args.job_name)
    args.config = ds_config
    R["artifact_args"] = argv

    # ---- model, as pretrain_gpt.py get_model() ----
    from transformers import GPT2Config, GPT2LMHeadModel

    kw = dict(vocab_size=m["vocab"], n_positions=m["max_positions"], n_embd=m["hidden"], n_layer=m["layers"],
              n_head=m["heads"], n_inner=m["intermediate"], use_cache=False)
    try:
        cfg = GPT2Config(**kw, attn_implementation=t["attention"])
    except TypeError:
        cfg = GPT2Config(**kw)
    try:
        cfg._attn_implementation = t["attention"]
    except Exception as e:  # the constructor argument may already have done it; the effective value is recorded
        R["notes"] = [f"setting config._attn_implementation: {e!r}"]
    torch.manual_seed(1234)
    with deepspeed.zero.Init(config=ds_config):
        model = GPT2LMHeadModel(cfg)
    model.gradient_checkpointing_enable()
    R["model"] = {"params": int(sum(p.ds_numel for p in model.parameters())),
                  "attn_implementation": getattr(model.config, "_attn_implementation", None),
                  "gradient_checkpointing": bool(getattr(model, "is_gradient_checkpointing", True))}
    stage("model_built")
    set_snapshot_settings(args)
    snapshot_settings.set_comm_profile_steps(10 ** 9)  # the checkpoint phase is started explicitly below
    try:
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01,
                                fused=True)
    except Exception as e:  # fused needs floating CUDA params; ZeRO-3's partitioned ones are
        R["notes"] = R.get("notes", []) + [f"fused AdamW refused ({e!r}); foreach AdamW used"]
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01)
    engine, _, _, _ = deepspeed.initialize(args=args, model=model, model_parameters=model.parameters(), optimizer=opt)
    R["optimizer"] = f"{type(engine.optimizer).__name__} wrapping {type(opt).__name__}(fused={opt.defaults.get('fused')})"
    stage("initialized")

    patch_snapshot_for_one_gpu(torch, snapshot_comm, R)

    V, B, S = m["vocab"], t["micro_batch"], t["sequence_length"]
    g = torch.Generator(device="cuda").manual_seed(4321)
    ids = torch.randint(0, V, (B, S), device="cuda", generator=g)
    mask = torch.ones_like(ids)
    state = {"global_step": 0, "retries": torch.cuda.memory_stats().get("num_alloc_retries", 0),
             "ooms": torch.cuda.memory_stats().get("num_ooms", 0)}
    ev = [torch.cuda.Event(enable_timing=True) for _ in range(4)]

    def comm_gap_path():
        return comm_profiler.get_profile_filename()

    def read_gap_lines():
        with open(comm_gap_path()) as f:
            return [ln.rstrip("\n") for ln in f]

    def train_step(mode, profiled=None):
        """pretrain_gpt.py's loop body; profiled: a torch.profiler.record_function for phase windows."""
        rf = profiled
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        ev[0].record()
        if rf:
            with rf("phase:forward"):
                outputs = engine(input_ids=ids, attention_mask=mask, labels=ids)
                torch.cuda.synchronize()
        else:
            outputs = engine(input_ids=ids, attention_mask=mask, labels=ids)
        t1 = time.perf_counter()
        ev[1].record()
        loss = outputs.loss
        if rf:
            with rf("phase:backward"):
                engine.backward(loss)
                torch.cuda.synchronize()
        else:
            engine.backward(loss)
        t2 = time.perf_counter()
        ev[2].record()
        if rf:
            with rf("phase:optimizer"):
                engine.step()
                torch.cuda.synchronize()
        else:
            engine.step()
        t3 = time.perf_counter()
        ev[3].record()
        loss_val = loss.item()  # pretrain_gpt.py prints loss.item() at every accumulation boundary
        loss = outputs = None
        torch.cuda.synchronize()
        t4 = time.perf_counter()
        torch.cuda.empty_cache()
        state["global_step"] += 1
        snapshot_settings.set_global_step(state["global_step"])
        comm_profiler.profile_comm_time_gap()
        stats = torch.cuda.memory_stats()
        rec = {
            "step": state["global_step"], "mode": mode, "step_time_s": round(t4 - t0, 6),
            "host_fwd_ms": round((t1 - t0) * 1e3, 3), "host_bwd_ms": round((t2 - t1) * 1e3, 3),
            "host_opt_ms": round((t3 - t2) * 1e3, 3),
            "gpu_fwd_ms": round(ev[0].elapsed_time(ev[1]), 3), "gpu_bwd_ms": round(ev[1].elapsed_time(ev[2]), 3),
            "gpu_opt_ms": round(ev[2].elapsed_time(ev[3]), 3),
            "loss": round(loss_val, 4), "overflow": bool(getattr(engine.optimizer, "overflow", False)),
            "loss_scale": float(getattr(engine.optimizer, "loss_scale", 0) or 0),
            "alloc_retries": stats.get("num_alloc_retries", 0) - state["retries"],
            "ooms": stats.get("num_ooms", 0) - state["ooms"],
        }
        state["retries"] = stats.get("num_alloc_retries", 0)
        state["ooms"] = stats.get("num_ooms", 0)
        blocks = R.get("_last_blocks_sent")
        if blocks is not None:
            rec["ckpt_blocks_sent"] = blocks
            R["_last_blocks_sent"] = None
        return rec

    def set_mode(mode):
        snapshot_settings.set_snapshot_mode(mode)
        # cpu_snapshot.set_snapshot_mode("interleave") also clears have_set_snapshot_strategy: once the
        # checkpoint plan exists, calling it again would rebuild the plan and the CPU replicas.
        if not snapshot_comm.cpu_snapshot.have_set_snapshot_strategy:
            snapshot_comm.cpu_snapshot.set_snapshot_mode(mode)

    def measured(mode, warm, n, tag=None):
        set_mode(mode)
        torch.cuda.reset_peak_memory_stats()
        recs = [dict(train_step(mode), warmup=True) for _ in range(warm)]
        recs += [train_step(mode) for _ in range(n)]
        ph = {"steps": recs, "summary": summarize_steps([r for r in recs if not r.get("warmup")]),
              "max_memory_allocated_GiB": round(torch.cuda.max_memory_allocated() / 2 ** 30, 3),
              "max_memory_reserved_GiB": round(torch.cuda.max_memory_reserved() / 2 ** 30, 3)}
        R["phases"][tag or mode] = ph
        return ph

    # ---- phase 1: --snapshot_mode none; phase 2: interleave (before any checkpoint: the Fig 7 baseline) ----
    measured("none", steps["warmup"], steps["measured"])
    R["comm_gap"]["none"] = read_gap_lines()
    open(comm_gap_path(), "w").close()
    stage("none_done")
    measured("interleave", steps["warmup"], steps["measured"])
    R["comm_gap"]["interleave"] = read_gap_lines()
    stage("interleave_done")

    # ---- phase 3: host timers (a few instrumented steps per mode) ----
    timers = build_timers(torch, deepspeed, snapshot_comm)
    R["instrument_targets_missing"] = timers["missing"]
    T = timers["timers"]
    for mode in ("interleave", "none"):
        set_mode(mode)
        T.reset()
        T.install()
        try:
            recs = [train_step(mode) for _ in range(steps["instrumented"])]
        finally:
            T.uninstall()
        snap_ = T.snapshot(len(recs))
        snap_["steps"] = recs
        R["instrumented"][mode] = snap_
    stage("instrumented_done")

    # ---- phase 4: sync census (torch.cuda.set_sync_debug_mode warns at every synchronising CUDA call) ----
    for mode in ("interleave", "none"):
        set_mode(mode)
        try:
            R["sync_census"][mode] = sync_census(torch, lambda: train_step(mode))
        except Exception as e:
            R["errors"].append(f"sync census {mode}: {e!r}")
    stage("sync_census_done")

    # ---- phase 5: one profiled step per mode, reduced to kernel busy time per phase ----
    from profile_reduce import reduce_profile

    for mode in ("none", "interleave"):
        set_mode(mode)
        try:
            act = [torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]
            with torch.profiler.profile(activities=act, record_shapes=False, with_stack=False) as prof:
                rec = train_step(mode, profiled=torch.profiler.record_function)
            red = reduce_profile(prof, os.path.abspath(f"trace_{mode}.json"))
            red["step"] = rec
            R["profile"][mode] = red
        except Exception as e:
            R["errors"].append(f"profile {mode}: {type(e).__name__}: {e}")
    stage("profile_done")

    # ---- phase 6: the interleave checkpoint phase (planner over this run's own interleave profile) ----
    if case.get("checkpoint_phase"):
        with open(comm_gap_path(), "w") as f:  # the planner reads only the interleave steps' lines
            f.write("\n".join(R["comm_gap"]["interleave"]) + "\n")
        set_mode("interleave")
        snapshot_settings.comm_profile_finished = True
        snapshot_settings.comm_profile_mode = False
        t0 = time.perf_counter()
        R["phases"]["ckpt_init_step"] = train_step("interleave")  # its step() builds the plan and the CPU copies
        R["phases"]["ckpt_init_step"]["wall_incl_plan_s"] = round(time.perf_counter() - t0, 3)
        cs = snapshot_comm.cpu_snapshot
        R["snapshot_plan"] = {
            "strategy": {str(k): v for k, v in cs.snapshot_strategy.items()},
            "allgather_gap_num": cs.allgather_gap_num, "total_blocks": getattr(cs, "total_blocks", None),
            "block_elements": getattr(cs, "tensor_block_size", None),
            "block_sizes": list(cs.block_sizes[0]) if getattr(cs, "block_sizes", None) else None,
            "checkpoint_MiB": round(sum(cs.tensor_sizes) * 4 / 2 ** 20, 1) if getattr(cs, "tensor_sizes", None) else None,
        }
        open(comm_gap_path(), "w").close()
        measured("interleave", 1, steps["measured"], tag="ckpt")
        R["comm_gap"]["ckpt"] = read_gap_lines()
        # Paired A/B: the artifact's own snapshot_freq = 2 checkpoints every other step, so steps with and
        # without checkpoint traffic alternate inside one phase (drift and host noise hit both alike).
        n_alt = case.get("checkpoint_alternating_steps", 0)
        if n_alt:
            cs.snapshot_freq = 2
            ph = measured("interleave", 1, n_alt, tag="ckpt_alternating")
            use = [r for r in ph["steps"] if not r.get("warmup")]
            ph["summary_with_checkpoint"] = summarize_steps([r for r in use if r.get("ckpt_blocks_sent")])
            ph["summary_without_checkpoint"] = summarize_steps([r for r in use if not r.get("ckpt_blocks_sent")])
            cs.snapshot_freq = 1
        T.reset()
        T.install()
        try:
            recs = [train_step("interleave") for _ in range(steps["instrumented"])]
        finally:
            T.uninstall()
        snap_ = T.snapshot(len(recs))
        snap_["steps"] = recs
        R["instrumented"]["ckpt"] = snap_
        stage("ckpt_done")
    R.pop("_last_blocks_sent", None)


def patch_snapshot_for_one_gpu(torch, snapshot_comm, R):
    """The fork's checkpoint path needs a peer machine (GroupPolicy asserts machines % 2 == 0). At world size 1
    the peer is this GPU itself: the chunk's NCCL isend/irecv pair becomes a device-to-device copy into the same
    receive buffer on the same checkpoint stream, and everything after it (the GPU->CPU copy on the copy
    stream, the planner, the stream waits at each collective) is the artifact's code unchanged. Two one-time
    set-up steps are short-circuited too: broadcasting the plan from rank 0 (identity at world size 1) and the
    torch.save/torch.load round trip through a temporary file that builds the pinned CPU replicas (replaced by
    direct pinned copies of the same state dict). Only applied at world size 1."""
    import torch.distributed as dist

    if dist.get_world_size() != 1:
        return
    SO = snapshot_comm.SnapshotOptimizer

    def init_groups_one_gpu(self):
        self.this_rank = dist.get_rank()
        self.world_size = 1
        self.local_size = 1
        self.machines = 1
        self.snapshot_group = None
        self.peer_rank = self.this_rank

    SO.init_snapshot_comm_groups = init_groups_one_gpu

    def loopback_p2p(input_tensor, output_tensor, snapshot_group):
        output_tensor.copy_(input_tensor, non_blocking=True)

    snapshot_comm._snapshot_torch_p2p_fn = loopback_p2p
    snapshot_comm._snapshot_broadcast_obj = lambda msg, rank, src=0: msg

    stash = {}

    def to_pinned(o):
        if isinstance(o, torch.Tensor):
            t = torch.empty(o.shape, dtype=o.dtype, pin_memory=True)
            t.copy_(o.detach())
            return t
        if isinstance(o, dict):
            return type(o)((k, to_pinned(v)) for k, v in o.items())
        if isinstance(o, (list, tuple)):
            return type(o)(to_pinned(v) for v in o)
        return copy.copy(o)

    class TorchProxy:
        def __getattr__(self, name):
            return getattr(torch, name)

        @staticmethod
        def save(obj, f, *a, **k):
            stash[f] = obj

        @staticmethod
        def load(f, *a, **k):
            return to_pinned(stash[f])

    orig_init_cpu = SO.init_optimizer_state_on_cpu

    def init_cpu(self, optimizer_state_dict):
        snapshot_comm.torch = TorchProxy()
        try:
            return orig_init_cpu(self, optimizer_state_dict)
        finally:
            snapshot_comm.torch = torch
            stash.clear()

    SO.init_optimizer_state_on_cpu = init_cpu

    orig_update = SO.update_local_optimizer_snapshot

    def update(self, optimizer_state):
        if self.have_set_snapshot_strategy:
            R["_last_blocks_sent"] = self.cur_block_id  # blocks sent during this step, read before the reset
        return orig_update(self, optimizer_state)

    SO.update_local_optimizer_snapshot = update
    R["harness_patches"] += [
        "world size 1: SnapshotOptimizer.init_snapshot_comm_groups -> peer = self (GroupPolicy needs 2 machines)",
        "world size 1: _snapshot_torch_p2p_fn (batch_isend_irecv to the peer) -> D2D copy into the receive buffer "
        "on the checkpoint stream",
        "world size 1: _snapshot_broadcast_obj -> identity",
        "init_optimizer_state_on_cpu: torch.save/torch.load temp-file round trip -> direct pinned CPU copies",
        "update_local_optimizer_snapshot: records cur_block_id (blocks sent this step) before its reset",
    ]


def build_timers(torch, deepspeed, snapshot_comm):
    from host_timers import HostTimers
    from deepspeed.runtime.zero import partitioned_param_coordinator as ppc
    from deepspeed.runtime.zero import parameter_offload as po
    from deepspeed.runtime.zero import stage3 as s3
    from deepspeed.runtime.zero import partition_parameters as pp
    from deepspeed.runtime import engine as eng
    from deepspeed.runtime.snapshot import snapshot_profiler as sp

    T = HostTimers()
    C = ppc.PartitionedParameterCoordinator
    O = po.DeepSpeedZeRoOffload
    Z = s3.DeepSpeedZeroOptimizer_Stage3
    S = snapshot_comm.SnapshotOptimizer
    E = eng.DeepSpeedEngine
    targets = [
        (E, "forward", "engine.forward"), (E, "backward", "engine.backward"), (E, "step", "engine.step"),
        (O, "pre_sub_module_forward_function", "hook.pre_forward"),
        (O, "post_sub_module_forward_function", "hook.post_forward"),
        (O, "pre_sub_module_backward_function", "hook.pre_backward"),
        (O, "post_sub_module_backward_function", "hook.post_backward"),
        (C, "fetch_sub_module", "coord.fetch_sub_module"),
        (C, "release_sub_module", "coord.release_sub_module"),
        (C, "_PartitionedParameterCoordinator__all_gather_params", "coord.all_gather_params"),
        (C, "_PartitionedParameterCoordinator__release_param", "coord.release_param"),
        (C, "release_and_reset_all", "coord.release_and_reset_all"),
        (C, "reset_step", "coord.reset_step"),
        (pp.AllGatherCoalescedHandle, "wait", "allgather_handle.wait(coalesced)"),
        (pp.AllGatherHandle, "wait", "allgather_handle.wait(single)"),
        (Z, "reduce_independent_p_g_buckets_and_remove_grads", "grad_hook.reduce_ipg"),
        (Z, "_DeepSpeedZeroOptimizer_Stage3__add_grad_to_ipg_bucket", "stage3.add_grad_to_ipg_bucket"),
        (Z, "_DeepSpeedZeroOptimizer_Stage3__reduce_and_partition_ipg_grads", "stage3.reduce_and_partition_ipg_grads"),
        (Z, "_DeepSpeedZeroOptimizer_Stage3__avg_scatter_grads", "stage3.avg_scatter_grads"),
        (Z, "_DeepSpeedZeroOptimizer_Stage3__partition_grads", "stage3.partition_grads"),
        (Z, "independent_gradient_partition_epilogue", "stage3.gradient_epilogue"),
        (Z, "step", "stage3.step"), (Z, "backward", "stage3.backward"), (Z, "snapshot_states", "stage3.snapshot_states"),
        (s3, "reduce_scatter_coalesced", "reduce_scatter_coalesced"),
        (S, "remote_snapshot", "snapshot.remote_snapshot"), (S, "remote_snapshot_blocks", "snapshot.remote_snapshot_blocks"),
        (S, "snapshot", "snapshot.block"), (S, "update_local_optimizer_snapshot", "snapshot.update_local"),
        (sp.CommounicationProfiler, "profile_comm_time_gap", "profiler.profile_comm_time_gap"),
    ]
    syncs = [
        (torch.cuda, "synchronize", "torch.cuda.synchronize"),
        (torch.cuda.Stream, "synchronize", "Stream.synchronize"),
        (torch.cuda.Event, "synchronize", "Event.synchronize"),
        (torch.Tensor, "item", "Tensor.item"),
    ]
    missing = []
    for owner, attr, label in targets:
        if not T.wrap(owner, attr, label, kind="hook"):
            missing.append(label)
    for owner, attr, label in syncs:
        if not T.wrap(owner, attr, label, kind="sync"):
            missing.append(label)
    return {"timers": T, "missing": missing}


def sync_census(torch, step_fn):
    """Counts the synchronising CUDA calls of one step by the Python line that made them."""
    import warnings

    counts = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            rec = step_fn()
        finally:
            torch.cuda.set_sync_debug_mode("default")
    n = 0
    for w in caught:
        if "synchroniz" not in str(w.message):
            continue
        n += 1
        site = "/".join(w.filename.split(os.sep)[-3:]) + f":{w.lineno}"
        counts[site] = counts.get(site, 0) + 1
    return {"synchronizing_calls": n, "by_site": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
            "step": rec}


if __name__ == "__main__":
    main()
