// The model as the ZeRO-3 / FSDP schedules see it: HuggingFace's module tree (parameters and the modules
// that own them, with each module's kernel time from the calibration) and one micro-batch's hooks in
// execution order. Pure: no SimGrid.
#include "models/zero3_schedule.hpp"

#include "models/config_error.hpp"
#include "models/transformer.hpp"

#include <optional>
#include <stdexcept>

namespace gsim {

namespace {

// ---- The model as HuggingFace builds it: parameters and the modules that own them (hooks fire per
// module: GPT2LMHeadModel, BertForMaskedLM, RobertaForMaskedLM of transformers 4.2x).

using Param  = ScheduleParam;
using Module = ScheduleModule;
using Event  = ScheduleEvent;

// Bytes one elementwise kernel moves: it reads `reads` tensors and writes `writes` tensors of `elements`.
double passes(double reads, double writes, double elements, double element_bytes)
{
  return (reads + writes) * elements * element_bytes;
}

// An elementwise op's backward reads the output gradient and the saved input and writes the input
// gradient: 3 passes for the forward's 2, so 1.5 x its bytes (PyTorch eager, unfused).
constexpr double kElementwiseBackwardRatio = 1.5;

GemmShape find_gemm(const std::vector<GemmShape>& gemms, const std::string& label)
{
  for (const auto& g : gemms)
    if (g.label == label)
      return g;
  throw std::logic_error("zero3_schedule: no GEMM " + label + " in models/transformer");
}

// The forward GEMM's backward, as models/transformer.cpp derives it for the blocks: for Y = X W,
// dX = dY W^T (m x k by n) and dW = X^T dY (k x n by m).
std::vector<GemmShape> backward_of(const GemmShape& f)
{
  return {{f.label + "_dgrad", f.m, f.k, f.n, f.batch}, {f.label + "_wgrad", f.k, f.n, f.m, f.batch}};
}

// One of the three separate query / key / value projections of BERT and RoBERTa: a third of the fused
// qkv GEMM's output columns.
GemmShape third_of_columns(GemmShape g)
{
  g.n /= 3;
  return g;
}

// Attention-probability dropout of HF's configs, which kernels_bench.py measured with: GPT2Config attn_pdrop,
// BertConfig / RobertaConfig attention_probs_dropout_prob 0.1; LlamaConfig attention_dropout 0.0.
double attention_dropout(const ModelSpec& m)
{
  return m.is_llama() ? 0.0 : 0.1;
}

class ModelBuilder {
 public:
  ModelBuilder(const Experiment& e, const CostModel& cost)
      : e_(e), cost_(cost), dt_(e.training.precision), eb_(element_bytes(e.training.precision))
  {
    const ModelSpec& m = e.model;
    t_                 = double(e.training.micro_batch) * e.training.sequence_length;
    h_                 = m.hidden;
    i_                 = m.intermediate;
    v_                 = m.vocab;
    scores_ =
        double(e.training.micro_batch) * m.heads * double(e.training.sequence_length) * e.training.sequence_length;
    att_  = {double(e.training.micro_batch),
             double(e.training.sequence_length),
             double(m.heads),
             double(m.kv()),
             m.head_dim(),
             m.family == "gpt2" || m.is_llama(),
             attention_dropout(m)};
    fwd_  = layer_forward_gemms(m, e.training.micro_batch, e.training.sequence_length);
    bwd_  = layer_backward_gemms(m, e.training.micro_batch, e.training.sequence_length);
    head_ = head_forward_gemms(m, e.training.micro_batch, e.training.sequence_length);
  }

  void build()
  {
    if (e_.model.family == "gpt2")
      build_gpt2();
    else if (e_.model.is_llama())
      build_llama();
    else
      build_bert_like();
  }

  std::vector<Param> params;
  std::vector<Module> modules;
  std::vector<std::string> sources; // Zero3Program::kernel_sources

 private:
  double gemm(const GemmShape& g) const { return cost_.gemm_time_s(g, dt_); }
  double gemms(const std::vector<GemmShape>& gs) const
  {
    double s = 0;
    for (const auto& g : gs)
      s += gemm(g);
    return s;
  }
  double mem(double bytes) const { return bytes > 0 ? cost_.memory_time_s(bytes) : 0; }
  // An elementwise module: forward bytes, backward 1.5 x.
  std::pair<double, double> eltwise(double fwd_bytes) const
  {
    return {mem(fwd_bytes), mem(kElementwiseBackwardRatio * fwd_bytes)};
  }

  // ---- Kernel variants: a measured forward and backward pair (kernels.json), plus analytic extra bytes.
  void source(const std::string& what, const std::string& how)
  {
    const std::string line = what + ": " + how;
    if (std::find(sources.begin(), sources.end(), line) == sources.end())
      sources.push_back(line);
  }
  std::pair<double, double> measured(const std::string& what, const std::optional<KernelCost>& f,
                                     const std::optional<KernelCost>& b, double extra_fwd_bytes)
  {
    source(what + " fwd", f->source);
    source(what + " bwd", b->source);
    const auto x = eltwise(extra_fwd_bytes);
    return {f->seconds + x.first, b->seconds + x.second};
  }
  [[noreturn]] void unmeasured(const std::string& family, const std::string& choice) const
  {
    throw ConfigError(cost_.calibration().dir(), family,
                      "no entry of this kernel (in fp16 or bf16, with " + e_.model.name +
                          "'s mask and dropout) in the calibration, needed for " + choice +
                          "; measure it with bench/gpu/kernels_bench.py (traces/calibration/README.md)");
  }
  std::string choice(const std::string& key, const std::string& value) const
  {
    return "training." + key + " = " + value + " (" + e_.model.family + ")";
  }

  // One layer's attention core, Q, K, V to the context. Measured: the eager or flash entry replaces the
  // attn_score / attn_context GEMMs and the scale, mask, softmax and dropout kernels. Without it, eager
  // attention is those GEMMs and four kernels each reading and writing the score tensor.
  std::pair<double, double> attention_core(double extra_fwd_bytes)
  {
    const AttentionKernel kind = e_.training.attention;
    const auto f               = cost_.attention_time(att_, kind, false, dt_, e_.model.family);
    const auto b               = cost_.attention_time(att_, kind, true, dt_, e_.model.family);
    const std::string what     = "attention (" + to_string(kind) + ")";
    if (f && b)
      return measured(what, f, b, extra_fwd_bytes);
    if (kind == AttentionKernel::flash || e_.model.is_llama())
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
  std::pair<double, double> activation(double width)
  {
    const Activation a    = e_.training.activation;
    const bool gpt2       = e_.model.family == "gpt2";
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
  std::pair<double, double> norm(double extra_fwd_bytes)
  {
    const bool fused = e_.training.norm == NormKernel::fused;
    const std::string fam =
        std::string(e_.model.is_llama() ? "norm_rmsnorm_" : "norm_layernorm_") + (fused ? "fused" : "unfused");
    const auto f = cost_.rowwise_kernel_time(fam + "_fwd", t_, h_, dt_);
    const auto b = cost_.rowwise_kernel_time(fam + "_bwd", t_, h_, dt_);
    if (f && b)
      return measured("norm " + fam.substr(5), f, b, extra_fwd_bytes);
    if (not fused || e_.model.is_llama())
      unmeasured(fam + (f ? "_bwd" : "_fwd"), choice("norm", to_string(e_.training.norm)));
    source("norm " + fam.substr(5), "no " + fam + " entry in " + source_relative(cost_.calibration().dir()) +
                                        ": one read+write pass (HBM curve)");
    return eltwise(passes(1, 1, t_ * h_, eb_) + extra_fwd_bytes);
  }

  // Llama's rotary embedding on Q and K (HF apply_rotary_pos_emb, eager).
  std::pair<double, double> rope()
  {
    const auto f = cost_.rope_time(att_, false, dt_);
    const auto b = cost_.rope_time(att_, true, dt_);
    if (not(f && b))
      unmeasured(f ? "rope_eager_bwd" : "rope_eager_fwd", "llama's rotary embeddings");
    return measured("rope", f, b, 0);
  }

  int param(const std::string& name, double numel)
  {
    params.push_back({name, numel, numel >= e_.training.param_persistence_threshold});
    return int(params.size()) - 1;
  }
  void module(const std::string& name, std::vector<int> ps = {}, std::pair<double, double> t = {0, 0}, int layer = -1)
  {
    modules.push_back({name, std::move(ps), t.first, t.second, layer});
  }
  // A linear layer: weight (and bias), its forward GEMM and its dgrad + wgrad GEMMs.
  void linear(const std::string& name, double in, double out, const GemmShape& f, const std::vector<GemmShape>& b,
              int layer, bool bias = true)
  {
    std::vector<int> ps = {param(name + ".weight", in * out)};
    if (bias)
      ps.push_back(param(name + ".bias", out));
    module(name, ps, {gemm(f), gemms(b)}, layer);
  }
  void layer_norm(const std::string& name, double extra_fwd_bytes, int layer)
  {
    module(name, {param(name + ".weight", h_), param(name + ".bias", h_)}, norm(extra_fwd_bytes), layer);
  }
  void rms_norm(const std::string& name, double extra_fwd_bytes, int layer)
  {
    module(name, {param(name + ".weight", h_)}, norm(extra_fwd_bytes), layer);
  }
  std::vector<GemmShape> bwd_pair(const std::string& base) const
  {
    return {find_gemm(bwd_, base + "_dgrad"), find_gemm(bwd_, base + "_wgrad")};
  }
  // The vocabulary-sized loss: log-softmax over T x V logits, `copies` extra passes (a shifted copy).
  std::pair<double, double> loss(double copies) const { return eltwise(passes(1, 1, t_ * v_, eb_) * (1 + copies)); }
  // Embedding lookup: gather rows (read + write T x h); backward zeroes the dense V x h gradient and
  // scatter-adds T x h rows into it.
  std::pair<double, double> embedding(double rows) const
  {
    return {mem(passes(1, 1, t_ * h_, eb_)), mem(passes(0, 1, rows * h_, eb_) + passes(1, 1, t_ * h_, eb_))};
  }
  // The output head: its own weight when the embeddings are untied (models/transformer.cpp counts it).
  int head_weight(int tied, const std::string& name) { return e_.model.tie_embeddings ? tied : param(name, v_ * h_); }

  void build_gpt2()
  {
    const ModelSpec& m = e_.model;
    module("model");
    module("transformer");
    const int wte = param("wte.weight", v_ * h_);
    module("wte", {wte}, embedding(v_));
    module("wpe", {param("wpe.weight", double(m.max_positions) * h_)}, embedding(m.max_positions));
    module("drop", {}, eltwise(passes(2, 1, t_ * h_, eb_))); // wte + wpe, then dropout
    for (int l = 0; l < m.layers; l++) {
      const std::string p = std::string("h").append(std::to_string(l));
      module(p, {}, {0, 0}, l);
      layer_norm(p + ".ln_1", 0, l);
      module(p + ".attn", {}, {0, 0}, l);
      linear(p + ".attn.c_attn", h_, 3 * h_, find_gemm(fwd_, "qkv_fwd"), bwd_pair("qkv"), l);
      module(p + ".attn.attn_dropout", {}, attention_core(passes(1, 1, t_ * h_, eb_)), l); // + merge-heads copy
      linear(p + ".attn.c_proj", h_, h_, find_gemm(fwd_, "attn_out_fwd"), bwd_pair("attn_out"), l);
      module(p + ".attn.resid_dropout", {}, eltwise(passes(1, 1, t_ * h_, eb_) + passes(2, 1, t_ * h_, eb_)), l);
      layer_norm(p + ".ln_2", 0, l);
      module(p + ".mlp", {}, {0, 0}, l);
      linear(p + ".mlp.c_fc", h_, i_, find_gemm(fwd_, "mlp_up_fwd"), bwd_pair("mlp_up"), l);
      module(p + ".mlp.act", {}, activation(i_), l);
      linear(p + ".mlp.c_proj", i_, h_, find_gemm(fwd_, "mlp_down_fwd"), bwd_pair("mlp_down"), l);
      module(p + ".mlp.dropout", {}, eltwise(passes(1, 1, t_ * h_, eb_) + passes(2, 1, t_ * h_, eb_)), l);
    }
    layer_norm("ln_f", 0, -1);
    // The LM head is tied to wte (its module owns that parameter) unless tie_embeddings is false; the loss
    // shifts the logits (one copy).
    const auto head = find_gemm(head_, "lm_head_fwd");
    const auto l    = loss(1);
    module("lm_head", {head_weight(wte, "lm_head.weight")},
           {gemm(head) + l.first, gemms(backward_of(head)) + l.second});
  }

  // HF LlamaForCausalLM: no biases, RMSNorms, grouped-query attention with rotary embeddings, SwiGLU MLP.
  void build_llama()
  {
    const ModelSpec& m = e_.model;
    module("LlamaForCausalLM");
    module("model");
    const int embed = param("model.embed_tokens.weight", v_ * h_);
    module("model.embed_tokens", {embed}, embedding(v_));
    // model.rotary_emb computes cos and sin (b x s x head_dim) once per forward: 1/64 of one pass over the
    // hidden states of Llama 3 70B, not priced.
    const double kv_width = double(m.kv()) * m.head_dim();
    for (int l = 0; l < m.layers; l++) {
      const std::string p = "model.layers." + std::to_string(l);
      // The decoder layer's own step carries its second residual add (hidden + MLP output, inline in its
      // forward); the first is charged to post_attention_layernorm, which it feeds.
      module(p, {}, eltwise(passes(2, 1, t_ * h_, eb_)), l);
      rms_norm(p + ".input_layernorm", 0, l);
      module(p + ".self_attn", {}, {0, 0}, l);
      linear(p + ".self_attn.q_proj", h_, h_, find_gemm(fwd_, "q_fwd"), bwd_pair("q"), l, false);
      linear(p + ".self_attn.k_proj", h_, kv_width, find_gemm(fwd_, "k_fwd"), bwd_pair("k"), l, false);
      linear(p + ".self_attn.v_proj", h_, kv_width, find_gemm(fwd_, "v_fwd"), bwd_pair("v"), l, false);
      // Functions inside LlamaAttention.forward, not modules (no hooks of their own): steps of their own here.
      module(p + ".self_attn.apply_rotary_pos_emb", {}, rope(), l);
      module(p + ".self_attn.attention_interface", {}, attention_core(passes(1, 1, t_ * h_, eb_)), l); // + merge
      linear(p + ".self_attn.o_proj", h_, h_, find_gemm(fwd_, "attn_out_fwd"), bwd_pair("attn_out"), l, false);
      rms_norm(p + ".post_attention_layernorm", passes(2, 1, t_ * h_, eb_), l);
      module(p + ".mlp", {}, {0, 0}, l);
      // down_proj(act_fn(gate_proj(x)) * up_proj(x)): act_fn's step carries the whole SwiGLU (silu and the
      // product), which kernels.json measures as one.
      linear(p + ".mlp.gate_proj", h_, i_, find_gemm(fwd_, "mlp_gate_fwd"), bwd_pair("mlp_gate"), l, false);
      module(p + ".mlp.act_fn", {}, activation(i_), l);
      linear(p + ".mlp.up_proj", h_, i_, find_gemm(fwd_, "mlp_up_fwd"), bwd_pair("mlp_up"), l, false);
      linear(p + ".mlp.down_proj", i_, h_, find_gemm(fwd_, "mlp_down_fwd"), bwd_pair("mlp_down"), l, false);
    }
    rms_norm("model.norm", 0, -1);
    // The loss (transformers >= 4.46 ForCausalLMLoss): the logits upcast to fp32 (read, then write 4 bytes
    // each), then cross-entropy over them (log-softmax: read and write); the labels are shifted, not the logits.
    const auto head = find_gemm(head_, "lm_head_fwd");
    const auto l    = eltwise(t_ * v_ * (eb_ + 4) + passes(1, 1, t_ * v_, 4));
    module("lm_head", {head_weight(embed, "lm_head.weight")},
           {gemm(head) + l.first, gemms(backward_of(head)) + l.second});
  }

  void build_bert_like()
  {
    const ModelSpec& m  = e_.model;
    const bool roberta  = m.family == "roberta";
    const std::string b = roberta ? "roberta" : "bert";
    module("model");
    module(b);
    module(b + ".embeddings");
    const int word = param(b + ".embeddings.word_embeddings.weight", v_ * h_);
    module(b + ".embeddings.word_embeddings", {word}, embedding(v_));
    module(b + ".embeddings.position_embeddings",
           {param(b + ".embeddings.position_embeddings.weight", double(m.max_positions) * h_)},
           embedding(m.max_positions));
    const double types = roberta ? 1 : 2;
    module(b + ".embeddings.token_type_embeddings", {param(b + ".embeddings.token_type_embeddings.weight", types * h_)},
           embedding(types));
    layer_norm(b + ".embeddings.LayerNorm", passes(3, 1, t_ * h_, eb_), -1); // the three embeddings' sum
    module(b + ".embeddings.dropout", {}, eltwise(passes(1, 1, t_ * h_, eb_)));
    module(b + ".encoder");
    const GemmShape qkv = find_gemm(fwd_, "qkv_fwd");
    const auto qkv_bwd  = bwd_pair("qkv");
    for (int l = 0; l < m.layers; l++) {
      const std::string p = b + ".encoder.layer." + std::to_string(l);
      module(p, {}, {0, 0}, l);
      module(p + ".attention", {}, {0, 0}, l);
      module(p + ".attention.self", {}, {0, 0}, l);
      for (const char* proj : {"query", "key", "value"})
        linear(p + ".attention.self." + proj, h_, h_, third_of_columns(qkv),
               {[&] {
                  GemmShape d = qkv_bwd[0]; // dX = dY W^T: a third of the reduction
                  d.k /= 3;
                  return d;
                }(),
                third_of_columns(qkv_bwd[1])},
               l);
      // Attention-probability dropout module; the context's permute + contiguous copy runs with it.
      module(p + ".attention.self.dropout", {}, attention_core(passes(1, 1, t_ * h_, eb_)), l);
      module(p + ".attention.output", {}, {0, 0}, l);
      linear(p + ".attention.output.dense", h_, h_, find_gemm(fwd_, "attn_out_fwd"), bwd_pair("attn_out"), l);
      module(p + ".attention.output.dropout", {}, eltwise(passes(1, 1, t_ * h_, eb_)), l);
      layer_norm(p + ".attention.output.LayerNorm", passes(2, 1, t_ * h_, eb_), l); // + residual add
      module(p + ".intermediate", {}, {0, 0}, l);
      linear(p + ".intermediate.dense", h_, i_, find_gemm(fwd_, "mlp_up_fwd"), bwd_pair("mlp_up"), l);
      module(p + ".intermediate.intermediate_act_fn", {}, activation(i_), l); // F.gelu
      module(p + ".output", {}, {0, 0}, l);
      linear(p + ".output.dense", i_, h_, find_gemm(fwd_, "mlp_down_fwd"), bwd_pair("mlp_down"), l);
      module(p + ".output.dropout", {}, eltwise(passes(1, 1, t_ * h_, eb_)), l);
      layer_norm(p + ".output.LayerNorm", passes(2, 1, t_ * h_, eb_), l);
    }
    // MLM head: transform (dense, GELU, LayerNorm), then the decoder tied to the word embeddings (unless
    // tie_embeddings is false).
    const std::string c = roberta ? "lm_head" : "cls.predictions";
    module(c);
    const auto transform = find_gemm(head_, "mlm_transform_fwd");
    linear(c + (roberta ? ".dense" : ".transform.dense"), h_, h_, transform, backward_of(transform), -1);
    module(c + (roberta ? ".gelu" : ".transform.transform_act_fn"), {}, activation(h_));
    layer_norm(c + (roberta ? ".layer_norm" : ".transform.LayerNorm"), 0, -1);
    const auto decoder = find_gemm(head_, "lm_head_fwd");
    const auto l       = loss(0);
    module(c + ".decoder", {head_weight(word, c + ".decoder.weight"), param(c + ".bias", v_)},
           {gemm(decoder) + l.first, gemms(backward_of(decoder)) + l.second});
  }

  const Experiment& e_;
  const CostModel& cost_;
  Dtype dt_;
  double eb_;
  double t_ = 0, h_ = 0, i_ = 0, v_ = 0, scores_ = 0;
  AttentionShape att_;
  std::vector<GemmShape> fwd_, bwd_, head_;
};

} // namespace

// ---- One micro-batch's module hooks, in execution order.

std::vector<Event> micro_batch_events(const std::vector<Module>& modules, bool recomputation)
{
  std::vector<Event> ev;
  for (int i = 0; i < int(modules.size()); i++)
    ev.push_back({i, false, false});
  // Backward: modules in reverse; with activation checkpointing a block first reruns its forward.
  int last_layer = -2;
  for (int i = int(modules.size()) - 1; i >= 0; i--) {
    const int layer = modules[size_t(i)].layer;
    if (recomputation && layer >= 0 && layer != last_layer)
      for (int j = 0; j < int(modules.size()); j++)
        if (modules[size_t(j)].layer == layer)
          ev.push_back({j, false, true});
    last_layer = layer;
    ev.push_back({i, true, false});
  }
  return ev;
}

ScheduleModel hf_schedule_model(const Experiment& e, const CostModel& cost, std::vector<std::string>& kernel_sources)
{
  ModelBuilder model(e, cost);
  model.build();
  kernel_sources = model.sources;
  return {model.params, model.modules, micro_batch_events(model.modules, e.training.activation_recomputation)};
}

} // namespace gsim
