// `gemini-sim figure <N|all> --out DIR`: the data of one paper figure (or all) as CSV files.
// A figure is a config, configs/figures/figNN.json (sim/sweep/figure_spec.hpp, docs/figures/README.md):
// its runs go through the sweep runner, one child process per point, each point cached by the hash of its
// resolved config in DIR/points/<hash>/summary.json, so a run two figures share (Figs 7 and 8) is simulated
// once, and running the command again reuses every finished point. No figure is C++: a new one is a config.
// A point whose stages run no SimGrid engine (closed forms) runs in this process, before the children.
#include "models/calibration_paths.hpp"
#include "models/config_error.hpp"
#include "sim/report/progress.hpp"
#include "sim/report/summary.hpp"
#include "sim/run/pipeline.hpp"
#include "sim/run/registry.hpp"
#include "sim/sweep/child_process.hpp"
#include "sim/sweep/figure_tables.hpp"
#include "sim/sweep/jobs.hpp"
#include "sim/sweep/sweep_point.hpp"

#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

namespace gsim {
namespace {

struct FigureOptions {
  std::string id;
  std::string out = "figures";
  std::string configs;
  int jobs = 0;
};

// What `gemini-sim --help` says of the command.
constexpr const char* kAbout = "write the data of a paper figure as CSV (configs/figures/figNN.json)";

void add_figure_flags(CLI::App& sc, FigureOptions& o)
{
  sc.add_option("id", o.id, "figure number, or 'all'")->required();
  sc.add_option("--out", o.out, "output directory (figure CSVs; points/<hash>/ caches the runs)")
      ->capture_default_str();
  sc.add_option("--configs", o.configs, "the configs/ directory (default: ./configs, else the source tree's)");
  sc.add_option("-j,--jobs", o.jobs, "simulations run at once (default, 0: one per core)");
}

std::string default_configs_dir()
{
  return std::filesystem::is_directory("configs") ? "configs" : shipped_path("configs");
}

int id_number(const std::string& id)
{
  return std::atoi(id.c_str());
}

// Every figure id, numeric order (read_figure_specs sorts them).
std::vector<int> known_ids(const std::vector<FigureSpec>& specs)
{
  std::vector<int> ids;
  for (const auto& s : specs)
    ids.push_back(s.id);
  return ids;
}

std::vector<int> selected(const FigureOptions& o, const std::vector<int>& known)
{
  if (o.id == "all")
    return known;
  std::string id = o.id;
  while (id.size() > 1 && id[0] == '0')
    id.erase(0, 1); // "07" is figure 7
  const bool digits = not id.empty() && id.find_first_not_of("0123456789") == std::string::npos;
  if (digits && std::find(known.begin(), known.end(), id_number(id)) != known.end())
    return {id_number(id)};
  std::string list;
  for (int k : known)
    list += std::to_string(k) + ", ";
  throw ConfigError("figure", o.id, "no such figure; known: " + list + "all");
}

struct Job {
  std::string config;
  std::vector<std::string> sets;
  std::string label;
  std::string point_dir; // the point's cache directory
  bool here = false;     // no stage runs SimGrid: run in this process (run_here)
};

using Plans = std::vector<std::pair<const FigureSpec*, FigurePlan>>;

// The chosen figures' plans, and their points not finished yet, each once (a point two figures share is
// queued once), in figure order.
std::vector<Job> queue_points(const std::vector<FigureSpec>& specs, const std::vector<int>& chosen,
                              const std::string& out, Plans& plans)
{
  std::vector<Job> jobs;
  std::set<std::string> queued;
  for (const auto& s : specs)
    if (std::find(chosen.begin(), chosen.end(), s.id) != chosen.end()) {
      plans.emplace_back(&s, plan_figure(s));
      for (const auto& r : s.runs)
        for (const auto& p : plans.back().second.at(r.name)) {
          const std::string dir = point_dir(out, p);
          if (point_finished(dir) || not queued.insert(p.hash).second)
            continue;
          prepare_point(dir, r.spec, p);
          const bool here = without_simgrid(selected_stages(load_experiment(r.spec.config, p.sets)));
          jobs.push_back({r.spec.config, p.sets,
                          s.file + " run " + r.name + " (" + describe_point(r.spec.axes, p.grid) + ")", dir, here});
        }
    }
  return jobs;
}

// A point whose stages run no SimGrid engine (the closed forms: Fig 9's placement, Fig 11's economics) runs
// here: its stages take milliseconds, a child process as long again to start. It writes what `run --json`
// prints. "" or why it failed.
std::string run_here(const Job& j)
{
  try {
    const Experiment e = load_experiment(j.config, j.sets);
    RunContext ctx(e);
    run_stages(ctx, selected_stages(e));
    write_file_atomically(j.point_dir + "/summary.json", summary_document(ctx).dump(2) + "\n");
    return "";
  } catch (const std::exception& err) {
    return err.what();
  }
}

int make_figures(const FigureOptions& o)
{
  const std::string configs = o.configs.empty() ? default_configs_dir() : o.configs;
  const int workers         = resolve_jobs(o.jobs);
  const auto specs          = read_figure_specs(configs);
  const auto chosen         = selected(o, known_ids(specs));
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec || not std::filesystem::is_directory(o.out))
    throw ConfigError("--out", o.out, "cannot create the directory" + (ec ? ": " + ec.message() : std::string()));

  const DirLock lock(o.out, ".lock", "--out");

  Plans plans;
  const auto jobs = queue_points(specs, chosen, o.out, plans);
  std::string failure;
  const auto failed = [&](const Job& j, const std::string& why) {
    if (failure.empty())
      failure = j.label + ": " + why;
  };
  // On a terminal: points done of all, the last one finished, the elapsed time.
  Progress progress("figure " + o.id, jobs.size(), 0, {.keep = false});
  std::vector<const Job*> children;
  for (const auto& j : jobs)
    if (not j.here)
      children.push_back(&j);
  // The in-process points on a thread of their own while the children run (only that thread runs stages
  // here); the mutex guards the progress line and the first failure.
  std::mutex mu;
  std::jthread here([&] { // joins on the way out, also when run_children throws
    for (const auto& j : jobs)
      if (j.here) {
        const auto why = run_here(j);
        const std::lock_guard<std::mutex> hold(mu);
        if (not why.empty())
          failed(j, why);
        progress.advance(" (last: " + j.label + ")");
      }
  });
  const std::string self = self_executable();
  std::vector<std::vector<std::string>> argvs;
  for (const Job* j : children) {
    argvs.push_back({self, "run", "--config", j->config, "--json"});
    for (const auto& set : j->sets)
      argvs.back().insert(argvs.back().end(), {"--set", set});
  }
  run_children(argvs, workers, [&](size_t i, const ChildResult& c) {
    const Job& j   = *children[i];
    const auto doc = nlohmann::json::parse(c.out, nullptr, false);
    const std::lock_guard<std::mutex> hold(mu);
    if (c.exit_code == 0 && doc.is_object())
      write_file_atomically(j.point_dir + "/summary.json", doc.dump(2) + "\n");
    else
      failed(j, child_failure(c));
    progress.advance(" (last: " + j.label + ")");
  });
  here.join();
  progress.finish();
  if (not failure.empty())
    throw ConfigError("figure", o.id, failure);

  for (const auto& [spec, plan] : plans) {
    std::map<std::string, nlohmann::json> summaries;
    for (const auto& [name, points] : plan)
      for (const auto& p : points)
        if (auto s = read_point_summary(point_dir(o.out, p)); s.is_object())
          summaries[p.hash] = std::move(s);
    for (const auto& t : spec->tables)
      write_file_atomically(o.out + "/" + t.file, figure_table_csv(*spec, t, plan, summaries));
    std::cout << "figure " << spec->id << ": written to " << o.out << "\n";
  }
  return 0;
}

const Subcommand<FigureOptions> reg("figure", kAbout, add_figure_flags, make_figures);

} // namespace
} // namespace gsim
