#include "sim/validate/validation_case.hpp"

#include "models/config_error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace gsim {
namespace {

using nlohmann::json;

const json& need(const json& obj, const std::string& key, const std::string& file, const std::string& path)
{
  if (not obj.is_object() || not obj.contains(key))
    throw ConfigError(file, path, "missing");
  return obj.at(key);
}

std::string need_string(const json& obj, const std::string& key, const std::string& file, const std::string& path)
{
  const auto& v = need(obj, key, file, path);
  if (not v.is_string())
    throw ConfigError(file, path, "must be a string");
  return v.get<std::string>();
}

double need_number(const json& obj, const std::string& key, const std::string& file, const std::string& path)
{
  const auto& v = need(obj, key, file, path);
  if (not v.is_number())
    throw ConfigError(file, path, "must be a number");
  return v.get<double>();
}

std::vector<std::string> string_list(const json& obj, const std::string& key, const std::string& file,
                                     const std::string& path)
{
  const auto& v = need(obj, key, file, path);
  if (not v.is_array())
    throw ConfigError(file, path, "must be a list of strings");
  std::vector<std::string> out;
  for (const auto& s : v) {
    if (not s.is_string())
      throw ConfigError(file, path, "must be a list of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

CompareItem read_item(const json& c, const std::string& file, const std::string& at)
{
  CompareItem item;
  item.quantity     = need_string(c, "quantity", file, at + ".quantity");
  item.measured     = need_number(c, "measured", file, at + ".measured");
  item.unit         = need_string(c, "unit", file, at + ".unit");
  const auto& bound = need(c, "bound", file, at + ".bound");
  if (bound.is_object() && bound.contains("rel")) {
    item.bound = need_number(bound, "rel", file, at + ".bound.rel");
  } else if (bound.is_object() && bound.contains("abs")) {
    item.bound_is_rel = false;
    item.bound        = need_number(bound, "abs", file, at + ".bound.abs");
  } else {
    throw ConfigError(file, at + ".bound", "must be {\"rel\": x} or {\"abs\": x}");
  }
  if (not(item.bound >= 0))
    throw ConfigError(file, at + ".bound", "must be >= 0");
  if (c.contains("simulator_config"))
    item.config = need_string(c, "simulator_config", file, at + ".simulator_config");
  return item;
}

} // namespace

ValidationCase load_validation_case(const std::string& path)
{
  std::ifstream in(path);
  if (not in)
    throw ConfigError(path, "(file)", "cannot be read");
  const json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || not doc.is_object())
    throw ConfigError(path, "(file)", "is not a JSON object");
  ValidationCase vc;
  vc.file = path;
  vc.id   = need_string(doc, "id", path, "id");
  vc.role = need_string(doc, "role", path, "role");
  if (vc.role != "calibration" && vc.role != "validation")
    throw ConfigError(path, "role", "must be calibration or validation, not '" + vc.role + "'");
  const auto& sim = need(doc, "simulator", path, "simulator");
  vc.configs      = string_list(sim, "configs", path, "simulator.configs");
  vc.sets = sim.contains("sets") ? string_list(sim, "sets", path, "simulator.sets") : std::vector<std::string>{};
  const auto& cmp = need(doc, "compare", path, "compare");
  if (not cmp.is_array() || cmp.empty())
    throw ConfigError(path, "compare", "must be a non-empty list");
  for (size_t i = 0; i < cmp.size(); i++)
    vc.items.push_back(read_item(cmp[i], path, "compare[" + std::to_string(i) + "]"));
  return vc;
}

std::vector<ValidationCase> load_validation_cases(const std::string& dir)
{
  namespace fs = std::filesystem;
  if (not fs::is_directory(dir))
    throw ConfigError(dir, "--cases", "no such directory");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".json" && e.path().filename() != "known_misses.json")
      files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw ConfigError(dir, "--cases", "holds no case file (*.json)");
  std::vector<ValidationCase> cases;
  for (const auto& f : files)
    cases.push_back(load_validation_case(f));
  return cases;
}

} // namespace gsim
