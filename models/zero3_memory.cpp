#include "models/zero3_memory.hpp"

#include "models/transformer.hpp"

#include <algorithm>

namespace gsim {

double layer_activation_bytes(const ModelSpec& m, double micro_batch, double sequence_length, double element_bytes,
                              bool flash_attention)
{
  const double b = micro_batch, s = sequence_length, h = m.hidden, a = m.heads, e = element_bytes;
  if (m.is_llama()) {
    // What autograd keeps of one HF LlamaDecoderLayer (eager, no dropout), per token: the residual input and
    // output of each RMSNorm (2 x 2h) and its fp32 upcast (2 x 4h bytes), Q and K before and after the rotary
    // embedding (2h + 2 kv d), V repeated to all heads (h), the o_proj input (h), the gate, SiLU, up and product
    // tensors of the SwiGLU MLP (4i); eager attention adds the fp32 softmax output and its bf16 copy (a s each),
    // FlashAttention only its fp32 log-sum-exp (a). Korthikanti et al.'s count below, redone for this layer.
    const double kv_width  = m.kv() * m.head_dim();
    const double per_token = e * (10 * h + 2 * kv_width + 4 * m.intermediate) + 8 * h;
    const double attention = flash_attention ? 4 * a : (4 + e) * a * s;
    return s * b * (per_token + attention);
  }
  // Activations of one block, Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large
  // Transformer Models", Eq. 1, no tensor/sequence parallelism): s*b*h*(34 + 5*a*s/h) bytes in fp16;
  // the 5as/h term is eager attention's scores, softmax and dropout mask, which FlashAttention does not keep
  // (it keeps a fp32 log-sum-exp per head and token instead).
  if (flash_attention)
    return s * b * (h * 34 * (e / 2) + 4 * a);
  return s * b * h * (34 + 5 * a * s / h) * (e / 2);
}

Zero3Bytes zero3_bytes_per_gpu(double params, int gpus)
{
  const double shard = params / gpus;
  return {2 * shard, 2 * shard, 12 * shard};
}

double checkpoint_bytes_per_gpu(const Experiment& e)
{
  return zero3_bytes_per_gpu(total_params(e.model), e.gpus()).optimizer_shard;
}

double GpuMemoryEstimate::total() const
{
  return model_states + gathered_params + reduce_bucket + activations + working_activations + logits +
         framework_reserve;
}

GpuMemoryEstimate estimate_gpu_memory(const Experiment& e)
{
  const auto& m  = e.model;
  const auto& t  = e.training;
  const double b = t.micro_batch, s = t.sequence_length, h = m.hidden;
  const double bytes = element_bytes(t.precision);
  GpuMemoryEstimate g;
  g.capacity     = e.cluster.gpu.hbm_bytes;
  g.model_states = zero3_bytes_per_gpu(total_params(m), e.gpus()).model_states();
  // DeepSpeed keeps the layer in use gathered and prefetches up to stage3_prefetch_bucket_size
  // parameters ahead; at least one whole layer is resident while it computes.
  g.gathered_params = bytes * (params_per_layer(m) + std::max(t.prefetch_bucket_elements, 0.0));
  g.reduce_bucket   = bytes * t.reduce_bucket_elements;
  // One block's activations (layer_activation_bytes), with the attention kernel the run uses.
  const double layer_activations = layer_activation_bytes(m, b, s, bytes, t.attention == AttentionKernel::flash);
  // The backward of a block holds its activations and their gradients at once.
  if (t.activation_recomputation) {
    g.activations         = m.layers * s * b * h * bytes; // each block's input is kept
    g.working_activations = 2 * layer_activations;        // one block rebuilt at a time, plus its gradients
  } else {
    g.activations         = m.layers * layer_activations;
    g.working_activations = layer_activations; // gradients of the block in backward
  }
  // Loss: fp16 logits, their fp32 upcast for a stable softmax, its fp32 gradient and the fp16 gradient.
  g.logits            = s * b * m.vocab * (bytes + 4 + 4 + bytes);
  g.framework_reserve = e.cluster.framework_reserve_bytes;
  return g;
}

} // namespace gsim
