#pragma once
// Transformer arithmetic: parameter counts, FLOPs of one micro-batch, and the GEMM shapes a layer runs.
// Conventions: a multiply-add is 2 FLOPs; T = micro_batch * sequence_length tokens. Attention scores are counted
// over the whole s x s matrix (what eager attention computes, causal or not); a causal FlashAttention kernel skips
// about half of it, which its calibrated time carries (bench/gpu/kernels_bench.py), not these FLOPs.
// Families (models/config.hpp ModelSpec): gpt2, bert, roberta as the HF classes (biases, two LayerNorms, a 2-matrix
// GELU MLP, learned positions); llama as HF LlamaForCausalLM (no biases, two RMSNorms, SwiGLU MLP of three
// matrices, rotary positions, grouped-query attention with kv_heads key/value heads).
#include "models/config.hpp"

#include <string>
#include <vector>

namespace gsim {

/** Parameters of one transformer block (attention + MLP + 2 norms; biases where the family has them). */
double params_per_layer(const ModelSpec& m);
/** Parameters outside the blocks: embeddings, final norms, pooler / MLM head as the family has them, and the
 *  output head's own weight when tie_embeddings is false. */
double embedding_params(const ModelSpec& m);
/** All parameters. */
double total_params(const ModelSpec& m);

/** One GEMM: C[m x n] = A[m x k] * B[k x n], `batch` independent times. */
struct GemmShape {
  std::string label; // e.g. "qkv_fwd", "mlp_up_dgrad"
  double m     = 0;
  double n     = 0;
  double k     = 0;
  double batch = 1;
  double flops() const { return 2 * m * n * k * batch; }
};

/** The GEMMs of one block's forward pass for one micro-batch, in execution order. gpt2/bert/roberta: qkv (fused
 *  c_attn / query-key-value), attn_score, attn_context, attn_out, mlp_up, mlp_down. llama: q, k, v (k and v at
 *  kv_heads x head_dim columns), attn_score, attn_context (per query head: b x heads batches), attn_out,
 *  mlp_gate, mlp_up, mlp_down. */
std::vector<GemmShape> layer_forward_gemms(const ModelSpec& m, int micro_batch, int sequence_length);
/** The backward GEMMs of one block: for each forward GEMM, its data-gradient and weight-gradient GEMM
 *  (the batched attention GEMMs have two data-gradient GEMMs and no weights). */
std::vector<GemmShape> layer_backward_gemms(const ModelSpec& m, int micro_batch, int sequence_length);
/** GEMMs of the output (language-model / MLM) head, forward; backward is twice these. */
std::vector<GemmShape> head_forward_gemms(const ModelSpec& m, int micro_batch, int sequence_length);
/** The head's backward GEMMs (data and weight gradient of each forward GEMM, reverse order): the LM head's
 *  dgrad has the vocabulary as its inner dimension k, which runs at another speed than the forward. */
std::vector<GemmShape> head_backward_gemms(const ModelSpec& m, int micro_batch, int sequence_length);

struct MicroBatchFlops {
  double forward       = 0; // all blocks + head
  double backward      = 0; // 2x forward
  double recomputation = 0; // blocks' forward again, when activation recomputation is on
  double total() const { return forward + backward + recomputation; }
};
MicroBatchFlops micro_batch_flops(const ModelSpec& m, const TrainingSpec& t);

} // namespace gsim
