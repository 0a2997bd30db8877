#pragma once
// ZeRO-3 (DeepSpeed stage 3) bytes per GPU and a GPU-memory estimate that says whether a model fits.
// Mixed-precision Adam keeps 16 bytes per parameter (Rajbhandari et al., ZeRO, SC'20, §3.1):
// fp16 parameters (2) + fp16 gradients (2) + fp32 master weights, Adam m and v (4 + 4 + 4),
// all partitioned over every GPU. The last 12 bytes are what GEMINI checkpoints.
#include "models/config.hpp"

namespace gsim {

struct Zero3Bytes {
  double param_shard     = 0; // fp16 parameters owned by this GPU (all-gathered before use)
  double grad_shard      = 0; // fp16 gradients after reduce-scatter
  double optimizer_shard = 0; // fp32 master weights + Adam m + v = the checkpoint shard
  double model_states() const { return param_shard + grad_shard + optimizer_shard; }
};

/** Bytes per GPU for `params` parameters partitioned over `gpus` GPUs. */
Zero3Bytes zero3_bytes_per_gpu(double params, int gpus);

/** The checkpoint GEMINI saves per GPU (fp32 master weights + Adam m and v). */
double checkpoint_bytes_per_gpu(const Experiment& e);

/** Bytes of activations one transformer block keeps for its backward pass, at `element_bytes` per element:
 *  gpt2/bert/roberta by Korthikanti et al. 2022 (Eq. 1), llama by the same count over HF's LlamaDecoderLayer;
 *  `flash_attention` drops eager attention's s x s tensors for FlashAttention's per-token log-sum-exp. */
double layer_activation_bytes(const ModelSpec& m, double micro_batch, double sequence_length, double element_bytes,
                              bool flash_attention = false);

/** What one GPU holds at its peak (the backward pass), by part. */
struct GpuMemoryEstimate {
  double model_states        = 0; // partitioned fp16 params, grads, fp32 optimizer states
  double gathered_params     = 0; // full fp16 parameters of the layers live at once (current + prefetched)
  double reduce_bucket       = 0; // fp16 gradient bucket before the reduce-scatter
  double activations         = 0; // layer inputs kept across the pass (all activations without recomputation)
  double working_activations = 0; // one layer's full activations while it recomputes / runs backward
  double logits              = 0; // output head logits in fp16 and the fp32 loss copy
  double framework_reserve   = 0; // CUDA context, allocator fragmentation (cluster config)
  double total() const;
  double capacity = 0; // HBM of the GPU
  double free() const { return capacity - total(); }
  bool fits() const { return free() >= 0; }
};
GpuMemoryEstimate estimate_gpu_memory(const Experiment& e);

} // namespace gsim
