#pragma once
// The bridge from gemini_models to the CUDA benchmarks: the GEMM shapes of the configured models and
// nccl-tests' bus factors, behind a header free of nlohmann/json so that nvcc never compiles the models'
// headers (g++ compiles model_shapes.cpp with the house warnings).
#include <cstdint>
#include <string>
#include <vector>

namespace gsim::gpubench {

/** One GEMM to benchmark: C[m x n] = A[m x k] * B[k x n], `batch` times (models/transformer.hpp). */
struct BenchGemm {
  std::string label; // every "model/gemm" with this shape, comma-separated, e.g. "gpt2-100b/mlp_up_fwd"
  int64_t m     = 0;
  int64_t n     = 0;
  int64_t k     = 0;
  int64_t batch = 1;
};

/** The distinct GEMM shapes of one transformer layer (forward and backward) and of the output head of
 *  every model in <source_dir>/configs/models/, at the micro-batch x sequence of each experiment in
 *  <source_dir>/configs/ that uses the model, or at the paper's 8 x 512 (§7.1) for a model no experiment
 *  uses. Sorted by (batch > 1, m, n, k, batch). Throws gsim::ConfigError on a bad config. */
std::vector<BenchGemm> model_gemm_shapes(const std::string& source_dir);

/** nccl-tests' bus-bandwidth factor (doc/PERFORMANCE.md) of "all_gather", "reduce_scatter", "all_reduce"
 *  or "send_recv" on `ranks` GPUs: busbw = algbw * factor. */
double nccl_bus_factor(const std::string& op, int ranks);

} // namespace gsim::gpubench
