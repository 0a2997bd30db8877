// `gemini-sim sweep --config FILE --grid key=v1,v2,... [--grid ...] [--grid-file FILE] [--set k=v]...
//  --out DIR [--jobs N] [--shard i/n]`: the cross product of the grid, one child process per point
// (SimGrid runs one simulation per process), results in DIR/points/<hash>/ and one table,
// DIR/results.csv (or DIR/shards/<i>-of-<n>.csv for a shard; `sweep-merge` joins the shards).
// Running the same command again skips the points that have a summary.json. See docs/sweeps.md.
#include "models/config_error.hpp"
#include "sim/report/progress.hpp"
#include "sim/run/registry.hpp"
#include "sim/sweep/jobs.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_point.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

namespace gsim {
namespace {

struct SweepOptions {
  std::string config;
  std::vector<std::string> grids;
  std::string grid_file;
  std::vector<std::string> sets;
  std::string out;
  int jobs          = 0;
  std::string shard = "0/1";
};

// What `gemini-sim --help` says of the command.
constexpr const char* kAbout = "run an experiment over the cross product of a grid (resumable)";

void add_sweep_flags(CLI::App& sc, SweepOptions& o)
{
  add_experiment_flags(sc, o.config, o.sets, "experiment config (JSON) every point starts from",
                       "a fixed override for every point: dotted.key=value (repeatable)");
  sc.add_option("--grid", o.grids, "a grid axis: dotted.key=v1,v2,... (repeatable; the last varies fastest)");
  sc.add_option("--grid-file", o.grid_file, "grid axes as JSON {\"key\": [values...]} (before any --grid)");
  sc.add_option("--out", o.out, "sweep directory: points/<hash>/, results.csv, shards/")->required();
  sc.add_option("-j,--jobs", o.jobs, "points run at once (default: one per core)");
  sc.add_option("--shard", o.shard, "run only slice i of n: the points whose index % n == i")->capture_default_str();
}

int run_sweep(const SweepOptions& o)
{
  if (not std::filesystem::is_regular_file(o.config))
    throw ConfigError(o.config, "--config", "file does not exist");
  SweepSpec spec{o.config, o.sets, {}};
  if (not o.grid_file.empty())
    spec.axes = read_grid_file(o.grid_file);
  for (const auto& g : o.grids)
    spec.axes.push_back(parse_grid_axis(g));
  if (spec.axes.empty())
    throw ConfigError("--grid", "(none)", "give at least one --grid key=v1,v2,... or a --grid-file");
  const Shard shard = parse_shard(o.shard);
  const int workers = resolve_jobs(o.jobs);
  const auto plan   = plan_sweep(spec); // every point validated before anything runs
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec || not std::filesystem::is_directory(o.out))
    throw ConfigError("--out", o.out, "cannot create the directory" + (ec ? ": " + ec.message() : std::string()));
  // A second sweep of the same shard on this directory exits 2 at once (shards of one sweep may share it).
  const DirLock lock(
      o.out, shard.count > 1 ? ".lock-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) : ".lock",
      "--out");

  std::vector<const PlannedPoint*> mine;
  std::vector<const PlannedPoint*> todo;
  for (const auto& p : plan)
    if (shard.owns(p.grid.index)) {
      mine.push_back(&p);
      if (not point_finished(point_dir(o.out, p)))
        todo.push_back(&p);
    }
  std::vector<std::vector<std::string>> jobs;
  const std::string self = self_executable();
  for (const auto* p : todo) {
    prepare_point(point_dir(o.out, *p), spec, *p);
    std::vector<std::string> argv = {self, "run", "--config", o.config, "--out", point_dir(o.out, *p)};
    for (const auto& s : p->sets)
      argv.insert(argv.end(), {"--set", s});
    jobs.push_back(std::move(argv));
  }
  if (shard.count > 1)
    std::cerr << "sweep: shard " << o.shard << " runs " << mine.size() << " of " << plan.size() << " points\n";

  // On a terminal a bar; in a log (Slurm, CI) one plain line per finished point.
  const size_t skipped = mine.size() - todo.size();
  const auto counts    = [skipped](size_t failed) {
    return " (" + std::to_string(skipped) + " skipped, " + std::to_string(failed) + " failed)";
  };
  std::map<size_t, std::string> failures; // point -> why
  Progress progress("sweep", mine.size(), skipped, {.lines_off_terminal = true}, counts(0));
  run_children(jobs, workers, [&](size_t i, const ChildResult& c) {
    const auto* p = todo[i];
    if (c.exit_code == 0 && point_finished(point_dir(o.out, *p)))
      return progress.advance(counts(failures.size()));
    const std::string why   = child_failure(c);
    failures[p->grid.index] = why;
    const std::string line  = "sweep: point " + std::to_string(p->grid.index) + " (" +
                             describe_point(spec.axes, p->grid) + ") failed: " + why + "\n";
    progress.above([&] { std::fputs(line.c_str(), stderr); });
    progress.advance(counts(failures.size()));
  });
  progress.finish();

  std::vector<SweepRow> rows;
  for (const auto* p : mine)
    rows.push_back(
        point_row(point_dir(o.out, *p), spec, *p, failures.count(p->grid.index) ? failures[p->grid.index] : ""));
  const std::string table =
      shard.count > 1 ? o.out + "/shards/" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) + ".csv"
                      : o.out + "/results.csv";
  write_file_atomically(table, sweep_table_csv(grid_keys(spec), rows));
  write_sweep_manifest(o.out, grid_keys(spec));
  size_t failed = 0;
  for (const auto& r : rows)
    failed += r.ok ? 0 : 1;
  std::cout << "sweep: " << rows.size() << " points, " << mine.size() - todo.size() << " already done, " << failed
            << " failed: " << table << "\n";
  return failed ? 1 : 0; // the table is complete either way; the status tells scripts that some points failed
}

const Subcommand<SweepOptions> reg("sweep", kAbout, add_sweep_flags, run_sweep);

} // namespace
} // namespace gsim
