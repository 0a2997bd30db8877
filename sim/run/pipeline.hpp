#pragma once
// The run pipeline: the stages of one run, in order, each a plain function of the RunContext. Adding a
// stage is one function in sim/run/stages/ and one line in sim/run/pipeline.cpp.
#include "sim/run/run_context.hpp"

#include <string>
#include <vector>

namespace gsim {

struct Stage {
  std::string name;
  void (*run)(RunContext&);
  bool simgrid = false;                // runs a SimGrid engine (one per process): such a run needs a process of its own
  std::vector<std::string> needs = {}; // stages whose results it reads (run.stages must name them too)
};

/** Every stage, in the order they run. */
const std::vector<Stage>& pipeline();

/** The stages the experiment's run.stages names, in pipeline order: every one for "all" (the default), else
 *  the comma-separated names. A stage only sees what the stages before it left (a placement-only run costs
 *  milliseconds; the economics without a simulation need failures.iteration_time_s). ConfigError naming
 *  run.stages for an unknown, repeated or empty name. */
std::vector<Stage> selected_stages(const Experiment& e);

/** Runs `stages` in order on `ctx`. A stage that reports a non-finite number is an error (ConfigError: these
 *  inputs have no finite answer) naming the stage and the key. */
void run_stages(RunContext& ctx, const std::vector<Stage>& stages);

/** Whether none of `stages` runs a SimGrid engine: such runs (closed forms) may share one process. */
bool without_simgrid(const std::vector<Stage>& stages);

/** What `run --json` prints of a finished run: the report's keys, schema_version, the effective config, the
 *  config file (repo-relative) and the seed. */
nlohmann::json summary_document(const RunContext& ctx);

/** run_stages(ctx, selected_stages(ctx.experiment)). */
inline void run_pipeline(RunContext& ctx)
{
  run_stages(ctx, selected_stages(ctx.experiment));
}

} // namespace gsim
