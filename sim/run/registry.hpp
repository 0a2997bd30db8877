#pragma once
// Self-registration of the command line's subcommands, so that adding one is one new file (Calculon's
// self-registering commands, in C++): a CLI11 subcommand ("run", "figure", ...) in sim/cli/*.cpp with a
// static RegisterCommand. The stages of a run are not registered: sim/run/pipeline.cpp lists them in
// order. A figure is a config (configs/figures/, docs/figures/README.md).
#include "models/config.hpp"
#include "sim/report/summary.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>

namespace gsim {

/** Adds its subcommand to `app` and returns what runs it once parsed (the process exit status). */
using CommandSetup = std::function<std::function<int()>(CLI::App& app)>;

std::map<std::string, CommandSetup>& commands();

struct RegisterCommand {
  RegisterCommand(const std::string& name, CommandSetup setup) { commands()[name] = std::move(setup); }
};

} // namespace gsim
