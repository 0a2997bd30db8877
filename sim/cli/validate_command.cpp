// `gemini-sim validate [--cases DIR] [--markdown | --json] [-j N]`: every measured reference run under
// traces/validation/ simulated with its configs and compared, quantity by quantity, with the bound its
// file states. A case outside its bound is a result (exit 0); bad input exits 2 with one line.
#include "models/calibration_paths.hpp"
#include "models/config.hpp"
#include "models/config_error.hpp"
#include "sim/run/registry.hpp"
#include "sim/sweep/child_process.hpp"
#include "sim/validate/compare.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>

namespace gsim {
namespace {

namespace fs = std::filesystem;

struct ValidateOptions {
  std::string cases;
  bool markdown = false;
  bool json     = false;
  int jobs      = 0;
  std::vector<std::string> sets; // applied to every simulated run after the case's own (e.g. run.calibration)
};

// What `gemini-sim --help` says of the command.
constexpr const char* kAbout = "simulate every measured reference run and compare (traces/validation)";

void add_validate_flags(CLI::App& sc, ValidateOptions& o)
{
  sc.add_option("--cases", o.cases, "the case directory (default: ./traces/validation, else the source tree's)");
  sc.add_flag("--markdown", o.markdown, "print a Markdown table");
  sc.add_flag("--json", o.json, "print the rows as JSON");
  sc.add_option("-j,--jobs", o.jobs, "simulations run at once (default: one per core)");
  sc.add_option("--set", o.sets,
                "KEY=VALUE applied to every simulated run (repeatable), e.g. run.calibration=DIR to price the cases "
                "with another machine's calibration");
}

std::string default_cases_dir()
{
  return fs::is_directory("traces/validation") ? "traces/validation" : shipped_path("traces/validation");
}

// Case files name configs relative to the repository root; when validate runs elsewhere (the cases found
// in the source tree), the root is the one above traces/validation.
std::string resolve_config(const std::string& config, const std::string& cases_dir)
{
  if (fs::path(config).is_absolute() || fs::exists(config))
    return config;
  const auto beside = fs::path(cases_dir) / ".." / ".." / config;
  return fs::exists(beside) ? beside.lexically_normal().string() : config;
}

std::string first_line(const std::string& s)
{
  auto line                = s.substr(0, s.find('\n'));
  const std::string prefix = "gemini-sim: ";
  if (line.rfind(prefix, 0) == 0)
    line.erase(0, prefix.size());
  return line.empty() ? "no output" : line;
}

/** Runs every config the cases name (each once, in its own process) and returns the runs by config. */
std::map<std::string, SimRun> simulate(const std::vector<ValidationCase>& cases, const std::string& cases_dir,
                                       const std::vector<std::string>& extra_sets, int parallel)
{
  std::vector<std::string> configs;
  std::vector<std::vector<std::string>> jobs;
  const auto self = self_executable();
  for (const auto& vc : cases) {
    for (const auto& c : vc.configs) {
      if (std::find(configs.begin(), configs.end(), c) != configs.end())
        continue;
      std::vector<std::string> argv{self, "run", "--config", resolve_config(c, cases_dir), "--json"};
      for (const auto* sets : {&vc.sets, &extra_sets})
        for (const auto& s : *sets) {
          argv.push_back("--set");
          argv.push_back(s);
        }
      configs.push_back(c);
      jobs.push_back(argv);
    }
  }
  const auto results = run_children(jobs, parallel);
  std::map<std::string, SimRun> runs;
  for (size_t i = 0; i < results.size(); i++) {
    SimRun run;
    if (results[i].exit_code == 0) {
      run.summary = nlohmann::json::parse(results[i].out, nullptr, false);
      run.ok      = run.summary.is_object() && not run.summary.is_discarded();
    }
    if (not run.ok)
      run.failure = "exit " + std::to_string(results[i].exit_code) + ": " + first_line(results[i].err);
    runs[configs[i]] = run;
  }
  return runs;
}

int validate(const ValidateOptions& o)
{
  if (o.markdown && o.json)
    throw ConfigError("validate", "--markdown", "give --markdown or --json, not both");
  const auto dir   = o.cases.empty() ? default_cases_dir() : o.cases;
  const auto cases = load_validation_cases(dir);
  const int jobs   = o.jobs > 0 ? o.jobs : int(std::max(1u, std::thread::hardware_concurrency()));
  // A wrong --set is the user's error, not a case's: refused once, with exit 2, before anything runs.
  if (not o.sets.empty() && not cases.empty() && not cases.front().configs.empty())
    load_experiment(resolve_config(cases.front().configs.front(), dir), o.sets);
  const auto runs = simulate(cases, dir, o.sets, jobs);
  std::vector<CompareRow> rows;
  for (const auto& vc : cases)
    for (auto& r : compare_case(vc, runs))
      rows.push_back(std::move(r));
  if (o.json)
    std::cout << nlohmann::json{{"cases_dir", dir}, {"rows", rows_as_json(rows)}}.dump(2) << "\n";
  else if (o.markdown)
    std::cout << rows_as_markdown(rows);
  else
    std::cout << rows_as_text(rows);
  return 0;
}

const Subcommand<ValidateOptions> reg("validate", kAbout, add_validate_flags, validate);

} // namespace
} // namespace gsim
