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

/** One model at one training shape: what the kernel-variant benchmarks (kernels_bench.py) run it at. */
struct ModelRun {
  std::string model;  // the model file's stem, e.g. "llama3-70b"
  std::string family; // gpt2, bert, roberta, llama
  int micro_batch = 0;
  int sequence    = 0;
  std::string precision; // fp16, bf16 (fp32 runs are listed as fp32)
  int hidden       = 0;
  int heads        = 0;
  int kv_heads     = 0;
  int intermediate = 0;
  int vocab        = 0;
  std::string from; // the experiment file(s) that set the shape, or the default it was given
};

/** Every model in <source_dir>/configs/models/ at the micro-batch x sequence x precision of each experiment in
 *  <source_dir>/configs/ that uses it; a model no experiment uses runs at its family's default: the paper's
 *  8 x 512 in fp16 (§7.1) for gpt2 / bert / roberta, Llama 3's pre-training 1 x 8192 in bf16 for llama
 *  (sequence 8192: The Llama 3 Herd of Models, arXiv 2407.21783, §3.4.1). Sorted by model, then shape. */
std::vector<ModelRun> model_runs(const std::string& source_dir);

/** The distinct GEMM shapes of one transformer layer (forward and backward) and of the output head (forward
 *  and backward) of every model run (model_runs), plus the LM head of the reference vocabularies
 *  (kVocabularySweep) at the (tokens, hidden) of GPT-2 100B and Llama 3 70B, so that the cost of a vocabulary
 *  is measured, not interpolated from a neighbour with another alignment. Sorted by (batch > 1, m, n, k,
 *  batch). Throws gsim::ConfigError on a bad config. */
std::vector<BenchGemm> model_gemm_shapes(const std::string& source_dir);

/** nccl-tests' bus-bandwidth factor (doc/PERFORMANCE.md) of "all_gather", "reduce_scatter", "all_reduce"
 *  or "send_recv" on `ranks` GPUs: busbw = algbw * factor. */
double nccl_bus_factor(const std::string& op, int ranks);

} // namespace gsim::gpubench
