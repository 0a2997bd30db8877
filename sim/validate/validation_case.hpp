#pragma once
// One measured reference run (traces/validation/<id>.json) as `gemini-sim validate` reads it: its role,
// the simulator configs it names, and the flat `compare` list of measured quantities with their bounds.
#include <string>
#include <vector>

namespace gsim {

struct CompareItem {
  std::string quantity; // a dotted path into the case's `measured`
  double measured = 0;  // in `unit`
  std::string unit;     // "s" or "ms"
  bool bound_is_rel = true;
  double bound      = 0; // rel: allowed |sim - measured| / |measured|; abs: allowed |sim - measured| in unit
  std::string config;    // simulator_config (empty for derived quantities such as mode_difference_s)
};

struct ValidationCase {
  std::string file;
  std::string id;
  std::string role; // calibration | validation
  std::vector<std::string> configs;
  std::vector<std::string> sets; // overrides every run of this case needs
  std::vector<CompareItem> items;
};

/** Reads one case file; a missing or mistyped key throws ConfigError naming the file and the key. */
ValidationCase load_validation_case(const std::string& path);

/** Every `*.json` directly under `dir`, sorted by name, read with load_validation_case. */
std::vector<ValidationCase> load_validation_cases(const std::string& dir);

} // namespace gsim
