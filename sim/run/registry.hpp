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
#include <memory>
#include <string>
#include <vector>

namespace gsim {

/** Adds its subcommand to `app` and returns what runs it once parsed (the process exit status). */
using CommandSetup = std::function<std::function<int()>(CLI::App& app)>;

std::map<std::string, CommandSetup>& commands();

struct RegisterCommand {
  RegisterCommand(const std::string& name, CommandSetup setup) { commands()[name] = std::move(setup); }
};

/** The flags every command that loads an experiment takes: `-c,--config FILE` (required) and `--set KEY=VALUE`. */
inline void add_experiment_flags(CLI::App& sc, std::string& config, std::vector<std::string>& sets,
                                 const std::string& config_help, const std::string& sets_help)
{
  sc.add_option("-c,--config", config, config_help)->required();
  sc.add_option("--set", sets, sets_help);
}

/** The usual subcommand: `options` adds its flags, which fill a fresh `Flags`; once parsed, `run` gets them.
 *  const Subcommand<KeysFlags> reg("keys", "list every config key", add_keys_flags, list_keys); */
template <typename Flags> struct Subcommand : RegisterCommand {
  Subcommand(const std::string& name, const std::string& about, std::function<void(CLI::App&, Flags&)> options,
             std::function<int(const Flags&)> run)
      : RegisterCommand(name, [=](CLI::App& app) -> std::function<int()> {
          auto flags = std::make_shared<Flags>();
          options(*app.add_subcommand(name, about), *flags);
          return [flags, run] { return run(*flags); };
        })
  {
  }
};

} // namespace gsim
