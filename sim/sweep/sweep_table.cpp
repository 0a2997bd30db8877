#include "sim/sweep/sweep_table.hpp"

#include "models/config_error.hpp"
#include "sim/report/summary.hpp"
#include "sim/sweep/sweep_csv.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace gsim {

namespace {
const std::vector<std::string> kLeading  = {"point", "hash"};
const std::vector<std::string> kTrailing = {"status", "error"};

void flatten(const nlohmann::json& v, const std::string& prefix, std::map<std::string, std::string>& out,
             std::map<std::string, nlohmann::json>* lists)
{
  if (v.is_object() && not v.empty()) {
    for (const auto& [k, child] : v.items())
      flatten(child, prefix.empty() ? k : prefix + "." + k, out, lists);
  } else if (v.is_array() && lists != nullptr) {
    (*lists)[prefix] = v; // a per-point array: a side file, not a (423 KB) cell
    out[prefix]      = prefix + ".json";
  } else {
    out[prefix] = json_cell(v);
  }
}
} // namespace

std::map<std::string, std::string> flatten_summary(const nlohmann::json& summary,
                                                   const std::vector<std::string>& grid_keys,
                                                   std::map<std::string, nlohmann::json>* lists)
{
  std::map<std::string, std::string> flat;
  for (const auto& [k, v] : summary.items())
    if (k != "config")
      flatten(v, k, flat, lists);
  std::set<std::string> taken(grid_keys.begin(), grid_keys.end());
  taken.insert(kLeading.begin(), kLeading.end());
  taken.insert(kTrailing.begin(), kTrailing.end());
  std::map<std::string, std::string> out;
  for (auto& [k, cell] : flat)
    out[taken.count(k) ? "summary." + k : k] = std::move(cell);
  return out;
}

void write_sweep_manifest(const std::string& dir, const std::vector<std::string>& grid_keys)
{
  nlohmann::ordered_json doc;
  doc["schema_version"] = kSweepTableSchema;
  doc["table"]          = "results.csv";
  doc["grid_keys"]      = grid_keys;
  write_file_atomically(dir + "/sweep.json", doc.dump(2) + "\n");
}

std::string sweep_table_csv(const std::vector<std::string>& grid_keys, std::vector<SweepRow> rows)
{
  std::sort(rows.begin(), rows.end(), [](const SweepRow& a, const SweepRow& b) { return a.point < b.point; });
  std::set<std::string> summary_keys;
  for (const auto& r : rows)
    for (const auto& [k, v] : r.summary)
      summary_keys.insert(k);
  std::vector<std::string> header = kLeading;
  header.insert(header.end(), grid_keys.begin(), grid_keys.end());
  header.insert(header.end(), kTrailing.begin(), kTrailing.end());
  header.insert(header.end(), summary_keys.begin(), summary_keys.end());
  std::string csv = csv_record(header);
  for (const auto& r : rows) {
    std::vector<std::string> f = {std::to_string(r.point), r.hash};
    f.insert(f.end(), r.grid.begin(), r.grid.end());
    f.push_back(r.ok ? "ok" : "error");
    f.push_back(r.error);
    for (const auto& k : summary_keys) {
      auto it = r.summary.find(k);
      f.push_back(it == r.summary.end() ? "" : it->second);
    }
    csv += csv_record(f);
  }
  return csv;
}

std::vector<SweepRow> read_sweep_table(const std::string& text, const std::string& file,
                                       std::vector<std::string>& grid_keys)
{
  std::vector<std::vector<std::string>> records;
  try {
    records = parse_csv(text);
  } catch (const std::exception& e) {
    throw ConfigError(file, "(csv)", e.what());
  }
  if (records.empty())
    throw ConfigError(file, "(header)", "empty file; not a sweep table");
  const auto& h     = records[0];
  const auto status = std::find(h.begin(), h.end(), "status");
  if (h.size() < 4 || h[0] != "point" || h[1] != "hash" || status == h.end() || status + 1 == h.end() ||
      *(status + 1) != "error")
    throw ConfigError(file, "(header)", "not a sweep table (expected point,hash,<grid keys>,status,error,...)");
  const size_t first_summary = size_t(status - h.begin()) + 2;
  grid_keys.assign(h.begin() + 2, status);
  std::vector<SweepRow> rows;
  for (size_t i = 1; i < records.size(); i++) {
    const auto& f = records[i];
    if (f.size() != h.size())
      throw ConfigError(file, "line " + std::to_string(i + 1),
                        std::to_string(f.size()) + " fields, the header has " + std::to_string(h.size()));
    SweepRow r;
    auto [p, ec] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), r.point);
    if (f[0].empty() || ec != std::errc() || p != f[0].data() + f[0].size())
      throw ConfigError(file, "line " + std::to_string(i + 1), "point '" + f[0] + "' is not a whole number");
    r.hash = f[1];
    r.grid.assign(f.begin() + 2, f.begin() + long(first_summary) - 2);
    r.ok    = f[first_summary - 2] == "ok";
    r.error = f[first_summary - 1];
    // Every column of this file, blank cells included: the union over files is then the union over rows.
    for (size_t c = first_summary; c < h.size(); c++)
      r.summary[h[c]] = f[c];
    rows.push_back(std::move(r));
  }
  return rows;
}

} // namespace gsim
