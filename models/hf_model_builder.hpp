#pragma once
// The builder of HuggingFace's module tree for the ZeRO-3 / FSDP schedules (models/hf_schedule_model.cpp):
// the parameters and the modules that own them, each module with its kernel time from the calibration
// (hooks fire per module: GPT2LMHeadModel, BertForMaskedLM, RobertaForMaskedLM, LlamaForCausalLM of
// transformers 4.2x). Internal to those files; a header so that the kernel pricing
// (models/hf_model_builder.cpp) and each family's tree (hf_schedule_model.cpp for GPT-2 and Llama,
// hf_bert_builder.cpp for BERT and RoBERTa) are files of their own (issue 10: files under ~400 lines).
// Pure: no SimGrid.
#include "models/calibration.hpp" // CostModel
#include "models/config.hpp"
#include "models/transformer.hpp" // GemmShape
#include "models/zero3_schedule.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gsim::hf_detail {

using Param  = ScheduleParam;
using Module = ScheduleModule;
using Event  = ScheduleEvent;

// Bytes one elementwise kernel moves: it reads `reads` tensors and writes `writes` tensors of `elements`.
inline double passes(double reads, double writes, double elements, double element_bytes)
{
  return (reads + writes) * elements * element_bytes;
}

// An elementwise op's backward reads the output gradient and the saved input and writes the input
// gradient: 3 passes for the forward's 2, so 1.5 x its bytes (PyTorch eager, unfused).
constexpr double kElementwiseBackwardRatio = 1.5;

GemmShape find_gemm(const std::vector<GemmShape>& gemms, const std::string& label);

// The forward GEMM's backward, as models/transformer.cpp derives it for the blocks: for Y = X W,
// dX = dY W^T (m x k by n) and dW = X^T dY (k x n by m).
std::vector<GemmShape> backward_of(const GemmShape& f);

class ModelBuilder {
 public:
  // Of the experiment, the module tree needs only the model and the training step.
  ModelBuilder(const ModelSpec& model, const TrainingSpec& training, const CostModel& cost);

  void build();

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

  // ---- Kernel variants (models/hf_model_builder.cpp): a measured forward and backward pair
  // (kernels.json), plus analytic extra bytes.
  void source(const std::string& what, const std::string& how);
  std::pair<double, double> measured(const std::string& what, const std::optional<KernelCost>& f,
                                     const std::optional<KernelCost>& b, double extra_fwd_bytes);
  [[noreturn]] void unmeasured(const std::string& family, const std::string& choice) const;
  std::string choice(const std::string& key, const std::string& value) const;
  std::pair<double, double> attention_core(double extra_fwd_bytes);
  std::pair<double, double> activation(double width);
  std::pair<double, double> norm(double extra_fwd_bytes);
  std::pair<double, double> rope();

  // ---- The module tree's pieces (models/hf_model_builder.cpp).
  int param(const std::string& name, double numel);
  void module(const std::string& name, std::vector<int> ps = {}, std::pair<double, double> t = {0, 0}, int layer = -1);
  // A linear layer: weight (and bias), its forward GEMM and its dgrad + wgrad GEMMs.
  void linear(const std::string& name, double in, double out, const GemmShape& f, const std::vector<GemmShape>& b,
              int layer, bool bias = true);
  void layer_norm(const std::string& name, double extra_fwd_bytes, int layer);
  void rms_norm(const std::string& name, double extra_fwd_bytes, int layer);
  std::vector<GemmShape> bwd_pair(const std::string& base) const;
  // The vocabulary-sized loss: log-softmax over T x V logits, `copies` extra passes (a shifted copy).
  std::pair<double, double> loss(double copies) const { return eltwise(passes(1, 1, t_ * v_, eb_) * (1 + copies)); }
  // Embedding lookup: gather rows (read + write T x h); backward zeroes the dense V x h gradient and
  // scatter-adds T x h rows into it.
  std::pair<double, double> embedding(double rows) const
  {
    return {mem(passes(1, 1, t_ * h_, eb_)), mem(passes(0, 1, rows * h_, eb_) + passes(1, 1, t_ * h_, eb_))};
  }
  // An embedding table `name` of `rows` x h: its weight ("name.weight") and its lookup; returns the weight.
  int embedding_table(const std::string& name, double rows)
  {
    const int weight = param(name + ".weight", rows * h_);
    module(name, {weight}, embedding(rows));
    return weight;
  }
  // The output head: its own weight when the embeddings are untied (models/transformer.cpp counts it).
  int head_weight(int tied, const std::string& name) { return model_.tie_embeddings ? tied : param(name, v_ * h_); }

  // ---- The families' trees.
  void build_gpt2();      // models/hf_schedule_model.cpp
  void build_llama();     // models/hf_schedule_model.cpp
  void build_bert_like(); // models/hf_bert_builder.cpp

  const ModelSpec& model_;
  const TrainingSpec& training_;
  const CostModel& cost_;
  Dtype dt_;
  double eb_;
  double t_ = 0, h_ = 0, i_ = 0, v_ = 0, scores_ = 0;
  AttentionShape att_;
  std::vector<GemmShape> fwd_, bwd_, head_;
};

} // namespace gsim::hf_detail
