#pragma once
// Transformer arithmetic: parameter counts, FLOPs of one micro-batch, and the GEMM shapes a layer runs.
// Conventions: a multiply-add is 2 FLOPs; T = micro_batch * sequence_length tokens.
#include "models/config.hpp"

#include <string>
#include <vector>

namespace gsim {

/** Parameters of one transformer block (attention + MLP + 2 layer norms, biases included). */
double params_per_layer(const ModelSpec& m);
/** Parameters outside the blocks: embeddings, final norms, pooler / MLM head as the family has them. */
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

/** The GEMMs of one block's forward pass for one micro-batch, in execution order. */
std::vector<GemmShape> layer_forward_gemms(const ModelSpec& m, int micro_batch, int sequence_length);
/** The backward GEMMs of one block: for each forward GEMM, its data-gradient and weight-gradient GEMM
 *  (the batched attention GEMMs have two data-gradient GEMMs and no weights). */
std::vector<GemmShape> layer_backward_gemms(const ModelSpec& m, int micro_batch, int sequence_length);
/** GEMMs of the output (language-model / MLM) head, forward; backward is twice these. */
std::vector<GemmShape> head_forward_gemms(const ModelSpec& m, int micro_batch, int sequence_length);

struct MicroBatchFlops {
  double forward       = 0; // all blocks + head
  double backward      = 0; // 2x forward
  double recomputation = 0; // blocks' forward again, when activation recomputation is on
  double total() const { return forward + backward + recomputation; }
};
MicroBatchFlops micro_batch_flops(const ModelSpec& m, const TrainingSpec& t);

} // namespace gsim
