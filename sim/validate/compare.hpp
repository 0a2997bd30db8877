#pragma once
// Measured against simulated: for each quantity of a case, the simulator's counterpart (taken from the
// `gemini-sim run --json` summaries of the case's configs), the error and whether it is within the bound.
#include "sim/validate/validation_case.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gsim {

/** One simulator run of a config: its JSON summary, or why there is none (the run's first error line). */
struct SimRun {
  bool ok = false;
  nlohmann::json summary;
  std::string failure;
};

enum class Verdict { within, outside, not_simulated };

struct CompareRow {
  std::string case_id;
  std::string role;
  std::string quantity;
  std::string unit;
  double measured = 0;
  std::optional<double> simulated; // in `unit`
  double error_rel = 0;            // (simulated - measured) / measured
  std::string bound;               // "±20 %" or "±0.0106 s"
  Verdict verdict = Verdict::not_simulated;
  std::string note; // why not simulated
};

/** The rows of one case; `runs` maps each config path to its run. */
std::vector<CompareRow> compare_case(const ValidationCase& vc, const std::map<std::string, SimRun>& runs);

std::string verdict_name(Verdict v);
std::string rows_as_text(const std::vector<CompareRow>& rows);
std::string rows_as_markdown(const std::vector<CompareRow>& rows);
nlohmann::json rows_as_json(const std::vector<CompareRow>& rows);

} // namespace gsim
