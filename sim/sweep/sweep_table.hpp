#pragma once
// A sweep's table (results.csv and the shard files): one row per point, columns
//   point, hash, <grid keys in the given order>, status, error, <every summary key, sorted>
// point: the index in the grid's cross product; hash: the directory under points/; status: ok | error.
// Summary keys are flattened (nested objects as a.b, lists to side files); the `config` echo is left
// out (it is in each point's summary.json, and the grid columns say what varied); a summary key that
// has a grid key's name (instances) is summary.instances.
// Cells are sim/report/csv_writer.hpp's (shortest round-trip numbers). Per-point arrays (idle_spans_ms,
// placement_groups, every list) are not cells: sweep_point writes each beside the point's summary.json as
// points/<hash>/<key>.json; the cell is the side file's path relative to the sweep directory.
#include "sim/report/csv_writer.hpp"

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

/** The summary's cells by flattened key (a.b for nested objects), without the `config` echo. A key that
 *  is also a grid key or one of point, hash, status, error becomes summary.<key>: one name, one column.
 *  With `lists`: every list goes there by flattened key and its cell is the side file's name, <key>.json. */
std::map<std::string, std::string> flatten_summary(const nlohmann::json& summary,
                                                   const std::vector<std::string>& grid_keys    = {},
                                                   std::map<std::string, nlohmann::json>* lists = nullptr);

/** Bumped on an incompatible change of results.csv's layout; written to DIR/sweep.json. 2: lists moved to
 *  side files, shortest round-trip numbers, null as an empty cell.
 *  The schema is also in DIR/sweep.json (write_sweep_manifest). */
constexpr int kSweepTableSchema = 2;

/** DIR/sweep.json: {"schema_version": kSweepTableSchema, "table": "results.csv", "grid_keys": [...]}. */
void write_sweep_manifest(const std::string& dir, const std::vector<std::string>& grid_keys);

/** The table's CSV text: header, then the rows sorted by point; summary columns are the union over rows. */
std::string sweep_table_csv(const std::vector<std::string>& grid_keys, std::vector<SweepRow> rows);

/** Reads a table written by sweep_table_csv; sets `grid_keys` from its header. Throws ConfigError naming `file`. */
std::vector<SweepRow> read_sweep_table(const std::string& text, const std::string& file,
                                       std::vector<std::string>& grid_keys);

} // namespace gsim
