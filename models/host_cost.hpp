#pragma once
// The host side of a training step: what the CPU does per module hook before the GPU can run the module's
// kernels. Measured, not assumed: bench/reference/fit_host_costs.py fits it from the GEMINI fork's
// calibration run (traces/validation/gem-gpt-1.3b.json, host timers around every hook) into
// <calibration>/host/zero3_hooks.json. The schedules that run DeepSpeed's coordinator charge it to every
// hook (models/framework_schedule.hpp); the replay keeps a host clock beside the GPU's
// (sim/engine/zero3_replay.cpp). Pure: no SimGrid.
#include "models/calibration.hpp"

#include <optional>
#include <string>

namespace gsim {

struct HostCost {
  double zero3_hook_s = 0; // host seconds per ZeRO-3 module hook (coordinator + the module's eager launches)
  std::string source;      // the file and the run it was fitted from
};

/** The host costs of `cal` (its host/zero3_hooks.json); nullopt when the calibration has none (the host is
 *  then not modelled). A malformed file is a ConfigError naming it. */
std::optional<HostCost> host_cost(const Calibration& cal);

} // namespace gsim
