// BERT's and RoBERTa's module trees (BertForMaskedLM, RobertaForMaskedLM of transformers 4.2x) for the
// ZeRO-3 / FSDP schedules: a file of its own beside GPT-2's and Llama's (models/hf_schedule_model.cpp) so
// that each stays under ~400 lines (issue 10). Pure: no SimGrid.
#include "models/hf_model_builder.hpp"

namespace gsim::hf_detail {

namespace {

// One of the three separate query / key / value projections of BERT and RoBERTa: a third of the fused
// qkv GEMM's output columns.
GemmShape third_of_columns(GemmShape g)
{
  g.n /= 3;
  return g;
}

} // namespace

void ModelBuilder::build_bert_like()
{
  const ModelSpec& m  = model_;
  const bool roberta  = m.family == "roberta";
  const std::string b = roberta ? "roberta" : "bert";
  module("model");
  module(b);
  module(b + ".embeddings");
  const int word = embedding_table(b + ".embeddings.word_embeddings", v_);
  embedding_table(b + ".embeddings.position_embeddings", m.max_positions);
  embedding_table(b + ".embeddings.token_type_embeddings", roberta ? 1 : 2);
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

} // namespace gsim::hf_detail
