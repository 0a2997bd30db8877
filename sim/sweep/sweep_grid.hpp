#pragma once
// A sweep's grid: axes (a config key and the values it takes), the points of their cross product,
// and the slice of them one shard runs.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace gsim {

struct GridAxis {
  std::string key;                    // a dotted config key, as --set takes it
  std::vector<nlohmann::json> values; // typed as --set types a value (models/config.hpp parse_set_value)
};

/** Parses "--grid key=v1,v2,...". Commas inside [], {} or "" do not split values. Throws ConfigError. */
GridAxis parse_grid_axis(const std::string& arg);

/** Reads a grid file, a JSON object {"key": [values...], ...}; axes in the file's order. Throws ConfigError. */
std::vector<GridAxis> read_grid_file(const std::string& file);

struct GridPoint {
  size_t index = 0;                   // position in the cross product
  std::vector<nlohmann::json> values; // one per axis
};

/** The point as --set arguments, "key=<value as JSON>", one per axis (JSON keeps "1" a string). */
std::vector<std::string> point_sets(const std::vector<GridAxis>& axes, const GridPoint& p);

/** The point for people: "key=value key=value". */
std::string describe_point(const std::vector<GridAxis>& axes, const GridPoint& p);

/** Every point of the cross product, in nested-loop order: the first axis outermost, the last fastest.
 *  Throws ConfigError on a key given twice, a value repeated, or more than a million points. */
std::vector<GridPoint> cross_product(const std::vector<GridAxis>& axes);

/** A slice of a sweep: shard `index` of `count` runs the points whose index % count == shard index. */
struct Shard {
  size_t index = 0;
  size_t count = 1;
  bool owns(size_t point) const { return point % count == index; }
};

/** Parses "i/n" (0 <= i < n). Throws ConfigError. */
Shard parse_shard(const std::string& text);

} // namespace gsim
