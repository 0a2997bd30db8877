#pragma once
// The stages of a run (sim/run/pipeline.cpp lists them in order). Each reads the RunContext that earlier
// stages filled and adds its typed result and its part of the report.
#include "sim/run/run_context.hpp"

namespace gsim {

void model_stage(RunContext& ctx);               // sizes, ZeRO-3 bytes, GPU memory
void placement_stage(RunContext& ctx);           // Algorithm 1 and the recovery probability
void recovery_simulation_stage(RunContext& ctx); // failures.recovery_simulation_events recoveries, simulated
void calibration_stage(RunContext& ctx);         // loads the calibration the later stages price with
void simulation_stage(RunContext& ctx);          // the SimGrid replay (with checkpoint traffic)
void checkpoint_plan_stage(RunContext& ctx);     // Algorithm 2 over measured and simulated idle spans
void economics_stage(RunContext& ctx);           // the closed forms of failure cost
void failure_stage(RunContext& ctx);             // failures as SimGrid events over run.days

} // namespace gsim
