#pragma once
// Self-registration for the extension points of the command line, so that adding a subcommand or a figure
// is one new file (Calculon's self-registering commands, in C++):
//   * Command: a CLI11 subcommand ("run", "figure", ...), sim/cli/*.cpp
//   * Figure: the data of one paper figure as CSV, sim/figures/*.cpp
// Registrars are static objects in files compiled into the executable. The stages of a run are not
// registered: sim/run/pipeline.cpp lists them in order.
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
std::map<std::string, Figure>& figures();

struct RegisterCommand {
  RegisterCommand(const std::string& name, CommandSetup setup) { commands()[name] = std::move(setup); }
};
struct RegisterFigure {
  explicit RegisterFigure(Figure f) { figures()[f.id] = std::move(f); }
};

} // namespace gsim
