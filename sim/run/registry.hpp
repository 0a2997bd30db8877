#pragma once
// Self-registration for the three extension points of gemini-sim, so that adding a subcommand, a
// summary stage or a figure is one new file (Calculon's self-registering commands, in C++):
//   * Command: a CLI11 subcommand ("run", "figure", ...), sim/cli/*.cpp
//   * SummaryStage: one part of a run's summary (model arithmetic, placement, the simulation, ...)
//   * Figure: the data of one paper figure as CSV, sim/figures/*.cpp
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

struct FigureContext {
  std::string out_dir;     // where figNN.csv goes
  std::string configs_dir; // the configs/ folder (experiments, clusters, models)
  std::string self_exe;    // this executable, to run one simulation per child process
  int jobs = 1;            // child processes at once
};

struct Figure {
  std::string id; // "9", "15", ...
  std::string help;
  std::function<void(const FigureContext&)> make;
};

std::map<std::string, CommandSetup>& commands();
std::vector<SummaryStage>& summary_stages(); // sorted by order, then name
std::map<std::string, Figure>& figures();

struct RegisterCommand {
  RegisterCommand(const std::string& name, CommandSetup setup) { commands()[name] = std::move(setup); }
};
struct RegisterSummaryStage {
  explicit RegisterSummaryStage(SummaryStage stage);
};
struct RegisterFigure {
  explicit RegisterFigure(Figure f) { figures()[f.id] = std::move(f); }
};

} // namespace gsim
