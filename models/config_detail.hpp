#pragma once
// What the readers of the config files share (models/config.cpp reads the experiment,
// models/config_hardware.cpp the cluster and model files): reading a choice by its names (models/choice.hpp)
// and the file readers. Internal to those files; split so that
// each stays under ~400 lines (issue 10).
#include "models/config.hpp"
#include "models/json_reader.hpp"

#include <string>
#include <vector>

namespace gsim::config_detail {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;

// A choice's value (a GSIM_CHOICE enum, models/choice.hpp), checked against its names by JsonReader::choice.
template <Choice E> E read_enum(JsonReader& r, const std::string& key)
{
  return *choice_of<E>(r.choice(key, choice_names<E>()));
}

// An optional choice: `fallback` when absent (read through choice_or, so the key is known and listed).
template <Choice E> E read_enum_or(JsonReader& r, const std::string& key, E fallback)
{
  return *choice_of<E>(r.choice_or(key, to_string(fallback), choice_names<E>()));
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
