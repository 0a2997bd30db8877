// `gemini-sim sweep-merge --out DIR`: joins the shard tables DIR/shards/<i>-of-<n>.csv of a sweep run
// as `sweep --shard i/n` into DIR/results.csv, the same bytes a sweep without shards writes.
// Every shard 0..n-1 must be there; a missing one is named (run it again: its finished points are skipped).
#include "models/config_error.hpp"
#include "sim/run/registry.hpp"
#include "sim/sweep/sweep_table.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

namespace gsim {
namespace {

int merge_shards(const std::string& out)
{
  namespace fs         = std::filesystem;
  const std::string in = out + "/shards";
  if (not fs::is_directory(in))
    throw ConfigError(in, "--out",
                      "no shards directory; run `gemini-sim sweep ... --shard i/n --out " + out + "` first");
  const std::regex name(R"(([0-9]+)-of-([0-9]+)\.csv)");
  std::map<size_t, std::map<size_t, std::string>> by_count; // n -> i -> file
  for (const auto& entry : fs::directory_iterator(in)) {
    std::smatch m;
    const std::string file = entry.path().filename().string();
    if (std::regex_match(file, m, name))
      by_count[std::stoul(m[2])][std::stoul(m[1])] = entry.path().string();
  }
  if (by_count.empty())
    throw ConfigError(in, "--out", "no shard files (<i>-of-<n>.csv)");
  if (by_count.size() > 1)
    throw ConfigError(in, "--shard",
                      "holds shards of " + std::to_string(by_count.size()) +
                          " different splits (i-of-n with several n); remove the stale ones");
  const auto& [count, files] = *by_count.begin();
  for (size_t i = 0; i < count; i++)
    if (not files.count(i))
      throw ConfigError(in + "/" + std::to_string(i) + "-of-" + std::to_string(count) + ".csv",
                        "--shard " + std::to_string(i) + "/" + std::to_string(count),
                        "missing; run that shard (again), its finished points are skipped");

  std::vector<std::string> grid_keys;
  std::vector<SweepRow> rows;
  for (const auto& [i, file] : files) {
    std::ifstream f(file, std::ios::binary);
    std::stringstream text;
    text << f.rdbuf();
    std::vector<std::string> keys;
    for (auto& r : read_sweep_table(text.str(), file, keys)) {
      if (r.point % count != i)
        throw ConfigError(file, "point " + std::to_string(r.point), "does not belong to this shard");
      rows.push_back(std::move(r));
    }
    if (i > 0 && keys != grid_keys)
      throw ConfigError(file, "(header)", "its grid keys differ from shard 0's: a shard of another sweep");
    grid_keys = keys;
  }
  // The shards' points must be 0..N-1, each once: one sweep, complete.
  std::vector<bool> seen(rows.size(), false);
  for (const auto& r : rows) {
    if (r.point >= rows.size() || seen[r.point])
      throw ConfigError(in, "point " + std::to_string(r.point),
                        "missing or repeated across the shard files: are they from one sweep?");
    seen[r.point] = true;
  }
  const std::string table = out + "/results.csv";
  write_file_atomically(table, sweep_table_csv(grid_keys, rows));
  write_sweep_manifest(out, grid_keys);
  size_t failed = 0;
  for (const auto& r : rows)
    failed += r.ok ? 0 : 1;
  std::cout << "sweep-merge: " << count << " shards, " << rows.size() << " points, " << failed << " failed: " << table
            << "\n";
  return 0;
}

// What `gemini-sim --help` says of the command.
constexpr const char* kAbout = "join a sharded sweep's DIR/shards/*.csv into DIR/results.csv";

void add_sweep_merge_flags(CLI::App& sc, std::string& out)
{
  sc.add_option("--out", out, "the sweep directory given to every `sweep --shard i/n`")->required();
}

const Subcommand<std::string> reg("sweep-merge", kAbout, add_sweep_merge_flags, merge_shards);

} // namespace
} // namespace gsim
