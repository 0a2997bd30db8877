// `gemini-sim run --config FILE [--set k=v]... [--json] [--out DIR]`: one experiment, one summary.
#include "models/calibration_paths.hpp"
#include "models/config_error.hpp"
#include "models/json_reader.hpp"
#include "sim/report/progress.hpp"
#include "sim/run/pipeline.hpp"
#include "sim/run/registry.hpp"

#include <filesystem>
#include <iostream>

namespace gsim {
namespace {

// A run that ends sooner than this prints no progress at all (the worked example takes about 3 s).
constexpr double kProgressDelay_s = 2;

struct RunFlags {
  std::string config;
  std::vector<std::string> sets;
  bool json = false;
  std::string out;
  std::string idle_profile;
  bool timeline                 = false;
  bool print_config             = false;
  const CLI::Option* out_option = nullptr; // to tell `--out ""` from no --out
};

// What `gemini-sim --help` says of the command.
constexpr const char* kAbout = "simulate one experiment config (the default subcommand)";

void add_run_flags(CLI::App& sc, RunFlags& o)
{
  add_experiment_flags(sc, o.config, o.sets, "experiment config (JSON), e.g. configs/p4d16.json",
                       "override a config key: dotted.key=value (repeatable)");
  sc.add_flag("--json", o.json, "print the summary as one JSON object");
  sc.add_option("--idle-profile", o.idle_profile,
                "plan the checkpoint over a measured idle-span profile (the GEMINI artifact's comm_gap.txt format)");
  o.out_option = sc.add_option("--out", o.out, "write summary.json (and other result files) into this directory");
  sc.add_flag("--print-config", o.print_config,
              "print the resolved config (files, --set overrides and defaults) as JSON and exit");
  sc.add_flag("--timeline", o.timeline,
              "with --out, also write timeline.json (Perfetto; large: every kernel and collective of the traced GPUs)");
}

int run_experiment(const RunFlags& o)
{
  auto sets = o.sets;
  if (not o.idle_profile.empty())
    sets.push_back("checkpoint.idle_profile=\"" + o.idle_profile + "\"");
  const Experiment e = load_experiment(o.config, sets);
  if (o.print_config) {
    // The resolved config: the experiment with its cluster and model files, every --set and every default.
    std::cout << e.effective.dump(2) << "\n";
    return 0;
  }
  RunContext ctx(e, RunOptions{.timeline = o.timeline});
  {
    // The stages one by one, so a terminal shows which one runs (a flow-mode replay takes tens of seconds);
    // runs shorter than the delay show nothing, and nothing is shown off a terminal.
    const auto stages = selected_stages(e);
    Progress progress("run", stages.size(), 0, {.delay_s = kProgressDelay_s, .keep = false});
    for (const auto& stage : stages) {
      progress.detail(" (running " + stage.name + ")");
      run_stages(ctx, {stage});
      progress.advance("");
    }
  }
  const RunResult& r       = ctx.report;
  const nlohmann::json doc = summary_document(ctx);

  if (not o.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec)
      throw ConfigError("--out", o.out, "cannot create the directory: " + ec.message());
    // Extra files first and summary.json last: a directory with a summary.json is a complete result.
    for (const auto& [name, content] : r.files())
      write_file_atomically(o.out + "/" + name, content);
    write_file_atomically(o.out + "/summary.json", doc.dump(2) + "\n");
  }
  if (o.json)
    std::cout << doc.dump() << "\n";
  else
    std::cout << "# gemini-sim 0.1  config " << source_relative(e.file) << "  seed " << e.run.seed << "\n"
              << "# " << e.description << "\n"
              << r.text();
  return 0;
}

// Checked before the simulation runs: a bad path must not cost a run, nor block (a FIFO).
int checked_run(const RunFlags& o)
{
  if (const auto problem = file_problem(o.config); not problem.empty())
    throw ConfigError(o.config, "--config", problem);
  if (o.out_option->count() > 0 && o.out.empty())
    throw ConfigError("--out", "\"\"", "an empty directory name; give a directory to write the results into");
  if (not o.idle_profile.empty())
    if (const auto problem = file_problem(o.idle_profile); not problem.empty())
      throw ConfigError(o.idle_profile, "--idle-profile", problem);
  return run_experiment(o);
}

const Subcommand<RunFlags> reg("run", kAbout, add_run_flags, checked_run);

} // namespace
} // namespace gsim
