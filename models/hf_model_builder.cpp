// The kernel pricing and the module-tree pieces of the HuggingFace model builder
// (models/hf_model_builder.hpp says why they are a file of their own). Pure: no SimGrid.
#include "models/hf_model_builder.hpp"

#include "models/config_error.hpp"

#include <algorithm>
#include <stdexcept>

namespace gsim::hf_detail {

namespace {

// Attention-probability dropout of HF's configs, which kernels_bench.py measured with: GPT2Config attn_pdrop,
// BertConfig / RobertaConfig attention_probs_dropout_prob 0.1; LlamaConfig attention_dropout 0.0.
double attention_dropout(const ModelSpec& m)
{
  return m.is_llama() ? 0.0 : 0.1;
}

} // namespace

GemmShape find_gemm(const std::vector<GemmShape>& gemms, const std::string& label)
{
  for (const auto& g : gemms)
    if (g.label == label)
      return g;
  throw std::logic_error("zero3_schedule: no GEMM " + label + " in models/transformer");
}

std::vector<GemmShape> backward_of(const GemmShape& f)
{
  return {{f.label + "_dgrad", f.m, f.k, f.n, f.batch}, {f.label + "_wgrad", f.k, f.n, f.m, f.batch}};
}

ModelBuilder::ModelBuilder(const ModelSpec& model, const TrainingSpec& training, const CostModel& cost)
    : model_(model), training_(training), cost_(cost), dt_(training.precision), eb_(element_bytes(training.precision))
{
  const ModelSpec& m = model;
  t_                 = double(training.micro_batch) * training.sequence_length;
  h_                 = m.hidden;
  i_                 = m.intermediate;
  v_                 = m.vocab;
  scores_ = double(training.micro_batch) * m.heads * double(training.sequence_length) * training.sequence_length;
  att_    = {double(training.micro_batch),
             double(training.sequence_length),
             double(m.heads),
             double(m.kv()),
             m.head_dim(),
             m.family == "gpt2" || m.is_llama(),
             attention_dropout(m)};
  fwd_    = layer_forward_gemms(m, training.micro_batch, training.sequence_length);
  bwd_    = layer_backward_gemms(m, training.micro_batch, training.sequence_length);
  head_   = head_forward_gemms(m, training.micro_batch, training.sequence_length);
}

void ModelBuilder::build()
{
  if (model_.family == "gpt2")
    build_gpt2();
  else if (model_.is_llama())
    build_llama();
  else
    build_bert_like();
}

// ---- Kernel variants: a measured forward and backward pair (kernels.json), plus analytic extra bytes.

void ModelBuilder::source(const std::string& what, const std::string& how)
{
  const std::string line = what + ": " + how;
  if (std::find(sources.begin(), sources.end(), line) == sources.end())
    sources.push_back(line);
}

std::pair<double, double> ModelBuilder::measured(const std::string& what, const std::optional<KernelCost>& f,
                                                 const std::optional<KernelCost>& b, double extra_fwd_bytes)
{
  source(what + " fwd", f->source);
  source(what + " bwd", b->source);
  const auto x = eltwise(extra_fwd_bytes);
  return {f->seconds + x.first, b->seconds + x.second};
}

void ModelBuilder::unmeasured(const std::string& family, const std::string& choice) const
{
  throw ConfigError(cost_.calibration().dir(), family,
                    "no entry of this kernel (in fp16 or bf16, with " + model_.name +
                        "'s mask and dropout) in the calibration, needed for " + choice +
                        "; measure it with bench/gpu/kernels_bench.py (traces/calibration/README.md)");
}

std::string ModelBuilder::choice(const std::string& key, const std::string& value) const
{
  return "training." + key + " = " + value + " (" + model_.family + ")";
}

// One layer's attention core, Q, K, V to the context. Measured: the eager or flash entry replaces the
// attn_score / attn_context GEMMs and the scale, mask, softmax and dropout kernels. Without it, eager
// attention is those GEMMs and four kernels each reading and writing the score tensor.
std::pair<double, double> ModelBuilder::attention_core(double extra_fwd_bytes)
{
  const AttentionKernel kind = training_.attention;
  const auto f               = cost_.attention_time(att_, kind, false, dt_, model_.family);
  const auto b               = cost_.attention_time(att_, kind, true, dt_, model_.family);
  const std::string what     = "attention (" + to_string(kind) + ")";
  if (f && b)
    return measured(what, f, b, extra_fwd_bytes);
  if (kind == AttentionKernel::flash || model_.is_llama())
    unmeasured(std::string(f ? "attn_" + to_string(kind) + "_bwd" : "attn_" + to_string(kind) + "_fwd"),
               choice("attention", to_string(kind)));
  source(what, "no attn_eager entry in " + source_relative(cost_.calibration().dir()) +
                   ": the batched GEMMs plus 4 read+write passes over the scores (HBM curve)");
  const auto e    = eltwise(4 * passes(1, 1, scores_, eb_) + extra_fwd_bytes);
  const double f2 = gemm(find_gemm(fwd_, "attn_score_fwd")) + gemm(find_gemm(fwd_, "attn_context_fwd")) + e.first;
  const double b2 = gemms({find_gemm(bwd_, "attn_context_dgrad"), find_gemm(bwd_, "attn_context_dgrad2"),
                           find_gemm(bwd_, "attn_score_dgrad"), find_gemm(bwd_, "attn_score_dgrad2")}) +
                    e.second;
  return {f2, b2};
}

// The MLP activation over tokens x `width`. Without a measurement: gelu_new as 8 eager kernels (pow, 3
// multiplies, 2 adds, tanh, a final multiply: 19 passes), a fused GELU as one read and one write.
std::pair<double, double> ModelBuilder::activation(double width)
{
  const Activation a    = training_.activation;
  const bool gpt2       = model_.family == "gpt2";
  const std::string fam = a == Activation::gelu_new ? "act_gelu_new_eager"
                          : a == Activation::gelu   ? (gpt2 ? "act_gelu_tanh_fused" : "act_gelu_erf_fused")
                          : a == Activation::swiglu ? "act_swiglu_eager"
                                                    : "act_swiglu_compiled";
  const auto f          = cost_.rowwise_kernel_time(fam + "_fwd", t_, width, dt_);
  const auto b          = cost_.rowwise_kernel_time(fam + "_bwd", t_, width, dt_);
  if (f && b)
    return measured("activation " + to_string(a) + " (width " + std::to_string(int64_t(width)) + ")", f, b, 0);
  if (a == Activation::swiglu || a == Activation::swiglu_fused)
    unmeasured(fam + (f ? "_bwd" : "_fwd"), choice("activation", to_string(a)));
  source("activation " + to_string(a),
         "no " + fam + " entry in " + source_relative(cost_.calibration().dir()) + ": counted passes (HBM curve)");
  return eltwise(a == Activation::gelu_new ? passes(11, 8, t_ * width, eb_) : passes(1, 1, t_ * width, eb_));
}

// One norm over tokens x hidden (with `extra_fwd_bytes` of the residual add or sum before it). Without a
// measurement, a fused LayerNorm is one read and one write.
std::pair<double, double> ModelBuilder::norm(double extra_fwd_bytes)
{
  const bool fused = training_.norm == NormKernel::fused;
  const std::string fam =
      std::string(model_.is_llama() ? "norm_rmsnorm_" : "norm_layernorm_") + (fused ? "fused" : "unfused");
  const auto f = cost_.rowwise_kernel_time(fam + "_fwd", t_, h_, dt_);
  const auto b = cost_.rowwise_kernel_time(fam + "_bwd", t_, h_, dt_);
  if (f && b)
    return measured("norm " + fam.substr(5), f, b, extra_fwd_bytes);
  if (not fused || model_.is_llama())
    unmeasured(fam + (f ? "_bwd" : "_fwd"), choice("norm", to_string(training_.norm)));
  source("norm " + fam.substr(5),
         "no " + fam + " entry in " + source_relative(cost_.calibration().dir()) + ": one read+write pass (HBM curve)");
  return eltwise(passes(1, 1, t_ * h_, eb_) + extra_fwd_bytes);
}

// Llama's rotary embedding on Q and K (HF apply_rotary_pos_emb, eager).
std::pair<double, double> ModelBuilder::rope()
{
  const auto f = cost_.rope_time(att_, false, dt_);
  const auto b = cost_.rope_time(att_, true, dt_);
  if (not(f && b))
    unmeasured(f ? "rope_eager_bwd" : "rope_eager_fwd", "llama's rotary embeddings");
  return measured("rope", f, b, 0);
}

// ---- The module tree's pieces.

int ModelBuilder::param(const std::string& name, double numel)
{
  params.push_back({name, numel, numel >= training_.param_persistence_threshold});
  return int(params.size()) - 1;
}

void ModelBuilder::module(const std::string& name, std::vector<int> ps, std::pair<double, double> t, int layer)
{
  modules.push_back({name, std::move(ps), t.first, t.second, layer});
}

// A linear layer: weight (and bias), its forward GEMM and its dgrad + wgrad GEMMs.
void ModelBuilder::linear(const std::string& name, double in, double out, const GemmShape& f,
                          const std::vector<GemmShape>& b, int layer, bool bias)
{
  std::vector<int> ps = {param(name + ".weight", in * out)};
  if (bias)
    ps.push_back(param(name + ".bias", out));
  module(name, ps, {gemm(f), gemms(b)}, layer);
}

void ModelBuilder::layer_norm(const std::string& name, double extra_fwd_bytes, int layer)
{
  module(name, {param(name + ".weight", h_), param(name + ".bias", h_)}, norm(extra_fwd_bytes), layer);
}

void ModelBuilder::rms_norm(const std::string& name, double extra_fwd_bytes, int layer)
{
  module(name, {param(name + ".weight", h_)}, norm(extra_fwd_bytes), layer);
}

std::vector<GemmShape> ModelBuilder::bwd_pair(const std::string& base) const
{
  return {find_gemm(bwd_, base + "_dgrad"), find_gemm(bwd_, base + "_wgrad")};
}

} // namespace gsim::hf_detail
