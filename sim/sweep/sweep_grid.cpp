#include "sim/sweep/sweep_grid.hpp"

#include "models/config.hpp"
#include "models/config_error.hpp"
#include "sim/sweep/strict_json.hpp"

#include <charconv>
#include <fstream>
#include <set>

namespace gsim {

namespace {
constexpr size_t kMaxPoints = 1000000; // a larger grid is almost surely a mistake; use several sweeps

// Splits on commas outside brackets, braces and double quotes, so a value may be a JSON list.
std::vector<std::string> split_values(const std::string& text)
{
  std::vector<std::string> out(1);
  int depth    = 0;
  bool quoted  = false;
  bool escaped = false;
  for (char c : text) {
    if (quoted) {
      quoted  = escaped || c != '"';
      escaped = not escaped && c == '\\';
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[' || c == '{') {
      depth++;
    } else if (c == ']' || c == '}') {
      depth--;
    } else if (c == ',' && depth == 0) {
      out.emplace_back();
      continue;
    }
    out.back() += c;
  }
  return out;
}

size_t parse_count(const std::string& s, const std::string& whole)
{
  size_t v     = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size())
    throw ConfigError("--shard", whole, "expected i/n with whole numbers 0 <= i < n (for example 0/4)");
  return v;
}
} // namespace

GridAxis parse_grid_axis(const std::string& arg)
{
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--grid", arg, "expected key=v1,v2,... (for example instances=8,16)");
  GridAxis a;
  a.key = arg.substr(0, eq);
  for (const auto& v : split_values(arg.substr(eq + 1))) {
    if (v.empty())
      throw ConfigError("--grid", a.key, "empty value in '" + arg.substr(eq + 1) + "'");
    a.values.push_back(parse_set_value(v));
  }
  return a;
}

std::vector<GridAxis> read_grid_file(const std::string& file)
{
  // The file's key order is the loop and column order; a key given twice is refused.
  const auto doc = read_strict_json(file);
  if (not doc.is_object())
    throw ConfigError(file, "(root)", "a grid file is a JSON object {\"key\": [values...], ...}");
  std::vector<GridAxis> axes;
  for (const auto& [key, values] : doc.items()) {
    if (not values.is_array() || values.empty())
      throw ConfigError(file, key, "must be a non-empty list of values");
    GridAxis a{key, {}};
    for (const auto& v : values)
      a.values.push_back(nlohmann::json::parse(v.dump())); // ordered_json -> json, the same value
    axes.push_back(std::move(a));
  }
  return axes;
}

std::vector<std::string> point_sets(const std::vector<GridAxis>& axes, const GridPoint& p)
{
  std::vector<std::string> sets;
  for (size_t a = 0; a < axes.size(); a++)
    sets.push_back(axes[a].key + "=" + p.values[a].dump());
  return sets;
}

std::string describe_point(const std::vector<GridAxis>& axes, const GridPoint& p)
{
  std::string s;
  for (size_t a = 0; a < axes.size(); a++)
    s += (a ? " " : "") + axes[a].key + "=" +
         (p.values[a].is_string() ? p.values[a].get<std::string>() : p.values[a].dump());
  return s;
}

std::vector<GridPoint> cross_product(const std::vector<GridAxis>& axes)
{
  std::set<std::string> keys;
  size_t total = 1;
  for (const auto& a : axes) {
    if (not keys.insert(a.key).second)
      throw ConfigError("--grid", a.key, "given twice (in --grid or --grid-file)");
    if (a.values.empty())
      throw ConfigError("--grid", a.key, "has no values");
    for (size_t i = 0; i < a.values.size(); i++)
      for (size_t j = 0; j < i; j++)
        if (a.values[i] == a.values[j]) // JSON equality: 8 and 8.0 are one value
          throw ConfigError("--grid", a.key, "repeats the value " + a.values[i].dump());
    if (total > kMaxPoints / a.values.size())
      throw ConfigError("--grid", a.key, "the grid has more than " + std::to_string(kMaxPoints) + " points");
    total *= a.values.size();
  }
  std::vector<GridPoint> points(total);
  for (size_t i = 0; i < total; i++) {
    points[i].index = i;
    points[i].values.resize(axes.size());
    size_t rest = i; // mixed-radix digits of i, the last axis the least significant
    for (size_t a = axes.size(); a-- > 0;) {
      points[i].values[a] = axes[a].values[rest % axes[a].values.size()];
      rest /= axes[a].values.size();
    }
  }
  return points;
}

Shard parse_shard(const std::string& text)
{
  const auto slash = text.find('/');
  if (slash == std::string::npos)
    throw ConfigError("--shard", text, "expected i/n (for example 0/4)");
  Shard s{parse_count(text.substr(0, slash), text), parse_count(text.substr(slash + 1), text)};
  if (s.count == 0 || s.index >= s.count)
    throw ConfigError("--shard", text, "expected i/n with 0 <= i < n");
  return s;
}

} // namespace gsim
