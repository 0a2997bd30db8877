#include "sim/sweep/sweep_point.hpp"

#include "sim/report/summary.hpp"

#include <filesystem>
#include <fstream>

namespace gsim {

namespace fs = std::filesystem;

nlohmann::json read_point_summary(const std::string& dir)
{
  std::ifstream in(dir + "/summary.json");
  if (not in)
    return nlohmann::json(nullptr);
  auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return doc.is_object() ? doc : nlohmann::json(nullptr);
}

std::string point_dir(const std::string& out, const PlannedPoint& p)
{
  return out + "/points/" + p.hash;
}

bool point_finished(const std::string& dir)
{
  return read_point_summary(dir).is_object();
}

void prepare_point(const std::string& dir, const SweepSpec& spec, const PlannedPoint& p)
{
  fs::remove_all(dir); // temporary files and extra result files of a run that was killed
  fs::create_directories(dir);
  nlohmann::ordered_json grid = nlohmann::ordered_json::object();
  for (size_t a = 0; a < spec.axes.size(); a++)
    grid[spec.axes[a].key] = nlohmann::ordered_json::parse(p.grid.values[a].dump());
  nlohmann::ordered_json doc;
  doc["grid"]   = grid;
  doc["config"] = spec.config;
  doc["sets"]   = p.sets;
  write_file_atomically(dir + "/point.json", doc.dump(2) + "\n");
}

SweepRow point_row(const std::string& dir, const SweepSpec& spec, const PlannedPoint& p, const std::string& error)
{
  SweepRow r;
  r.point = p.grid.index;
  r.hash  = p.hash;
  for (const auto& v : p.grid.values)
    r.grid.push_back(json_cell(v));
  const auto summary = read_point_summary(dir);
  r.ok               = summary.is_object();
  if (r.ok) {
    std::map<std::string, nlohmann::json> lists;
    r.summary = flatten_summary(summary, grid_keys(spec), &lists);
    for (const auto& [key, list] : lists) {
      write_file_atomically(dir + "/" + key + ".json", list.dump() + "\n");
      r.summary[key] = "points/" + p.hash + "/" + key + ".json";
    }
  } else
    r.error = error.empty() ? "no summary.json in " + dir : error;
  return r;
}

} // namespace gsim
