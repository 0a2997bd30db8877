#pragma once
// What a sweep will run: every point of the grid with its --set arguments, validated up front (a bad
// grid value stops the sweep before anything runs) and named by the hash of its resolved config.
#include "sim/sweep/sweep_grid.hpp"

#include <string>
#include <vector>

namespace gsim {

struct SweepSpec {
  std::string config;            // the experiment file every point starts from
  std::vector<std::string> sets; // fixed --set overrides, applied before the grid's
  std::vector<GridAxis> axes;
};

/** The grid's keys, in axis order: the table's grid columns. */
std::vector<std::string> grid_keys(const SweepSpec& spec);

struct PlannedPoint {
  GridPoint grid;
  std::vector<std::string> sets; // spec.sets then the point's grid values
  std::string hash;              // config_hash of the resolved config: the result directory's name
};

/** Loads every point's config (models/config.hpp load_experiment). Throws ConfigError for the first bad
 *  point, naming the grid key; also when two points resolve to the same config (a repeated value). */
std::vector<PlannedPoint> plan_sweep(const SweepSpec& spec);

} // namespace gsim
