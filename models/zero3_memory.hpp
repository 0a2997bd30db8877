#pragma once
// ZeRO-3 (DeepSpeed stage 3) bytes per GPU and a GPU-memory estimate that says whether a model fits.
// Mixed-precision Adam keeps 16 bytes per parameter (Rajbhandari et al., ZeRO, SC'20, §3.1):
// fp16 parameters (2) + fp16 gradients (2) + fp32 master weights, Adam m and v (4 + 4 + 4),
// all partitioned over every GPU. The last 12 bytes are what GEMINI checkpoints.
// The estimate itemises what DeepSpeed 0.7.3 (the GEMINI artifact's fork) allocates, item by item with its
// source in docs/memory.md, checked against the fork's measured peaks (tests/unit/memory_estimate_test.cpp).
#include "models/config.hpp"

#include <string>
#include <utility>
#include <vector>

namespace gsim {

/** DeepSpeed 0.7.3 defaults of training.max_live_elements, max_reuse_distance_elements and sub_group_elements
 *  (deepspeed/runtime/zero/config.py of the artifact: stage3_max_live_parameters, stage3_max_reuse_distance,
 *  sub_group_size). */
constexpr double kMaxLiveParameters = 1e9;
constexpr double kMaxReuseDistance  = 1e9;
constexpr double kSubGroupSize      = 1e9;

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

/** What one GPU holds, by item, in the two phases that can peak: the backward pass and the optimizer step
 *  (DeepSpeed 0.7.3 stage 3, contiguous gradients, no offload). */
struct GpuMemoryEstimate {
  // ---- Held through the whole step.
  double model_states      = 0; // partitioned fp16 params and grads, fp32 weights, Adam m, v (16 B / param / GPUs)
  double persistent_params = 0; // full fp16 copies of the parameters below stage3_param_persistence_threshold
  double reduce_bucket     = 0; // the contiguous gradient bucket: reduce_bucket_size fp16 elements, allocated once
  double held_logits       = 0; // the fp16 logits the training loop's `outputs` keeps until after the step
  // ---- Backward pass: the largest of the loss's backward, a block's backward and the last reduce-scatter.
  double gathered_params     = 0; // fp16 parameters gathered at the loss: kept (reuse distance) + in use + prefetched
  double checkpointed        = 0; // activations kept across the pass (the block inputs, with recomputation)
  double loss_backward       = 0; // the loss's softmax tensors while its backward runs
  double layer_backward      = 0; // one block's activations (eager GELU's included) and their gradients
  double gelu_saved          = 0; // of layer_backward: what eager gelu_new saves beyond the fc outputs
  double reduce_scatter_copy = 0; // torch.cat copy of a full bucket in reduce_scatter_coalesced
  bool copy_during_layer     = false; // the bucket fills within the pass: the copy meets a block's backward
  // ---- Optimizer step: the largest sub-group's gradients flattened in fp16, then copied to fp32.
  double step_gradients    = 0;
  double framework_reserve = 0; // CUDA context, NCCL, allocator slack (cluster config)
  double capacity          = 0; // HBM of the GPU

  double held() const { return model_states + persistent_params + reduce_bucket + held_logits; }
  double backward_peak() const; // above held()
  double step_peak() const { return step_gradients; }
  bool step_is_peak() const { return step_peak() > backward_peak(); }
  double allocated_peak() const; // held() + the larger phase: what torch.cuda.max_memory_allocated reports
  double total() const { return allocated_peak() + framework_reserve; }
  double free() const { return capacity - total(); }
  bool fits() const { return free() >= 0; }
};
GpuMemoryEstimate estimate_gpu_memory(const Experiment& e);

/** The estimate's items in order, (name, bytes), for tables (docs/memory.md). */
std::vector<std::pair<std::string, double>> memory_items(const GpuMemoryEstimate& g);

} // namespace gsim
