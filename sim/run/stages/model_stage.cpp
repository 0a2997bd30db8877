// Stage: the model's size, its ZeRO-3 bytes per GPU, and whether it fits in GPU memory.
#include "models/transformer.hpp"
#include "models/zero3_memory.hpp"
#include "sim/run/stages/stages.hpp"

namespace gsim {

void model_stage(RunContext& ctx)
{
  const Experiment& e = ctx.experiment;
  RunResult& r        = ctx.report;
  const double params = total_params(e.model);
  const auto bytes    = zero3_bytes_per_gpu(params, e.gpus());
  const auto& mem = ctx.memory = estimate_gpu_memory(e);
  const auto flops             = micro_batch_flops(e.model, e.training);
  r.section("Setup");
  r.set("cluster", e.cluster.name, "cluster",
        std::to_string(e.instances) + " x " + e.cluster.name + " (" + std::to_string(e.gpus()) + " x " +
            e.cluster.gpu.name + ")");
  r.set("instances", e.instances);
  r.set("gpus", e.gpus());
  r.set("model", e.model.name, "model", e.model.name);
  r.set("parameters", params, "parameters", fmt("%.4g", params));
  r.set("flops_per_gpu_iteration", flops.total() * e.training.gradient_accumulation_steps, "FLOPs per GPU-iteration",
        fmt("%.4g", flops.total() * e.training.gradient_accumulation_steps) +
            (e.training.activation_recomputation ? " (with recomputation)" : ""));
  r.set("checkpoint_scheme", to_string(e.checkpoint.scheme), "checkpoint scheme", to_string(e.checkpoint.scheme));

  r.section("ZeRO-3 memory per GPU");
  r.set("checkpoint_bytes_per_gpu", bytes.optimizer_shard, "checkpoint (fp32 weights + Adam m, v)",
        fmt("%.3f GB", bytes.optimizer_shard / 1e9));
  r.set("model_states_bytes_per_gpu", bytes.model_states(), "model states (16 B/param / GPUs)",
        fmt("%.3f GB", bytes.model_states() / 1e9));
  r.set("gpu_memory_estimate_bytes", mem.total(), "peak estimate",
        fmt("%.2f GB", mem.total() / 1e9) + fmt(" of %.2f GB", mem.capacity / 1e9));
  r.set("gpu_memory_free_bytes", mem.free(), "free at the peak", fmt("%.2f GB", mem.free() / 1e9));
  r.set("model_fits_gpu_memory", mem.fits(), "fits", mem.fits() ? "yes" : "NO (out of memory)");
}

} // namespace gsim
