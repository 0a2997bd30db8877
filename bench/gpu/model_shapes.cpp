// GEMM shapes of the configured models and bus factors, from gemini_models (one implementation of each).
#include "bench/gpu/model_shapes.hpp"

#include "models/calibration.hpp"
#include "models/config.hpp"
#include "models/transformer.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace gsim::gpubench {

namespace {

namespace fs = std::filesystem;

// Paper §7.1: "micro-batch size 8 per GPU, sequence length 512" for the GPT-2 / BERT / RoBERTa runs, in
// mixed precision (fp16); used for model files that no experiment in configs/ names.
constexpr int kPaperMicroBatch = 8;
constexpr int kPaperSequence   = 512;
// Llama 3 pre-trains at sequence 8192 (The Llama 3 Herd of Models, arXiv 2407.21783, §3.4.1) in bf16; one
// sequence per GPU and micro-batch is what FSDP runs of 70B and larger fit (the brief's calibration shape).
constexpr int kLlamaMicroBatch = 1;
constexpr int kLlamaSequence   = 8192;

// LM-head vocabularies measured at two reference (tokens, hidden) shapes beside each model's own: an odd
// vocabulary runs several times slower than an aligned one (traces/calibration/README.md), so a model's head is
// priced at its own vocabulary. BERT's WordPiece 30522 (HF bert-base-uncased), GPT-2's BPE 50257 (HF gpt2),
// RoBERTa's and the paper's 50265 (HF roberta-base, paper §7.1), Megatron-LM's GPT-2 vocabulary padded to a
// multiple of 128 (--make-vocab-size-divisible-by 128: 50304), Llama 3's 128256 (HF Llama-3.1 config.json).
constexpr int kVocabularySweep[] = {30522, 50257, 50265, 50304, 128256};
// The (micro-batch, sequence, hidden) the sweep runs at: GPT-2 100B's 8 x 512 x 8192, Llama 3 70B's 1 x 8192 x 8192.
constexpr int kSweepShapes[][3] = {{8, 512, 8192}, {1, 8192, 8192}};

std::vector<std::string> json_files(const fs::path& dir)
{
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".json")
      out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string canonical(const std::string& file)
{
  return fs::weakly_canonical(fs::path(file)).string();
}

std::string precision_name(Dtype d)
{
  return to_string(d);
}

} // namespace

std::vector<ModelRun> model_runs(const std::string& source_dir)
{
  // (micro-batch, sequence, precision) per model file, with the experiments that use it.
  using Shape = std::tuple<int, int, std::string>;
  std::map<std::string, std::map<Shape, std::string>> runs;
  for (const auto& f : json_files(fs::path(source_dir) / "configs")) {
    const Experiment e = load_experiment(f);
    auto& from         = runs[canonical(e.model.file)]
                     [{e.training.micro_batch, e.training.sequence_length, precision_name(e.training.precision)}];
    from += (from.empty() ? "" : ",") + fs::path(f).filename().string();
  }
  std::vector<ModelRun> out;
  for (const auto& f : json_files(fs::path(source_dir) / "configs" / "models")) {
    const ModelSpec m = load_model(f);
    auto& shapes      = runs[canonical(f)];
    if (shapes.empty()) {
      if (m.is_llama())
        shapes[{kLlamaMicroBatch, kLlamaSequence, "bf16"}] = "default: Llama 3 pre-training 1 x 8192 bf16";
      else
        shapes[{kPaperMicroBatch, kPaperSequence, "fp16"}] = "default: the paper's 8 x 512 fp16 (§7.1)";
    }
    for (const auto& [shape, from] : shapes) {
      ModelRun r;
      r.model                                          = fs::path(f).stem().string();
      r.family                                         = m.family;
      std::tie(r.micro_batch, r.sequence, r.precision) = shape;
      r.hidden                                         = m.hidden;
      r.heads                                          = m.heads;
      r.kv_heads                                       = m.kv();
      r.intermediate                                   = m.intermediate;
      r.vocab                                          = m.vocab;
      r.from                                           = from;
      out.push_back(r);
    }
  }
  return out;
}

std::vector<BenchGemm> model_gemm_shapes(const std::string& source_dir)
{
  const std::vector<ModelRun> runs = model_runs(source_dir);
  std::map<std::string, std::set<std::pair<int, int>>> shapes_per_model; // (micro-batch, sequence), any precision
  for (const auto& r : runs)
    shapes_per_model[r.model].insert({r.micro_batch, r.sequence});

  using Key = std::tuple<bool, int64_t, int64_t, int64_t, int64_t>; // (batched, m, n, k, batch)
  std::map<Key, std::set<std::string>> users;
  auto add = [&](const std::string& who, const std::vector<GemmShape>& gemms) {
    for (const auto& g : gemms) {
      const Key k{g.batch > 1, static_cast<int64_t>(g.m), static_cast<int64_t>(g.n), static_cast<int64_t>(g.k),
                  static_cast<int64_t>(g.batch)};
      users[k].insert(who + "/" + g.label);
    }
  };
  for (const auto& r : runs) {
    const ModelSpec m = load_model((fs::path(source_dir) / "configs" / "models" / (r.model + ".json")).string());
    // "@8x512" when a model runs at several shapes; built with += because GCC 12's -Wrestrict misfires on
    // "@" + std::string at -O3.
    std::string who = r.model;
    if (shapes_per_model[r.model].size() > 1) {
      who += '@';
      who += std::to_string(r.micro_batch);
      who += 'x';
      who += std::to_string(r.sequence);
    }
    for (const auto& list :
         {layer_forward_gemms(m, r.micro_batch, r.sequence), layer_backward_gemms(m, r.micro_batch, r.sequence),
          head_forward_gemms(m, r.micro_batch, r.sequence), head_backward_gemms(m, r.micro_batch, r.sequence)})
      add(who, list);
  }
  for (const auto& [mb, seq, hidden] : kSweepShapes)
    for (int vocab : kVocabularySweep) {
      ModelSpec m;
      m.family        = "gpt2"; // the LM head alone: no MLM transform
      m.hidden        = hidden;
      m.vocab         = vocab;
      std::string who = "vocab";
      who += std::to_string(vocab);
      who += "@t";
      who += std::to_string(mb * seq);
      who += "h";
      who += std::to_string(hidden);
      add(who, head_forward_gemms(m, mb, seq));
      add(who, head_backward_gemms(m, mb, seq));
    }

  std::vector<BenchGemm> out;
  for (const auto& [k, names] : users) {
    BenchGemm g;
    for (const auto& n : names)
      g.label += (g.label.empty() ? "" : ",") + n;
    std::tie(std::ignore, g.m, g.n, g.k, g.batch) = k;
    out.push_back(g);
  }
  return out;
}

double nccl_bus_factor(const std::string& op, int ranks)
{
  for (CollOp c : {CollOp::all_gather, CollOp::reduce_scatter, CollOp::all_reduce, CollOp::send_recv})
    if (to_string(c) == op)
      return bus_factor(c, ranks);
  throw std::invalid_argument("nccl_bus_factor: unknown collective " + op);
}

} // namespace gsim::gpubench
