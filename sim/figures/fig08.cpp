// Fig 8: the network's idle time per iteration of GPT-2, RoBERTa and BERT 100B on 16 p4d: without
// checkpoints, GEMINI's checkpoint time, and the idle time left with GEMINI. Simulated, one child per run.
//
// fig08.csv: model,idle_time_no_ckpt_s,gemini_ckpt_time_s,idle_time_with_gemini_s
//   idle time = the sum of the idle spans longer than checkpoint.span_threshold (the spans GEMINI can use).
//   The two GEMINI columns stay empty until the simulation carries checkpoint traffic.
#include "sim/figures/no_checkpoint_runs.hpp"

#include <sstream>

namespace gsim {
namespace {

void make_fig08(const FigureContext& ctx)
{
  std::ostringstream csv;
  csv << "model,idle_time_no_ckpt_s,gemini_ckpt_time_s,idle_time_with_gemini_s\n";
  for (const auto& r : run_no_checkpoint_100b(ctx))
    csv << r.model << "," << fmt("%.6f", r.network_idle_time_s) << ",,\n";
  write_file_atomically(ctx.out_dir + "/fig08.csv", csv.str());
}

const RegisterFigure reg({"8", "network idle time per iteration of the 100B models on 16 p4d (simulated)", make_fig08});

} // namespace
} // namespace gsim
