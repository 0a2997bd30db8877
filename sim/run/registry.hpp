#pragma once
// Self-registration for the extension points of gemini-sim, so that adding a subcommand or a summary
// stage is one new file (Calculon's self-registering commands, in C++); a figure is a config
// (configs/figures/, docs/figures/README.md):
//   * Command: a CLI11 subcommand ("run", "figure", ...), sim/cli/*.cpp
//   * SummaryStage: one part of a run's summary (model arithmetic, placement, the simulation, ...)
// Registrars are static objects in files compiled into the executable.
#include "models/config.hpp"
#include "sim/report/summary.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gsim {

/** Adds its subcommand to `app` and returns what runs it once parsed (the process exit status). */
using CommandSetup = std::function<std::function<int()>(CLI::App& app)>;

struct SummaryStage {
  int order = 0; // stages run in increasing order; later ones may read what earlier ones wrote
  std::string name;
  std::function<void(const Experiment&, RunResult&)> run;
};

std::map<std::string, CommandSetup>& commands();
std::vector<SummaryStage>& summary_stages(); // sorted by order, then name

struct RegisterCommand {
  RegisterCommand(const std::string& name, CommandSetup setup) { commands()[name] = std::move(setup); }
};
struct RegisterSummaryStage {
  explicit RegisterSummaryStage(SummaryStage stage);
};

} // namespace gsim
