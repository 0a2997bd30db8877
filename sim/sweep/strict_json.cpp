#include "sim/sweep/strict_json.hpp"

#include "models/config_error.hpp"
#include "models/json_reader.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace gsim {

nlohmann::ordered_json read_strict_json(const std::string& file)
{
  read_json_file(file); // a missing file, a directory or bad JSON: its one-line error
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::set<std::string>> open; // the keys seen in each object being parsed
  std::vector<std::string> path;
  std::string repeated;
  const auto cb = [&](int, nlohmann::ordered_json::parse_event_t ev, nlohmann::ordered_json& v) {
    using E = nlohmann::ordered_json::parse_event_t;
    if (ev == E::object_start)
      open.emplace_back();
    else if (ev == E::object_end && not open.empty())
      open.pop_back();
    else if (ev == E::key && not open.empty() && not open.back().insert(v.get<std::string>()).second &&
             repeated.empty())
      repeated = v.get<std::string>();
    return true;
  };
  const auto doc = nlohmann::ordered_json::parse(text.str(), cb, /*allow_exceptions=*/false);
  if (not repeated.empty())
    throw ConfigError(file, repeated, "given twice in one object");
  if (doc.is_discarded())
    throw ConfigError(file, "(json)", "not valid JSON");
  return doc;
}

} // namespace gsim
