#include "sim/figures/paper_inputs.hpp"

#include "models/json_reader.hpp"

#include <filesystem>

namespace gsim {

Experiment paper_inputs_experiment(const FigureContext& ctx, const std::vector<std::string>& sets)
{
  const std::string file = ctx.configs_dir + "/reproduction/p4d16-paper-inputs.json";
  const nlohmann::json j = read_json_file(file);
  JsonReader r(j, file);
  const std::string config = r.string("config");
  std::vector<std::string> all;
  if (not j.contains("set") || not j["set"].is_object())
    r.fail("set", "must be an object of config key -> value");
  for (const auto& [key, value] : j["set"].items())
    all.push_back(key + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
  r.object("set"); // read: its keys are config keys, checked by load_experiment below
  r.finish();
  all.insert(all.end(), sets.begin(), sets.end());
  const auto path = std::filesystem::path(file).parent_path() / config;
  return load_experiment(path.lexically_normal().string(), all);
}

} // namespace gsim
