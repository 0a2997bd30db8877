#include "models/zero3_memory.hpp"

#include "models/transformer.hpp"

#include <algorithm>

namespace gsim {

namespace {
double dtype_bytes(Dtype d)
{
  return d == Dtype::fp32 ? 4 : 2;
}
} // namespace

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
  const double b = t.micro_batch, s = t.sequence_length, h = m.hidden, a = m.heads;
  const double bytes = dtype_bytes(t.precision);
  GpuMemoryEstimate g;
  g.capacity     = e.cluster.gpu.hbm_bytes;
  g.model_states = zero3_bytes_per_gpu(total_params(m), e.gpus()).model_states();
  // DeepSpeed keeps the layer in use gathered and prefetches up to stage3_prefetch_bucket_size
  // parameters ahead; at least one whole layer is resident while it computes.
  g.gathered_params = bytes * (params_per_layer(m) + std::max(t.prefetch_bucket_elements, 0.0));
  g.reduce_bucket   = bytes * t.reduce_bucket_elements;
  // Activations of one block, Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large
  // Transformer Models", Eq. 1, no tensor/sequence parallelism): s*b*h*(34 + 5*a*s/h) bytes in fp16.
  const double layer_activations = s * b * h * (34 + 5 * a * s / h) * (bytes / 2);
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
