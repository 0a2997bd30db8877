#pragma once
// Mutations of the shipped configs for the input-contract fuzzer (issue 11): every leaf key of every
// experiment under configs/ (its cluster and model inlined) gets wrong types, 0, negative, huge, NaN-ish
// strings, null, a deep nesting, invalid UTF-8; plus unknown keys and deleted keys (written to a copy).
// The contract per case: load_experiment returns an Experiment whose numbers are finite, or throws a
// ConfigError whose message is one line naming a file and a key. Used by tests/unit/config_fuzz_test.cpp
// (a seeded sample, in CI) and bench/sim/config_fuzz_bench.cpp (every case).
#include "models/config.hpp"
#include "models/config_error.hpp"
#include "models/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace gsim::fuzz {

struct Mutation {
  std::string config;            // experiment file
  std::vector<std::string> sets; // --set arguments
  std::string drop;              // dotted key deleted from a copy of the file ("" none)
  std::string what() const
  {
    std::string s = config;
    for (const auto& x : sets)
      s += " --set " + x;
    return drop.empty() ? s : s + " (without " + drop + ")";
  }
};

inline std::vector<std::string> mutated_values()
{
  std::string deep;
  for (int i = 0; i < 100000; i++)
    deep += '[';
  return {"0",
          "-1",
          "-1e308",
          "1e308",
          "1e400",
          "9223372036854775808",
          "18446744073709551616",
          "0.5",
          "\"NaN\"",
          "\"inf\"",
          "\"-Infinity\"",
          "true",
          "null",
          "[]",
          "{}",
          "\"\"",
          "\"x\xff\xfe\"",
          "1048576",
          "65536",
          "0.001",
          deep};
}

/** Dotted paths of every leaf of `j` (objects only; citation keys skipped). */
inline void leaf_keys(const nlohmann::json& j, const std::string& prefix, std::vector<std::string>& out)
{
  for (const auto& [k, v] : j.items()) {
    if (k == "source" || k == "notes" || k == "description" || k.ends_with("_source"))
      continue;
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    if (v.is_object())
      leaf_keys(v, key, out);
    else
      out.push_back(key);
  }
}

/** Every case over the experiments in `configs_dir` (configs/<name>.json). */
inline std::vector<Mutation> all_mutations(const std::string& configs_dir)
{
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(configs_dir))
    if (e.path().extension() == ".json")
      files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<Mutation> out;
  for (const auto& f : files) {
    auto root       = read_json_file(f);
    const auto dir  = fs::path(f).parent_path();
    root["cluster"] = read_json_file((dir / root["cluster"].get<std::string>()).string());
    root["model"]   = read_json_file((dir / root["model"].get<std::string>()).string());
    std::vector<std::string> keys;
    leaf_keys(root, "", keys);
    for (const auto& k : keys) {
      for (const auto& v : mutated_values())
        out.push_back({f, {k + "=" + v}, ""});
      out.push_back({f, {k + "_unknown=1"}, ""});
      out.push_back({f, {}, k});
    }
  }
  return out;
}

/** Runs one case; returns "" when the contract holds, else what broke. */
inline std::string check(const Mutation& m, const std::string& scratch_dir)
{
  std::string file = m.config;
  if (not m.drop.empty()) { // a copy without the key; cluster and model inlined, then written out again
    namespace fs   = std::filesystem;
    auto tree      = read_json_file(m.config);
    const auto dir = fs::path(m.config).parent_path();
    for (const char* part : {"cluster", "model"})
      tree[part] = read_json_file((dir / tree[part].get<std::string>()).string());
    nlohmann::json* node = &tree;
    std::string rest     = m.drop;
    for (size_t d; (d = rest.find('.')) != std::string::npos; rest = rest.substr(d + 1))
      node = &(*node)[rest.substr(0, d)];
    node->erase(rest);
    for (const char* part : {"cluster", "model"})
      if (tree.contains(part)) {
        const std::string path = fs::absolute(scratch_dir + "/" + part + ".json").string();
        std::ofstream(path) << tree[part].dump();
        tree[part] = path;
      }
    file = scratch_dir + "/experiment.json";
    std::ofstream(file) << tree.dump();
  }
  try {
    const Experiment e     = load_experiment(file, m.sets);
    const double numbers[] = {e.cluster.nic_Bps,
                              e.cluster.pcie_Bps,
                              e.cluster.intra_Bps,
                              e.checkpoint.gpu_buffer_bytes,
                              e.checkpoint.mu,
                              e.storage.bandwidth_Bps,
                              e.failures.rate_per_instance_day,
                              e.run.days};
    for (double x : numbers)
      if (not std::isfinite(x))
        return "accepted with a non-finite number";
    return "";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    if (msg.find('\n') != std::string::npos)
      return "error of several lines: " + msg;
    if (e.file().empty() || e.key().empty() || e.problem().empty())
      return "error without file, key or problem: " + msg;
    return "";
  } catch (const std::exception& e) {
    return std::string("not a ConfigError: ") + e.what();
  }
}

} // namespace gsim::fuzz
