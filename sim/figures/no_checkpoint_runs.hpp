#pragma once
// Figs 7 and 8 simulate the same three runs: GPT-2, RoBERTa and BERT 100B on the configured 16 p4d,
// without checkpoints, one child process each (one SimGrid simulation per process).
#include "sim/registry.hpp"

#include <string>
#include <vector>

namespace gsim {

struct NoCheckpointRun {
  std::string model; // the model's display name, from the run's summary ("GPT-2 100B")
  double iteration_time_s    = 0;
  double network_idle_time_s = 0; // idle spans longer than checkpoint.span_threshold (Fig 8's bar)
};

/** Runs `self_exe run --config configs/p4d16.json --set model=... --set checkpoint.scheme=none --json` for
 *  the three 100B models (ctx.jobs at once). Throws ConfigError naming the model when a run fails or
 *  reports no simulated iteration (with the run's own note). */
std::vector<NoCheckpointRun> run_no_checkpoint_100b(const FigureContext& ctx);

} // namespace gsim
