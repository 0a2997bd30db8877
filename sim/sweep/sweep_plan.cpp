#include "sim/sweep/sweep_plan.hpp"

#include "models/config.hpp"
#include "models/config_error.hpp"
#include "sim/sweep/sweep_hash.hpp"

#include <map>

namespace gsim {

namespace {
bool names_key(const std::string& error_key, const std::string& key)
{
  return error_key == key || error_key.rfind(key + ".", 0) == 0;
}

Experiment load_point(const SweepSpec& spec, const PlannedPoint& p)
{
  try {
    return load_experiment(spec.config, p.sets);
  } catch (const ConfigError& e) {
    const std::string where = " (at grid point " + describe_point(spec.axes, p.grid) + ")";
    for (const auto& a : spec.axes)
      if (names_key(e.key(), a.key))
        throw ConfigError(spec.config + " (--grid)", e.key(), e.problem() + where);
    throw ConfigError(e.file(), e.key(), e.problem() + where); // a combination the grid made invalid
  }
}
} // namespace

std::vector<std::string> grid_keys(const SweepSpec& spec)
{
  std::vector<std::string> keys;
  for (const auto& a : spec.axes)
    keys.push_back(a.key);
  return keys;
}

std::vector<PlannedPoint> plan_sweep(const SweepSpec& spec)
{
  std::vector<PlannedPoint> plan;
  std::map<std::string, size_t> seen; // hash -> point
  for (auto& g : cross_product(spec.axes)) {
    PlannedPoint p;
    p.grid = std::move(g);
    p.sets = spec.sets;
    for (auto& s : point_sets(spec.axes, p.grid))
      p.sets.push_back(std::move(s));
    p.hash = config_hash(load_point(spec, p).effective);
    // Two points with one config would share a directory (and could run at once in two shards).
    if (auto [it, fresh] = seen.emplace(p.hash, p.grid.index); not fresh)
      throw ConfigError("--grid", describe_point(spec.axes, p.grid),
                        "the same config as point " + std::to_string(it->second) + " (a value repeated?)");
    plan.push_back(std::move(p));
  }
  return plan;
}

} // namespace gsim
