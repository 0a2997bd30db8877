// Fig 8: the network's idle time per iteration of GPT-2, RoBERTa and BERT 100B on 16 p4d: without
// checkpoints, GEMINI's checkpoint time, and the idle time left with GEMINI. Simulated, one child per run.
//
// fig08.csv: model,idle_time_no_ckpt_s,gemini_ckpt_time_s,idle_time_with_gemini_s
//   idle time = the sum of the idle spans longer than checkpoint.span_threshold (the spans GEMINI can use),
//   from a run with checkpoint.scheme=none; the GEMINI columns from a GEMINI run: the communication
//   stream's time on checkpoint chunks, and what is left of the same spans once the chunks ran
//   (sim/engine/checkpoint_traffic.hpp).
#include "sim/figures/no_checkpoint_runs.hpp"

#include <sstream>

namespace gsim {
namespace {

void make_fig08(const FigureContext& ctx)
{
  const auto docs = run_summaries(ctx, runs_100b_none_then_gemini());
  std::ostringstream csv;
  csv << "model,idle_time_no_ckpt_s,gemini_ckpt_time_s,idle_time_with_gemini_s\n";
  for (size_t i = 0; i < docs.size(); i += 2)
    csv << docs[i]["model"].get<std::string>() << "," << csv_number(docs[i], "network_idle_time_s") << ","
        << csv_number(docs[i + 1], "checkpoint_time_s") << ","
        << csv_number(docs[i + 1], "network_idle_time_with_ckpt_s") << "\n";
  write_file_atomically(ctx.out_dir + "/fig08.csv", csv.str());
}

const RegisterFigure reg({"8", "network idle time per iteration of the 100B models on 16 p4d (simulated)", make_fig08});

} // namespace
} // namespace gsim
