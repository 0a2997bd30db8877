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
};

/** Every stage, in the order they run. */
const std::vector<Stage>& pipeline();

/** Runs `stages` in order on `ctx`. A stage that reports a non-finite number is an error (ConfigError: these
 *  inputs have no finite answer) naming the stage and the key. */
void run_stages(RunContext& ctx, const std::vector<Stage>& stages);

/** run_stages(ctx, pipeline()). */
inline void run_pipeline(RunContext& ctx)
{
  run_stages(ctx, pipeline());
}

} // namespace gsim
