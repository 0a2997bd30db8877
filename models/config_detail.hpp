#pragma once
// What the readers of the config files share (models/config.cpp reads the experiment,
// models/config_hardware.cpp the cluster and model files, models/config_enums.cpp names the choices):
// the tables of each choice's names and the helpers that read one. Internal to those files; split so that
// each stays under ~400 lines (issue 10).
#include "models/config.hpp"
#include "models/json_reader.hpp"

#include <string>
#include <utility>
#include <vector>

namespace gsim::config_detail {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

// The names of each choice, in the order `gemini-sim keys` lists them (models/config_enums.cpp).
extern const std::vector<std::pair<std::string, Dtype>> kDtypes;
extern const std::vector<std::pair<std::string, IntraNode>> kIntra;
extern const std::vector<std::pair<std::string, Scheme>> kSchemes;
extern const std::vector<std::pair<std::string, PlacementKind>> kPlacements;
extern const std::vector<std::pair<std::string, PeerScope>> kPeerScopes;
extern const std::vector<std::pair<std::string, Leftovers>> kLeftovers;
extern const std::vector<std::pair<std::string, SpanSource>> kSpanSources;
extern const std::vector<std::pair<std::string, CollectiveMode>> kModes;
extern const std::vector<std::pair<std::string, FailureModel>> kFailureModels;
extern const std::vector<std::pair<std::string, AttentionKernel>> kAttention;
extern const std::vector<std::pair<std::string, Activation>> kActivations;
extern const std::vector<std::pair<std::string, NormKernel>> kNorms;

template <typename E> E enum_of(const std::string& s, const std::vector<std::pair<std::string, E>>& table)
{
  for (const auto& [name, value] : table)
    if (name == s)
      return value;
  return table.front().second; // unreachable: JsonReader::choice already checked the name
}

template <typename E> std::vector<std::string> names_of(const std::vector<std::pair<std::string, E>>& table)
{
  std::vector<std::string> out;
  for (const auto& [name, value] : table)
    out.push_back(name);
  return out;
}

template <typename E> std::string name_of(E e, const std::vector<std::pair<std::string, E>>& table)
{
  for (const auto& [name, value] : table)
    if (value == e)
      return name;
  return "?";
}

template <typename E>
E read_enum(JsonReader& r, const std::string& key, const std::vector<std::pair<std::string, E>>& table)
{
  return enum_of(r.choice(key, names_of(table)), table);
}

// An optional choice: `fallback` when absent (read through choice_or, so the key is known and listed).
template <typename E>
E read_enum_or(JsonReader& r, const std::string& key, const std::vector<std::pair<std::string, E>>& table, E fallback)
{
  return enum_of(r.choice_or(key, name_of(fallback, table), names_of(table)), table);
}

// The cluster and model files (models/config_hardware.cpp); `path` is where their keys stand in the
// experiment ("cluster", "model") for the key log of `gemini-sim keys`.
ClusterSpec read_cluster(const nlohmann::json& j, const std::string& file, const std::string& path,
                         KeyLog* log = nullptr);
ModelSpec read_model(const nlohmann::json& j, const std::string& file, const std::string& path, KeyLog* log = nullptr);

// Every default load_experiment applied, written into the echoed config `j` where the key is absent
// (models/config_defaults.cpp).
void echo_defaults(nlohmann::json& j, const Experiment& e);

} // namespace gsim::config_detail
