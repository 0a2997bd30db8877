#include "sim/sweep/figure_spec.hpp"

#include "models/config_error.hpp"
#include "models/json_reader.hpp"
#include "sim/sweep/strict_json.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace gsim {

namespace {
using ojson = nlohmann::ordered_json;

nlohmann::json plain(const ojson& v)
{
  return nlohmann::json::parse(v.dump()); // ordered -> plain, the same value
}

const ojson& object_at(const ojson& parent, const std::string& key, const std::string& file, const std::string& path)
{
  if (not parent.contains(key) || not parent[key].is_object())
    throw ConfigError(file, path, "must be a JSON object");
  return parent[key];
}

void only_keys(const ojson& obj, const std::string& file, const std::string& path, const std::set<std::string>& allowed)
{
  for (const auto& [k, v] : obj.items())
    if (not allowed.count(k)) {
      std::string known;
      for (const auto& a : allowed)
        known += (known.empty() ? "" : ", ") + a;
      throw ConfigError(file, path.empty() ? k : path + "." + k, "unknown key (known: " + known + ")");
    }
}

std::string text(const ojson& obj, const std::string& key, const std::string& file, const std::string& path)
{
  if (not obj.contains(key) || not obj[key].is_string() || obj[key].get<std::string>().empty())
    throw ConfigError(file, path, "must be a non-empty string");
  return obj[key].get<std::string>();
}

FigureRun read_run(const std::string& name, const ojson& r, const std::string& file, const std::string& configs)
{
  const std::string at = "runs." + name;
  if (not r.is_object())
    throw ConfigError(file, at, "must be a JSON object {\"config\": ..., \"set\": {...}, \"grid\": {...}}");
  only_keys(r, file, at, {"config", "inputs", "set", "grid"});
  FigureRun run{name, {}};
  if (r.contains("inputs") == r.contains("config"))
    throw ConfigError(file, at, "needs exactly one of config (an experiment) and inputs (a {config, set} file)");
  if (r.contains("inputs")) {
    // A reproduction's inputs (configs/reproduction/): an experiment and the overrides it is run with, data
    // kept beside their source; the run's own set applies after them.
    const auto path = std::filesystem::path(configs) / text(r, "inputs", file, at + ".inputs");
    const auto in   = read_json_file(path.string());
    JsonReader j(in, path.string());
    run.spec.config = (path.parent_path() / j.string("config")).lexically_normal().string();
    if (not in.contains("set") || not in["set"].is_object())
      j.fail("set", "must be an object of config key -> value");
    for (const auto& [k, v] : in["set"].items())
      run.spec.sets.push_back(k + "=" + v.dump());
    (void)j.object("set");
    j.finish();
  } else
    run.spec.config = configs + "/" + text(r, "config", file, at + ".config");
  if (r.contains("set"))
    for (const auto& [k, v] : object_at(r, "set", file, at + ".set").items())
      run.spec.sets.push_back(k + "=" + v.dump());
  if (r.contains("grid"))
    for (const auto& [k, v] : object_at(r, "grid", file, at + ".grid").items()) {
      if (not v.is_array() || v.empty())
        throw ConfigError(file, at + ".grid." + k, "must be a non-empty list of values");
      GridAxis a{k, {}};
      for (const auto& x : v)
        a.values.push_back(plain(x));
      run.spec.axes.push_back(std::move(a));
    }
  return run;
}

// "%.<digits><f|g|e>": the only printf forms a cell may use (one double, no width, no flags).
bool number_format(const ojson& v)
{
  if (not v.is_string())
    return false;
  const auto s = v.get<std::string>();
  const bool digits =
      s.size() >= 4 && s.size() <= 5 && std::all_of(s.begin() + 2, s.end() - 1, [](char c) { return std::isdigit(c); });
  return digits && s.compare(0, 2, "%.") == 0 && std::string("fge").find(s.back()) != std::string::npos;
}

void check_cell(const ojson& c, const FigureSpec& f, const FigureRun& own, const std::vector<std::string>& each,
                bool items, const std::string& path)
{
  const std::string& file = f.file;
  if (not c.is_object())
    throw ConfigError(file, path, "must be a JSON object (summary, grid, each or value)");
  only_keys(c, file, path,
            {"summary", "grid", "each", "item", "value", "at", "run", "default", "when", "format", "divide_by"});
  if (c.contains("run") && (not c["run"].is_string() || not c.contains("summary")))
    throw ConfigError(file, path + ".run", "must name a run, and the cell must read a summary key");
  if (c.contains("format") && not number_format(c["format"]))
    throw ConfigError(file, path + ".format", "must be \"%.Nf\", \"%.Ng\" or \"%.Ne\" (N: 0..99 digits)");
  if (c.contains("divide_by") && not(c["divide_by"].is_number() && c["divide_by"].get<double>() > 0))
    throw ConfigError(file, path + ".divide_by", "must be a positive number (a unit: 60 turns seconds into minutes)");
  const FigureRun& run = c.contains("run") ? f.run(c["run"].get<std::string>()) : own;
  int sources          = 0;
  for (const char* k : {"summary", "grid", "each", "item", "value"})
    sources += c.contains(k) ? 1 : 0;
  if (sources != 1)
    throw ConfigError(file, path, "needs exactly one of summary, grid, each, item, value");
  if (c.contains("item") && (not c["item"].is_string() || not items))
    throw ConfigError(file, path + ".item", "must name a field of the row block's `items`");
  const auto grid_key = [&](const std::string& k, const std::string& where) {
    for (const auto& a : run.spec.axes)
      if (a.key == k)
        return;
    throw ConfigError(file, where, "'" + k + "' is not a grid key of run " + run.name);
  };
  if (c.contains("summary")) {
    const auto& s = c["summary"];
    const bool ok = s.is_string() || (s.is_array() && not s.empty() &&
                                      std::all_of(s.begin(), s.end(), [](auto& x) { return x.is_string(); }));
    if (not ok)
      throw ConfigError(file, path + ".summary", "must be a key or a non-empty list of keys");
  }
  if (c.contains("grid")) {
    if (not c["grid"].is_string())
      throw ConfigError(file, path + ".grid", "must be a grid key");
    grid_key(c["grid"].get<std::string>(), path + ".grid");
  }
  if (c.contains("each") && (not c["each"].is_string() || std::find(each.begin(), each.end(), c["each"]) == each.end()))
    throw ConfigError(file, path + ".each", "must name the row block's `each`");
  if (c.contains("at"))
    for (const auto& [k, v] : object_at(c, "at", file, path + ".at").items()) {
      grid_key(k, path + ".at." + k);
      if (v.is_object()) { // {"grid": key}: the row's own value of that key
        if (v.size() != 1 || not v.contains("grid") || not v["grid"].is_string() ||
            std::none_of(own.spec.axes.begin(), own.spec.axes.end(), [&](auto& a) { return a.key == v["grid"]; }))
          throw ConfigError(file, path + ".at." + k,
                            "an object value must be {\"grid\": a grid key of run " + own.name + "}");
      }
    }
  if (c.contains("when")) {
    const auto& w = object_at(c, "when", file, path + ".when");
    only_keys(w, file, path + ".when", {"summary", "equals", "then"});
    text(w, "summary", file, path + ".when.summary");
    if (not w.contains("equals") || not w.contains("then"))
      throw ConfigError(file, path + ".when", "needs summary, equals and then");
  }
}

FigureRowBlock read_rows(const ojson& b, const FigureSpec& f, const FigureTable& t, const std::string& path)
{
  if (not b.is_object())
    throw ConfigError(f.file, path, "must be a JSON object {\"run\": ..., \"cells\": {...}}");
  only_keys(b, f.file, path, {"run", "where", "each", "items", "cells"});
  FigureRowBlock block;
  block.run       = text(b, "run", f.file, path + ".run");
  const auto& run = f.run(block.run);
  if (b.contains("where"))
    for (const auto& [k, v] : object_at(b, "where", f.file, path + ".where").items())
      block.where[k] = plain(v);
  if (b.contains("items"))
    block.items = text(b, "items", f.file, path + ".items");
  std::vector<std::string> each_names;
  if (b.contains("each")) {
    const auto& e = object_at(b, "each", f.file, path + ".each");
    if (e.size() != 1)
      throw ConfigError(f.file, path + ".each", "must name one list, {\"name\": [values]}");
    for (const auto& [k, v] : e.items()) {
      if (not v.is_array() || v.empty() || not std::all_of(v.begin(), v.end(), [](auto& x) { return x.is_string(); }))
        throw ConfigError(f.file, path + ".each." + k, "must be a non-empty list of strings");
      block.each.push_back({k, v.get<std::vector<std::string>>()});
      each_names.push_back(k);
    }
  }
  const bool list = b.contains("cells") && b["cells"].is_array() && not b["cells"].empty();
  const auto rows = list ? b["cells"] : ojson::array({object_at(b, "cells", f.file, path + ".cells")});
  for (size_t i = 0; i < rows.size(); i++) {
    const std::string at = path + ".cells" + (list ? index_suffix(i) : "");
    const auto& cells    = rows[i];
    if (not cells.is_object())
      throw ConfigError(f.file, at, "must be a JSON object of column -> CELL");
    for (const auto& [k, c] : cells.items())
      if (std::find(t.columns.begin(), t.columns.end(), k) == t.columns.end())
        throw ConfigError(f.file, at + "." + k, "not one of the table's columns");
    block.cells.emplace_back();
    for (const auto& col : t.columns) {
      if (not cells.contains(col))
        throw ConfigError(f.file, at + "." + col, "missing: every column needs a cell");
      check_cell(cells[col], f, run, each_names, not block.items.empty(), at + "." + col);
      block.cells.back().push_back({col, plain(cells[col])});
    }
  }
  return block;
}

FigureTable read_table(const ojson& t, const FigureSpec& f, const std::string& path)
{
  if (not t.is_object())
    throw ConfigError(f.file, path, "must be a JSON object {\"file\": ..., \"columns\": [...], \"rows\": [...]}");
  only_keys(t, f.file, path, {"file", "columns", "rows"});
  FigureTable table;
  table.file = text(t, "file", f.file, path + ".file");
  if (table.file.find('/') != std::string::npos)
    throw ConfigError(f.file, path + ".file", "a file name, without a directory");
  const auto& cols = t.contains("columns") ? t["columns"] : ojson();
  if (not cols.is_array() || cols.empty() ||
      not std::all_of(cols.begin(), cols.end(), [](auto& x) { return x.is_string(); }))
    throw ConfigError(f.file, path + ".columns", "must be a non-empty list of column names");
  table.columns = cols.get<std::vector<std::string>>();
  if (not t.contains("rows") || not t["rows"].is_array() || t["rows"].empty())
    throw ConfigError(f.file, path + ".rows", "must be a non-empty list of row blocks");
  for (size_t i = 0; i < t["rows"].size(); i++)
    table.rows.push_back(read_rows(t["rows"][i], f, table, path + ".rows[" + std::to_string(i) + "]"));
  return table;
}
} // namespace

const FigureRun& FigureSpec::run(const std::string& name) const
{
  for (const auto& r : runs)
    if (r.name == name)
      return r;
  throw ConfigError(file, "run", "no run named '" + name + "' in runs");
}

FigureSpec read_figure_spec(const std::string& file, const std::string& configs_dir)
{
  const auto doc = read_strict_json(file);
  if (not doc.is_object())
    throw ConfigError(file, "(root)", "a figure config is a JSON object (docs/figures/README.md)");
  only_keys(doc, file, "",
            {"figure", "title", "plot", "description", "model_shape", "model_shape_why", "runs", "tables"});
  FigureSpec f;
  f.file = file;
  if (not doc.contains("figure") || not doc["figure"].is_number_integer() || doc["figure"].get<int64_t>() < 1 ||
      doc["figure"].get<int64_t>() > 1000)
    throw ConfigError(file, "figure", "must be the figure's number (a whole number 1..1000)");
  f.id    = int(doc["figure"].get<int64_t>());
  f.title = text(doc, "title", file, "title");
  f.plot  = doc.contains("plot") ? text(doc, "plot", file, "plot") : "";
  // Which model shapes the figure's runs use (docs/memory.md, "Model shapes"), with the reason in one line.
  if (doc.contains("model_shape")) {
    f.model_shape = text(doc, "model_shape", file, "model_shape");
    if (f.model_shape != "table2" && f.model_shape != "artifact-template" && f.model_shape != "both")
      throw ConfigError(file, "model_shape",
                        "must be \"table2\", \"artifact-template\" or \"both\", not \"" + f.model_shape + "\"");
    f.model_shape_why = text(doc, "model_shape_why", file, "model_shape_why");
  } else if (doc.contains("model_shape_why"))
    throw ConfigError(file, "model_shape_why", "needs model_shape beside it");
  for (const auto& [name, r] : object_at(doc, "runs", file, "runs").items())
    f.runs.push_back(read_run(name, r, file, configs_dir));
  if (f.runs.empty())
    throw ConfigError(file, "runs", "names no run");
  if (not doc.contains("tables") || not doc["tables"].is_array() || doc["tables"].empty())
    throw ConfigError(file, "tables", "must be a non-empty list of tables");
  for (size_t i = 0; i < doc["tables"].size(); i++)
    f.tables.push_back(read_table(doc["tables"][i], f, "tables[" + std::to_string(i) + "]"));
  return f;
}

std::vector<FigureSpec> read_figure_specs(const std::string& configs_dir)
{
  namespace fs         = std::filesystem;
  const std::string in = configs_dir + "/figures";
  if (not fs::is_directory(in))
    throw ConfigError(in, "--configs", "no figures/ directory of figure configs");
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(in))
    if (entry.path().extension() == ".json")
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  std::vector<FigureSpec> specs;
  std::map<int, std::string> seen;
  for (const auto& file : files) {
    specs.push_back(read_figure_spec(file, configs_dir));
    if (auto [it, fresh] = seen.emplace(specs.back().id, file); not fresh)
      throw ConfigError(file, "figure", "figure " + std::to_string(it->first) + " is also " + it->second);
  }
  std::sort(specs.begin(), specs.end(), [](const FigureSpec& a, const FigureSpec& b) { return a.id < b.id; });
  return specs;
}

} // namespace gsim
