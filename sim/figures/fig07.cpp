// Fig 7: iteration time of GPT-2, RoBERTa and BERT 100B on 16 p4d, without checkpoints and with GEMINI.
// Simulated (SimGrid replay of ZeRO-3 with the checkpoint traffic), one child process per run.
//
// fig07.csv: model,scheme,iteration_time_s
//   scheme "none": a run with checkpoint.scheme=none; "gemini": a run with GEMINI checkpointing every
//   iteration (its checkpointed iterations, after the profiled ones).
#include "sim/figures/no_checkpoint_runs.hpp"

#include <sstream>

namespace gsim {
namespace {

void make_fig07(const FigureContext& ctx)
{
  const auto docs = run_summaries(ctx, runs_100b_none_then_gemini());
  std::ostringstream csv;
  csv << "model,scheme,iteration_time_s\n";
  for (size_t i = 0; i < docs.size(); i++)
    csv << docs[i]["model"].get<std::string>() << "," << (i % 2 ? "gemini" : "none") << ","
        << csv_number(docs[i], "iteration_time_s") << "\n";
  write_file_atomically(ctx.out_dir + "/fig07.csv", csv.str());
}

const RegisterFigure reg({"7", "iteration time of the 100B models on 16 p4d (simulated)", make_fig07});

} // namespace
} // namespace gsim
