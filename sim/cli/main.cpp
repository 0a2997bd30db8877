// gemini-sim: what does checkpointing every iteration cost a training job, and what does it save
// when machines fail? Subcommands register themselves (sim/cli/*.cpp); `run` is the default, so
// `gemini-sim --config configs/p4d16.json` works as users type it.
#include "models/config_error.hpp"
#include "sim/run/registry.hpp"

#include <algorithm>
#include <iostream>

int main(int argc, char* argv[])
{
  CLI::App app{"gemini-sim: a discrete-event simulator of checkpointing and failure recovery in "
               "large-model training clusters (GEMINI, SOSP 2023)",
               "gemini-sim"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "gemini-sim 0.1");
  std::map<std::string, std::function<int()>> runners;
  for (auto& [name, setup] : gsim::commands())
    runners[name] = setup(app);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "gemini-sim: no config given; try `gemini-sim --config configs/p4d16.json` or `gemini-sim --help`\n";
    return 2;
  }
  const bool names_command = not args.empty() && gsim::commands().count(args[0]);
  const bool top_level     = not args.empty() && (args[0] == "-h" || args[0] == "--help" || args[0] == "--version");
  if (not names_command && not top_level)
    args.insert(args.begin(), "run");
  std::reverse(args.begin(), args.end()); // CLI11 takes the arguments in reverse order

  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)
      return app.exit(e); // --help, --version
    std::cerr << "gemini-sim: " << e.what() << "\n";
    return 2; // the project's rule for bad input, not CLI11's 105/106
  }
  try {
    for (const auto* sub : app.get_subcommands())
      return runners.at(sub->get_name())();
  } catch (const gsim::ConfigError& e) {
    std::cerr << "gemini-sim: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "gemini-sim: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
