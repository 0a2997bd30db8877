#pragma once
// A sweep's table (results.csv and the shard files): one row per point, columns
//   point, hash, <grid keys in the given order>, status, error, <every summary key, sorted>
// point: the index in the grid's cross product; hash: the directory under points/; status: ok | error.
// Summary keys are flattened (nested objects as a.b, lists as JSON text); the `config` echo is left
// out (it is in each point's summary.json, and the grid columns say what varied); a summary key that
// has a grid key's name (instances) is summary.instances.
// Numbers are printed with %.17g, so equal cells mean bit-equal doubles.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace gsim {

struct SweepRow {
  size_t point = 0;
  std::string hash;
  std::vector<std::string> grid; // cells, one per grid key
  bool ok = false;
  std::string error;                          // why the point failed (status error)
  std::map<std::string, std::string> summary; // flattened key -> cell
};

/** A JSON value as a cell: doubles %.17g, integers and booleans as JSON, strings bare, lists and objects as JSON. */
std::string json_cell(const nlohmann::json& v);

/** The summary's cells by flattened key (a.b for nested objects), without the `config` echo. A key that
 *  is also a grid key or one of point, hash, status, error becomes summary.<key>: one name, one column. */
std::map<std::string, std::string> flatten_summary(const nlohmann::json& summary,
                                                   const std::vector<std::string>& grid_keys = {});

/** The table's CSV text: header, then the rows sorted by point; summary columns are the union over rows. */
std::string sweep_table_csv(const std::vector<std::string>& grid_keys, std::vector<SweepRow> rows);

/** Reads a table written by sweep_table_csv; sets `grid_keys` from its header. Throws ConfigError naming `file`. */
std::vector<SweepRow> read_sweep_table(const std::string& text, const std::string& file,
                                       std::vector<std::string>& grid_keys);

} // namespace gsim
