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

// Paper §7.1: "micro-batch size 8 per GPU, sequence length 512" for the GPT-2 / BERT / RoBERTa runs;
// used for model files that no experiment in configs/ names.
constexpr int kPaperMicroBatch = 8;
constexpr int kPaperSequence   = 512;

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

} // namespace

std::vector<BenchGemm> model_gemm_shapes(const std::string& source_dir)
{
  // (micro-batch, sequence) per model file, from the experiments that use it.
  std::map<std::string, std::set<std::pair<int, int>>> runs;
  for (const auto& f : json_files(fs::path(source_dir) / "configs")) {
    const Experiment e = load_experiment(f);
    runs[canonical(e.model.file)].insert({e.training.micro_batch, e.training.sequence_length});
  }

  using Key = std::tuple<bool, int64_t, int64_t, int64_t, int64_t>; // (batched, m, n, k, batch)
  std::map<Key, std::set<std::string>> users;
  for (const auto& f : json_files(fs::path(source_dir) / "configs" / "models")) {
    const ModelSpec m = load_model(f);
    auto& shapes      = runs[canonical(f)];
    if (shapes.empty())
      shapes.insert({kPaperMicroBatch, kPaperSequence});
    const std::string model = fs::path(f).stem().string();
    for (const auto& [mb, seq] : shapes) {
      std::vector<GemmShape> all = layer_forward_gemms(m, mb, seq);
      for (const auto& list : {layer_backward_gemms(m, mb, seq), head_forward_gemms(m, mb, seq)})
        all.insert(all.end(), list.begin(), list.end());
      // "@8x512" when a model runs at several shapes; built with += because GCC 12's -Wrestrict misfires on
      // "@" + std::string at -O3.
      std::string suffix;
      if (shapes.size() > 1) {
        suffix += '@';
        suffix += std::to_string(mb);
        suffix += 'x';
        suffix += std::to_string(seq);
      }
      for (const auto& g : all) {
        const Key k{g.batch > 1, static_cast<int64_t>(g.m), static_cast<int64_t>(g.n), static_cast<int64_t>(g.k),
                    static_cast<int64_t>(g.batch)};
        users[k].insert(model + suffix + "/" + g.label);
      }
    }
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
