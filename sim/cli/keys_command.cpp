// `gemini-sim keys [PREFIX] [--config FILE]`: every key `--set` (and the JSON) accepts, with its unit, the
// config's value and what is allowed. The list is what the config readers themselves recorded while
// validating the config (models/json_reader.hpp KeySpec), so it cannot drift from the validation.
#include "models/calibration_paths.hpp"
#include "models/config.hpp"
#include "models/config_error.hpp"
#include "models/json_reader.hpp"
#include "sim/report/csv_writer.hpp"
#include "sim/run/registry.hpp"

#include <filesystem>
#include <iostream>
#include <limits>
#include <set>

namespace gsim {
namespace {

struct KeysFlags {
  std::string prefix;
  std::string config;
};

// What `gemini-sim --help` says of the command.
constexpr const char* kAbout = "list every config key --set accepts: unit, default, allowed values";

void add_keys_flags(CLI::App& sc, KeysFlags& o)
{
  sc.add_option("prefix", o.prefix, "only the keys that start with this, e.g. checkpoint or cluster.nic");
  sc.add_option("-c,--config", o.config, "the experiment whose keys and values to list (default configs/p4d16.json)");
}

std::string default_config()
{
  const std::string local = "configs/p4d16.json";
  return std::filesystem::is_regular_file(local) ? local : shipped_path(local);
}

bool ends_with(const std::string& s, const std::string& tail)
{
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The unit a key's name carries: the configs name every dimensioned key with its unit as a suffix.
std::string unit_of(const std::string& key)
{
  const std::string leaf                                      = key.substr(key.rfind('.') + 1);
  static const std::pair<const char*, const char*> suffixes[] = {{"_GiB", "GiB"},
                                                                 {"_MiB", "MiB"},
                                                                 {"_GBps", "GB/s"},
                                                                 {"_Gbps", "Gbit/s"},
                                                                 {"_us", "us"},
                                                                 {"_ms", "ms"},
                                                                 {"_s", "s"},
                                                                 {"_h", "h"},
                                                                 {"_day", "per instance-day"},
                                                                 {"_elements", "elements"},
                                                                 {"_fraction", "fraction"}};
  for (const auto& [tail, unit] : suffixes)
    if (ends_with(leaf, tail))
      return unit;
  if (leaf.rfind("peak_tflops", 0) == 0)
    return "TFLOP/s";
  if (leaf == "days")
    return "days";
  return "-";
}

// A value or bound: numbers in the shortest form that reads back the same (1, 1e-06, 1e+15, not 1.0).
std::string bound(const nlohmann::json& v)
{
  if (v.is_number_float())
    return csv_number(v.get<double>());
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A config's value in the DEFAULT column: a long string (a description, a name) cut to keep the table narrow.
std::string value_text(const nlohmann::json& v)
{
  constexpr size_t kWidth = 24;
  const std::string s     = bound(v);
  return s.size() > kWidth ? s.substr(0, kWidth - 3) + "..." : s;
}

// What a key allows: a range, a list of values, or a type; an optional key says what its absence means.
std::string allowed(const KeySpec& k)
{
  std::string a;
  if (k.type == "number" || k.type == "integer" || k.type == "number list") {
    // The readers' "no upper bound" is the type's maximum; shown as such, not as 1.8e308.
    const bool open = (k.max.is_number_float() && k.max.get<double>() == std::numeric_limits<double>::max()) ||
                      (k.max.is_number_integer() && k.max.get<int64_t>() == std::numeric_limits<int64_t>::max());
    a = k.type + (open ? " >= " + bound(k.min) : " in [" + bound(k.min) + ", " + bound(k.max) + "]");
  } else if (k.type == "choice") {
    for (const auto& o : k.options)
      a += (a.empty() ? "" : "|") + o;
  } else if (k.type == "boolean") {
    a = "true|false";
  } else if (k.type == "path") {
    a = "JSON file, relative to the experiment";
  } else {
    a = k.type;
  }
  if (not k.required)
    a += "; optional, absent: " + bound(k.fallback);
  return a;
}

// Every key and every dotted prefix of one ("checkpoint", "cluster.nic"), for a "did you mean".
std::vector<std::string> prefixes(const std::vector<KeySpec>& keys)
{
  std::set<std::string> all;
  for (const auto& k : keys)
    for (size_t dot = k.key.find('.'); dot != std::string::npos; dot = k.key.find('.', dot + 1))
      all.insert(k.key.substr(0, dot));
  for (const auto& k : keys)
    all.insert(k.key);
  return {all.begin(), all.end()};
}

std::string padded(std::string s, size_t width)
{
  s.resize(std::max(width, s.size()), ' ');
  return s;
}

int list_keys(const KeysFlags& o)
{
  const std::string config = o.config.empty() ? default_config() : o.config;
  if (const auto problem = file_problem(config); not problem.empty())
    throw ConfigError(config, "--config", problem);
  std::vector<KeySpec> keys;
  for (auto& k : experiment_keys(config))
    if (k.key.rfind(o.prefix, 0) == 0)
      keys.push_back(std::move(k));
  if (keys.empty()) {
    const std::string near = nearest_key(o.prefix, prefixes(experiment_keys(config)));
    throw ConfigError(config, o.prefix,
                      "no config key starts with it" + (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
  }
  size_t wk = 3, wu = 4, wv = 7;
  for (const auto& k : keys) {
    wk = std::max(wk, k.key.size());
    wu = std::max(wu, unit_of(k.key).size());
    wv = std::max(wv, value_text(k.value).size());
  }
  std::cout << "# keys of " << config << " (with its cluster and model): set with --set KEY=VALUE or in the JSON;\n"
            << "# DEFAULT is this config's value\n"
            << padded("KEY", wk) << "  " << padded("UNIT", wu) << "  " << padded("DEFAULT", wv) << "  ALLOWED\n";
  for (const auto& k : keys)
    std::cout << padded(k.key, wk) << "  " << padded(unit_of(k.key), wu) << "  " << padded(value_text(k.value), wv)
              << "  " << allowed(k) << "\n";
  return 0;
}

const Subcommand<KeysFlags> reg("keys", kAbout, add_keys_flags, list_keys);

} // namespace
} // namespace gsim
