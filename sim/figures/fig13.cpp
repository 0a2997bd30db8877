// Fig 13: generality on 16 p3dn (V100, 100 Gbps): GPT-2 10B, 20B, 40B, RoBERTa 40B and BERT 40B, without
// checkpoints and with GEMINI. Simulated from configs/p3dn16.json with the model swapped, one child per run.
//
// fig13.csv: model,scheme,iteration_time_s,idle_time_no_ckpt_s,gemini_ckpt_time_s
//   "none" rows: the run without checkpoints (idle time = spans longer than checkpoint.span_threshold);
//   "gemini" rows: the checkpointed iteration time, the idle time its own profiled iterations saw, and the
//   communication stream's time on checkpoint chunks.
#include "sim/figures/no_checkpoint_runs.hpp"

#include <sstream>

namespace gsim {
namespace {

const std::vector<std::string> kModels = {"gpt2-10b", "gpt2-20b", "gpt2-40b", "roberta-40b", "bert-40b"};

void make_fig13(const FigureContext& ctx)
{
  std::vector<SimRun> runs;
  for (const auto& m : kModels)
    for (const std::string scheme : {"none", "gemini"})
      runs.push_back({m + " " + scheme, "p3dn16.json", {"model=models/" + m + ".json", "checkpoint.scheme=" + scheme}});
  const auto docs = run_summaries(ctx, runs);
  std::ostringstream csv;
  csv << "model,scheme,iteration_time_s,idle_time_no_ckpt_s,gemini_ckpt_time_s\n";
  for (size_t i = 0; i < docs.size(); i++) {
    const bool gemini = i % 2 == 1;
    csv << docs[i]["model"].get<std::string>() << "," << (gemini ? "gemini" : "none") << ","
        << csv_number(docs[i], "iteration_time_s") << ","
        << csv_number(docs[i], gemini ? "network_idle_time_no_ckpt_s" : "network_idle_time_s") << ","
        << (gemini ? csv_number(docs[i], "checkpoint_time_s") : "") << "\n";
  }
  write_file_atomically(ctx.out_dir + "/fig13.csv", csv.str());
}

const RegisterFigure reg({"13", "iteration and idle time of five models on 16 p3dn, none vs GEMINI (simulated)",
                          make_fig13});

} // namespace
} // namespace gsim
