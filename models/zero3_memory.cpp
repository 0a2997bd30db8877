#include "models/zero3_memory.hpp"

#include "models/transformer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

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

namespace {

// Parameter tensors in model.parameters() order, as HF builds them (the order DeepSpeed walks to cut
// sub-groups, and the sizes its persistence test sees); their sum is total_params (models/transformer.cpp).
struct ParamTensors {
  std::vector<double> front, layer, back; // before the blocks, one block, after the blocks
};

ParamTensors param_tensors(const ModelSpec& m)
{
  const double h = m.hidden, i = m.intermediate, v = m.vocab, p = m.max_positions;
  ParamTensors t;
  if (m.is_llama()) { // embed_tokens; q, k, v, o, gate, up, down, two RMSNorms; norm; lm_head when untied
    const double kv = m.kv() * m.head_dim();
    t.front         = {v * h};
    t.layer         = {h * h, h * kv, h * kv, h * h, h * i, h * i, i * h, h, h};
    t.back          = {h};
  } else if (m.family == "gpt2") { // wte, wpe; ln_1, c_attn, c_proj, ln_2, c_fc, c_proj (Conv1D, biases); ln_f
    t.front = {v * h, p * h};
    t.layer = {h, h, 3 * h * h, 3 * h, h * h, h, h, h, h * i, i, i * h, h};
    t.back  = {h, h};
  } else { // BERT / RoBERTa: embeddings and their norm; q, k, v, out, norm, up, down, norm; pooler; MLM head
    t.front = {v * h, p * h, (m.family == "bert" ? 2 : 1) * h, h, h};
    t.layer = {h * h, h, h * h, h, h * h, h, h * h, h, h, h, h * i, i, i * h, h, h, h};
    t.back  = {h * h, h, h * h, h, h, h, v};
  }
  if (not m.tie_embeddings)
    t.back.push_back(v * h);
  return t;
}

double sum_of(const std::vector<double>& v, double threshold, bool below)
{
  double s = 0;
  for (double x : v)
    s += ((x < threshold) == below) ? x : 0;
  return s;
}

// stage3.py _create_fp16_sub_groups: partitions join a sub-group until it reaches sub_group_size, so a group
// can exceed it by one tensor. The largest group is what the step flattens and copies to fp32 at once.
double largest_sub_group(const ParamTensors& t, int layers, int gpus, double sub_group)
{
  double largest = 0, group = 0;
  const auto add = [&](double numel) {
    group += std::ceil(numel / gpus);
    if (group >= sub_group) {
      largest = std::max(largest, group);
      group   = 0;
    }
  };
  for (double x : t.front)
    add(x);
  for (int l = 0; l < layers; l++)
    for (double x : t.layer)
      add(x);
  for (double x : t.back)
    add(x);
  return std::max(largest, group);
}

// Partitioned parameters gathered when the loss runs, the start of the backward pass. The output head's weight
// is in use. A block stays gathered after its forward when its next use (its recomputation, or its backward)
// lies within stage3_max_reuse_distance elements of the modules in between
// (partitioned_param_coordinator.py __params_to_release): for the j-th block from the end those are the j - 1
// later blocks' forward, the head twice, and the later blocks' backward (twice with recomputation). The
// prefetcher adds up to stage3_prefetch_bucket_size more while fewer than stage3_max_live_parameters are
// gathered (fetch_sub_module).
double gathered_at_loss(const Experiment& e, const ParamTensors& t, double threshold)
{
  const auto& m               = e.model;
  const auto& tr              = e.training;
  const double block          = sum_of(t.layer, 0, false); // every tensor of a block counts in the reuse distance
  const double gathered_block = sum_of(t.layer, threshold, false);
  const double head =
      m.vocab * double(m.hidden) + (m.family == "bert" || m.family == "roberta" ? double(m.hidden) * m.hidden : 0);
  const double uses = tr.activation_recomputation ? 2 : 1;
  int kept          = 0;
  for (int j = 1; j <= m.layers; j++)
    if ((1 + uses) * (j - 1) * block + 2 * head < tr.max_reuse_distance_elements)
      kept = j;
  const double live  = head + kept * gathered_block;
  const double rest  = std::max(0.0, total_params(m) - live);
  const double ahead = std::min({tr.prefetch_bucket_elements, std::max(0.0, tr.max_live_elements - live), rest});
  return live + ahead;
}

} // namespace

GpuMemoryEstimate estimate_gpu_memory(const Experiment& e)
{
  const auto& m  = e.model;
  const auto& t  = e.training;
  const double b = t.micro_batch, s = t.sequence_length, h = m.hidden, eb = element_bytes(t.precision);
  const double params = total_params(m), threshold = t.param_persistence_threshold;
  const auto tensors = param_tensors(m);
  GpuMemoryEstimate g;
  g.capacity          = e.cluster.gpu.hbm_bytes;
  g.framework_reserve = e.cluster.framework_reserve_bytes;
  g.model_states      = zero3_bytes_per_gpu(params, e.gpus()).model_states();
  // parameter_offload.py mark_persistent_parameters: numel < threshold stays whole on every GPU.
  g.persistent_params =
      eb * (sum_of(tensors.front, threshold, true) + m.layers * sum_of(tensors.layer, threshold, true) +
            sum_of(tensors.back, threshold, true));
  // stage3.py _setup_for_real_optimizer: __ipg_bucket_flat_buffer, reduce_bucket_size elements, for the run.
  g.reduce_bucket = eb * t.reduce_bucket_elements;
  // pretrain_gpt.py keeps `outputs` (its fp16 logits) through model.backward and model.step.
  const double logits = b * s * m.vocab;
  g.held_logits       = eb * logits;
  g.gathered_params   = eb * gathered_at_loss(e, tensors, threshold);
  // Eager gelu_new (HF NewGELUActivation, 0.5*x*(1+tanh(c*(x+0.044715*x^3)))) saves tanh's output, 0.5*x and
  // 1+tanh for its backward, three b x s x intermediate tensors beside the fc output Korthikanti counts;
  // the fused GELU (F.gelu) saves only its input, which is that fc output.
  g.gelu_saved       = t.activation == Activation::gelu_new ? 3 * b * s * m.intermediate * eb : 0;
  const double layer = layer_activation_bytes(m, b, s, eb, t.attention == AttentionKernel::flash) + g.gelu_saved;
  if (t.activation_recomputation) {
    g.checkpointed   = m.layers * b * s * h * eb; // each block's input (torch.utils.checkpoint)
    g.layer_backward = 2 * layer;                 // one block rebuilt, plus its activations' gradients
  } else {
    g.checkpointed   = m.layers * layer;
    g.layer_backward = layer;
  }
  // transformers' causal-LM loss upcasts the logits (.float()): log_softmax's fp32 output, the gradient coming
  // in and the one going out live together during its backward. BertForMaskedLM's loss runs on the fp16 scores.
  const bool upcast = m.family == "gpt2" || m.is_llama();
  g.loss_backward   = 3 * logits * (upcast ? 4 : eb);
  // comm/coalesced_collectives.py reduce_scatter_coalesced: torch.cat of the bucket's gradients (full size,
  // before the scatter) into one buffer. The bucket fills within the pass when the model exceeds it.
  g.reduce_scatter_copy = eb * std::min(t.reduce_bucket_elements, params);
  g.copy_during_layer   = params > t.reduce_bucket_elements;
  // stage3.py _prepare_fp32_grad_for_sub_group: flatten(averaged_gradients) in fp16, then .to(fp32); before
  // it, get_grad_norm_direct makes a float64 copy of each gradient partition in turn.
  const double group          = largest_sub_group(tensors, m.layers, e.gpus(), t.sub_group_elements);
  const double largest_tensor = std::max({*std::max_element(tensors.front.begin(), tensors.front.end()),
                                          *std::max_element(tensors.layer.begin(), tensors.layer.end()),
                                          *std::max_element(tensors.back.begin(), tensors.back.end())});
  g.step_gradients            = std::max(group * (eb + 4), 8 * std::ceil(largest_tensor / e.gpus()));
  return g;
}

double GpuMemoryEstimate::backward_peak() const
{
  const double in_layer = layer_backward + (copy_during_layer ? reduce_scatter_copy : 0);
  return std::max(gathered_params + checkpointed + std::max(loss_backward, in_layer), reduce_scatter_copy);
}

double GpuMemoryEstimate::allocated_peak() const
{
  return held() + std::max(backward_peak(), step_peak());
}

std::vector<std::pair<std::string, double>> memory_items(const GpuMemoryEstimate& g)
{
  return {{"model states (16 B/param / GPUs)", g.model_states},
          {"persistent parameters (whole)", g.persistent_params},
          {"gradient bucket (reduce_bucket_size)", g.reduce_bucket},
          {"logits held by the loop", g.held_logits},
          {"backward: gathered parameters", g.gathered_params},
          {"backward: checkpointed activations", g.checkpointed},
          {"backward: loss softmax tensors", g.loss_backward},
          {"backward: one block (and gradients)", g.layer_backward},
          {"backward: of it, eager GELU saved", g.gelu_saved},
          {"backward: reduce-scatter cat copy", g.reduce_scatter_copy},
          {"backward peak (above held)", g.backward_peak()},
          {"step: sub-group fp16 + fp32 gradients", g.step_gradients},
          {"allocated peak", g.allocated_peak()},
          {"framework reserve (cluster)", g.framework_reserve},
          {"total", g.total()},
          {"capacity", g.capacity},
          {"free", g.free()}};
}

} // namespace gsim
