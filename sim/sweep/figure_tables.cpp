#include "sim/sweep/figure_tables.hpp"

#include "models/config_error.hpp"
#include "sim/report/csv_writer.hpp"

namespace gsim {

namespace {
struct RowContext {
  const FigureSpec& f;
  const FigureRun& run;
  const std::vector<PlannedPoint>& points;
  const std::map<std::string, nlohmann::json>& summaries;
  const PlannedPoint* point = nullptr;
  std::string each_name, each_value;
  std::string path; // the cell's key in the figure config, for errors
};

size_t axis_of(const FigureRun& run, const std::string& key)
{
  for (size_t a = 0; a < run.spec.axes.size(); a++)
    if (run.spec.axes[a].key == key)
      return a;
  return run.spec.axes.size(); // figure_spec validated every grid key
}

const nlohmann::json& summary_of(const RowContext& c, const PlannedPoint& p)
{
  auto it = c.summaries.find(p.hash);
  if (it == c.summaries.end())
    throw ConfigError(c.f.file, c.path,
                      "run " + c.run.name + " point " + describe_point(c.run.spec.axes, p.grid) +
                          " has no summary (the run failed)");
  return it->second;
}

// The point of the same run with the grid values of `at` replaced.
const PlannedPoint& point_at(const RowContext& c, const nlohmann::json& at)
{
  auto want = c.point->grid.values;
  for (const auto& [k, v] : at.items())
    want[axis_of(c.run, k)] = v;
  for (const auto& p : c.points)
    if (p.grid.values == want)
      return p;
  throw ConfigError(c.f.file, c.path + ".at", "no point of run " + c.run.name + " has those grid values");
}

// summary["a"]["b"] for "a.b" ("{name}" replaced by the each value); null when absent.
nlohmann::json lookup(const nlohmann::json& summary, std::string key, const RowContext& c)
{
  if (not c.each_name.empty())
    for (size_t at; (at = key.find("{" + c.each_name + "}")) != std::string::npos;)
      key.replace(at, c.each_name.size() + 2, c.each_value);
  const nlohmann::json* v = &summary;
  for (size_t from = 0; from <= key.size();) {
    const size_t dot  = std::min(key.find('.', from), key.size());
    const auto member = key.substr(from, dot - from);
    if (not v->is_object() || not v->contains(member))
      return nullptr;
    v    = &(*v)[member];
    from = dot + 1;
  }
  return *v;
}

std::string cell(const RowContext& c, const nlohmann::json& src)
{
  const nlohmann::json& mine = summary_of(c, *c.point);
  if (src.contains("when") && lookup(mine, src["when"]["summary"], c) == src["when"]["equals"])
    return json_cell(src["when"]["then"]);
  if (src.contains("value"))
    return json_cell(src["value"]);
  if (src.contains("each"))
    return c.each_value;
  if (src.contains("grid"))
    return json_cell(c.point->grid.values[axis_of(c.run, src["grid"])]);
  const nlohmann::json& s = src.contains("at") ? summary_of(c, point_at(c, src["at"])) : mine;
  nlohmann::json v        = nullptr;
  for (const auto& key : src["summary"].is_array() ? src["summary"] : nlohmann::json::array({src["summary"]}))
    if (v = lookup(s, key.get<std::string>(), c); not v.is_null())
      break;
  if (v.is_null() && src.contains("default"))
    return json_cell(src["default"]);
  return json_cell(v);
}

bool selected(const FigureRun& run, const PlannedPoint& p, const std::map<std::string, nlohmann::json>& where)
{
  for (const auto& [k, v] : where)
    if (p.grid.values[axis_of(run, k)] != v)
      return false;
  return true;
}
} // namespace

FigurePlan plan_figure(const FigureSpec& f)
{
  FigurePlan plan;
  for (const auto& r : f.runs) {
    try {
      plan[r.name] = plan_sweep(r.spec);
    } catch (const ConfigError& e) {
      throw ConfigError(f.file, "runs." + r.name, e.what());
    }
  }
  return plan;
}

std::string figure_table_csv(const FigureSpec& f, const FigureTable& t, const FigurePlan& plan,
                             const std::map<std::string, nlohmann::json>& summaries)
{
  std::string csv = csv_record(t.columns);
  for (size_t b = 0; b < t.rows.size(); b++) {
    const auto& block = t.rows[b];
    const auto& run   = f.run(block.run);
    RowContext c{f, run, plan.at(block.run), summaries, nullptr, "", "", ""};
    const std::vector<std::string> no_each = {""};
    const auto& values                     = block.each.empty() ? no_each : block.each.front().second;
    c.each_name                            = block.each.empty() ? "" : block.each.front().first;
    for (const auto& p : c.points) {
      if (not selected(run, p, block.where))
        continue;
      c.point = &p;
      for (const auto& v : values) {
        c.each_value = v;
        std::vector<std::string> fields;
        for (const auto& cl : block.cells) {
          c.path = t.file + ".rows[" + std::to_string(b) + "].cells." + cl.column;
          fields.push_back(cell(c, cl.source));
        }
        csv += csv_record(fields);
      }
    }
  }
  return csv;
}

} // namespace gsim
