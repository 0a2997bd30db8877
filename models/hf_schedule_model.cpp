// The model as the ZeRO-3 / FSDP schedules see it: HuggingFace's module tree (parameters and the modules
// that own them, with each module's kernel time from the calibration) and one micro-batch's hooks in
// execution order. Pure: no SimGrid.
#include "models/zero3_schedule.hpp"

#include "models/hf_model_builder.hpp"

namespace gsim {

namespace hf_detail {

void ModelBuilder::build_gpt2()
{
  const ModelSpec& m = model_;
  module("model");
  module("transformer");
  const int wte = embedding_table("wte", v_);
  embedding_table("wpe", m.max_positions);
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
  module("lm_head", {head_weight(wte, "lm_head.weight")}, {gemm(head) + l.first, gemms(backward_of(head)) + l.second});
}

// HF LlamaForCausalLM: no biases, RMSNorms, grouped-query attention with rotary embeddings, SwiGLU MLP.
void ModelBuilder::build_llama()
{
  const ModelSpec& m = model_;
  module("LlamaForCausalLM");
  module("model");
  const int embed = embedding_table("model.embed_tokens", v_);
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

} // namespace hf_detail

using hf_detail::Event;
using hf_detail::ModelBuilder;
using hf_detail::Module;

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
  ModelBuilder model(e.model, e.training, cost);
  model.build();
  kernel_sources = model.sources;
  return {model.params, model.modules, micro_batch_events(model.modules, e.training.activation_recomputation)};
}

} // namespace gsim
