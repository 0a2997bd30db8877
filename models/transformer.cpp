#include "models/transformer.hpp"

namespace gsim {

namespace {

// For Y = X W: dX = dY W^T (m x k by n), dW = X^T dY (k x n by m); the batched attention GEMMs have two
// data gradients and no weights. Reverse order, as autograd runs it.
std::vector<GemmShape> backward_of(const std::vector<GemmShape>& fwd)
{
  std::vector<GemmShape> out;
  for (auto it = fwd.rbegin(); it != fwd.rend(); ++it) {
    std::string base = it->label.substr(0, it->label.size() - 4); // drop "_fwd"
    out.push_back({base + "_dgrad", it->m, it->k, it->n, it->batch});
    out.push_back({base + (it->batch > 1 ? "_dgrad2" : "_wgrad"), it->k, it->n, it->m, it->batch});
  }
  return out;
}

} // namespace

double params_per_layer(const ModelSpec& m)
{
  const double h = m.hidden, i = m.intermediate;
  if (m.is_llama()) {
    // HF LlamaDecoderLayer: q_proj (h x heads*d = h x h), k_proj and v_proj (h x kv*d), o_proj (h x h), no
    // biases; gate_proj and up_proj (h x i), down_proj (i x h); input and post-attention RMSNorm (scale only).
    const double kv_width  = m.kv() * m.head_dim();
    const double attention = 2 * h * h + 2 * h * kv_width;
    const double mlp       = 3 * h * i;
    const double norms     = 2 * h;
    return attention + mlp + norms;
  }
  const double attention = 4 * h * h + 4 * h; // Q, K, V and output projections with biases
  const double mlp       = 2 * h * i + i + h; // up and down projections with biases
  const double norms     = 2 * 2 * h;         // two layer norms, scale and shift
  return attention + mlp + norms;
}

double embedding_params(const ModelSpec& m)
{
  const double h = m.hidden, v = m.vocab, p = m.max_positions;
  double params = 0;
  if (m.is_llama())
    params = v * h + h; // token embeddings, final RMSNorm; rotary positions have no weights
  else if (m.family == "gpt2")
    params = v * h + p * h + 2 * h; // token + position embeddings, final layer norm
  else {
    // BERT / RoBERTa (HuggingFace layout): token, position and token-type embeddings + their norm,
    // the pooler, and the MLM head's transform + norm + output bias.
    const double token_types = m.family == "bert" ? 2 : 1;
    params                   = v * h + p * h + token_types * h + 2 * h + (h * h + h) + (h * h + h + 2 * h + v);
  }
  if (not m.tie_embeddings)
    params += v * h; // the LM head's (or MLM decoder's) own weight; GPT-2's and Llama's lm_head have no bias
  return params;
}

double total_params(const ModelSpec& m)
{
  return m.layers * params_per_layer(m) + embedding_params(m);
}

std::vector<GemmShape> layer_forward_gemms(const ModelSpec& m, int micro_batch, int sequence_length)
{
  const double t = double(micro_batch) * sequence_length, h = m.hidden, i = m.intermediate;
  const double s = sequence_length, d = double(m.hidden) / m.heads, bh = double(micro_batch) * m.heads;
  if (m.is_llama()) {
    const double kv_width = m.kv() * d; // GQA: K and V have kv_heads heads, repeated to all query heads
    return {
        {"q_fwd", t, h, h, 1},
        {"k_fwd", t, kv_width, h, 1},
        {"v_fwd", t, kv_width, h, 1},
        {"attn_score_fwd", s, s, d, bh},   // Q K^T per query head
        {"attn_context_fwd", s, d, s, bh}, // softmax(QK^T) V per query head
        {"attn_out_fwd", t, h, h, 1},
        {"mlp_gate_fwd", t, i, h, 1},
        {"mlp_up_fwd", t, i, h, 1},
        {"mlp_down_fwd", t, h, i, 1},
    };
  }
  return {
      {"qkv_fwd", t, 3 * h, h, 1},       {"attn_score_fwd", s, s, d, bh}, // Q K^T per head
      {"attn_context_fwd", s, d, s, bh},                                  // softmax(QK^T) V per head
      {"attn_out_fwd", t, h, h, 1},      {"mlp_up_fwd", t, i, h, 1},      {"mlp_down_fwd", t, h, i, 1},
  };
}

std::vector<GemmShape> layer_backward_gemms(const ModelSpec& m, int micro_batch, int sequence_length)
{
  return backward_of(layer_forward_gemms(m, micro_batch, sequence_length));
}

std::vector<GemmShape> head_forward_gemms(const ModelSpec& m, int micro_batch, int sequence_length)
{
  const double t = double(micro_batch) * sequence_length;
  std::vector<GemmShape> out;
  if (m.family == "bert" || m.family == "roberta") // the MLM head's dense transform before the decoder
    out.push_back({"mlm_transform_fwd", t, double(m.hidden), double(m.hidden), 1});
  out.push_back({"lm_head_fwd", t, double(m.vocab), double(m.hidden), 1});
  return out;
}

std::vector<GemmShape> head_backward_gemms(const ModelSpec& m, int micro_batch, int sequence_length)
{
  return backward_of(head_forward_gemms(m, micro_batch, sequence_length));
}

MicroBatchFlops micro_batch_flops(const ModelSpec& m, const TrainingSpec& t)
{
  double layer = 0, head = 0;
  for (const auto& g : layer_forward_gemms(m, t.micro_batch, t.sequence_length))
    layer += g.flops();
  for (const auto& g : head_forward_gemms(m, t.micro_batch, t.sequence_length))
    head += g.flops();
  MicroBatchFlops f;
  f.forward       = m.layers * layer + head;
  f.backward      = 2 * f.forward;
  f.recomputation = t.activation_recomputation ? m.layers * layer : 0;
  return f;
}

} // namespace gsim
