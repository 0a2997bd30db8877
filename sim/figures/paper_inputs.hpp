#pragma once
// The failure figures (10, 14, 15) reproduce the paper's arithmetic with the paper's measured iteration
// time, while every other run of configs/p4d16.json uses the simulated one (issue 15 item 7). The measured
// inputs are data, not code: configs/reproduction/p4d16-paper-inputs.json names the experiment and the
// overrides, with their source.
#include "sim/figures/generators.hpp"

#include <string>
#include <vector>

namespace gsim {

/** configs/reproduction/p4d16-paper-inputs.json's experiment with its overrides, then `sets`. Errors name
 *  the file and the key (ConfigError). */
Experiment paper_inputs_experiment(const FigureContext& ctx, const std::vector<std::string>& sets = {});

} // namespace gsim
