// Fig 7: iteration time of GPT-2, RoBERTa and BERT 100B on 16 p4d, without checkpoints and with GEMINI.
// Simulated (SimGrid replay of ZeRO-3), one child process per run.
//
// fig07.csv: model,scheme,iteration_time_s
//   scheme "none": no checkpoint; "gemini": checkpoint every iteration. The gemini rows stay empty until
//   the simulation carries checkpoint traffic.
#include "sim/figures/no_checkpoint_runs.hpp"

#include <sstream>

namespace gsim {
namespace {

void make_fig07(const FigureContext& ctx)
{
  std::ostringstream csv;
  csv << "model,scheme,iteration_time_s\n";
  for (const auto& r : run_no_checkpoint_100b(ctx))
    csv << r.model << ",none," << fmt("%.6f", r.iteration_time_s) << "\n" << r.model << ",gemini,\n";
  write_file_atomically(ctx.out_dir + "/fig07.csv", csv.str());
}

const RegisterFigure reg({"7", "iteration time of the 100B models on 16 p4d (simulated)", make_fig07});

} // namespace
} // namespace gsim
