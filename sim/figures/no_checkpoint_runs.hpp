#pragma once
// The simulations behind Figs 7, 8, 12, 13 and 16: `self_exe run --config CONFIG --set ... --json`, one
// child process per run (one SimGrid simulation per process), ctx.jobs at once, and their JSON summaries.
#include "sim/run/registry.hpp"

#include <string>
#include <vector>

namespace gsim {

struct SimRun {
  std::string label;             // names the run in errors ("gpt2-100b gemini")
  std::string config;            // experiment file, relative to ctx.configs_dir
  std::vector<std::string> sets; // --set arguments
};

/** Runs every run; returns their summaries in input order. Throws ConfigError naming the run's label when a
 *  run fails or reports no simulated iteration time (with the run's own note). */
std::vector<nlohmann::json> run_summaries(const FigureContext& ctx, const std::vector<SimRun>& runs);

/** The paper's three 100B models (Figs 7, 8, 12), as configs/models/ names them. */
const std::vector<std::string>& models_100b();

/** Figs 7 and 8: each 100B model on p4d16.json without checkpoint, then with GEMINI (even index: none). */
std::vector<SimRun> runs_100b_none_then_gemini();

/** A CSV cell: the number at `key` with six decimals, empty when the key is missing or null. */
std::string csv_number(const nlohmann::json& doc, const std::string& key);

} // namespace gsim
