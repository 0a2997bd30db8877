#include "sim/sweep/figure_tables.hpp"

#include "models/config_error.hpp"
#include "sim/report/csv_writer.hpp"
#include "sim/report/summary.hpp" // fmt

namespace gsim {

namespace {
struct RowContext {
  const FigureSpec& f;
  const FigureRun& run;
  const std::vector<PlannedPoint>& points;
  const FigurePlan& plan;
  const std::map<std::string, nlohmann::json>& summaries;
  const PlannedPoint* point = nullptr;
  std::string each_name, each_value;
  const nlohmann::json* item = nullptr; // the `items` element of the row
  std::string path;                     // the cell's key in the figure config, for errors
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

// The point of run `run` (the row's or the cell's "run") whose grid values are the row point's for the keys
// both runs have, with those of `at` replaced.
const PlannedPoint& point_at(const RowContext& c, const FigureRun& run, const nlohmann::json& at)
{
  std::map<std::string, nlohmann::json> want;
  for (size_t a = 0; a < c.run.spec.axes.size(); a++)
    want[c.run.spec.axes[a].key] = c.point->grid.values[a];
  for (const auto& [k, v] : at.items()) // {"grid": key}: the row point's value of its own grid key
    want[k] = v.is_object() ? c.point->grid.values[axis_of(c.run, v["grid"])] : v;
  for (const auto& p : c.plan.at(run.name)) {
    bool same = true;
    for (size_t a = 0; a < run.spec.axes.size() && same; a++)
      same = not want.count(run.spec.axes[a].key) || want.at(run.spec.axes[a].key) == p.grid.values[a];
    if (same)
      return p;
  }
  throw ConfigError(c.f.file, c.path + ".at", "no point of run " + run.name + " has those grid values");
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

// A number in the cell's unit (divide_by) and format; anything else as it is.
std::string formatted(const nlohmann::json& v, const nlohmann::json& src)
{
  if (not v.is_number() || not(src.contains("format") || src.contains("divide_by")))
    return json_cell(v);
  const double x = src.contains("divide_by") ? v.get<double>() / src["divide_by"].get<double>() : v.get<double>();
  if (src.contains("format"))
    return fmt(src["format"].get<std::string>().c_str(), x); // figure_spec checked the form
  return json_cell(x);
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
  if (src.contains("item"))
    return formatted(lookup(*c.item, src["item"], c), src);
  if (src.contains("grid"))
    return json_cell(c.point->grid.values[axis_of(c.run, src["grid"])]);
  const bool other        = src.contains("at") || src.contains("run");
  const FigureRun& run    = src.contains("run") ? c.f.run(src["run"].get<std::string>()) : c.run;
  const nlohmann::json& s = other ? summary_of(c, point_at(c, run, src.value("at", nlohmann::json::object()))) : mine;
  nlohmann::json v        = nullptr;
  for (const auto& key : src["summary"].is_array() ? src["summary"] : nlohmann::json::array({src["summary"]}))
    if (v = lookup(s, key.get<std::string>(), c); not v.is_null())
      break;
  if (v.is_null() && src.contains("default"))
    return formatted(src["default"], src);
  return formatted(v, src);
}

// The rows of one point (and `each` value): per element of `items` (once without), one row per cells entry.
std::string point_rows(RowContext& c, const FigureRowBlock& block, const std::string& path)
{
  nlohmann::json list = nlohmann::json::array({nullptr});
  if (not block.items.empty()) {
    list = lookup(summary_of(c, *c.point), block.items, c);
    if (not list.is_array())
      throw ConfigError(c.f.file, path + ".items",
                        "run " + c.run.name + " point " + describe_point(c.run.spec.axes, c.point->grid) +
                            " reports no list " + block.items);
  }
  std::string csv;
  for (const auto& item : list) {
    c.item = &item;
    for (size_t i = 0; i < block.cells.size(); i++) {
      std::vector<std::string> fields;
      for (const auto& cl : block.cells[i]) {
        c.path = path + ".cells" + (block.cells.size() > 1 ? index_suffix(i) : "") + "." + cl.column;
        fields.push_back(cell(c, cl.source));
      }
      csv += csv_record(fields);
    }
  }
  return csv;
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
    RowContext c{f, run, plan.at(block.run), plan, summaries, nullptr, "", "", nullptr, ""};
    const std::vector<std::string> no_each = {""};
    const auto& values                     = block.each.empty() ? no_each : block.each.front().second;
    c.each_name                            = block.each.empty() ? "" : block.each.front().first;
    for (const auto& p : c.points) {
      if (not selected(run, p, block.where))
        continue;
      c.point = &p;
      for (const auto& v : values) {
        c.each_value = v;
        csv += point_rows(c, block, t.file + ".rows[" + std::to_string(b) + "]");
      }
    }
  }
  return csv;
}

} // namespace gsim
