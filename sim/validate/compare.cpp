#include "sim/validate/compare.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace gsim {
namespace {

using nlohmann::json;

bool ends_with(const std::string& s, const std::string& tail)
{
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

/** A simulated quantity in seconds, or the reason it has none. */
struct SimValue {
  std::optional<double> seconds;
  std::string why;
};

SimValue summary_key(const std::map<std::string, SimRun>& runs, const std::string& config, const std::string& key)
{
  const auto it = runs.find(config);
  if (config.empty() || it == runs.end())
    return {std::nullopt, "no simulator config named"};
  if (not it->second.ok)
    return {std::nullopt, config + " did not run: " + it->second.failure};
  const auto& s = it->second.summary;
  if (not s.contains(key) || not s.at(key).is_number())
    return {std::nullopt, config + ": the summary has no " + key};
  return {s.at(key).get<double>(), ""};
}

std::string config_of_mode(const ValidationCase& vc, const std::string& mode)
{
  for (const auto& c : vc.configs)
    if (ends_with(c, "." + mode + ".json"))
      return c;
  return "";
}

/** Difference of two configs' iteration times (mode none - interleave; checkpoint - interleave). */
SimValue difference(const std::map<std::string, SimRun>& runs, const std::string& a, const std::string& b)
{
  const auto va = summary_key(runs, a, "iteration_time_s");
  if (not va.seconds)
    return va;
  const auto vb = summary_key(runs, b, "iteration_time_s");
  if (not vb.seconds)
    return vb;
  return {*va.seconds - *vb.seconds, ""};
}

// Which simulator output stands for which measured quantity. The simulator reports one iteration's time,
// its compute and communication busy time; per-phase GPU times and GEMM-only busy time it does not report.
SimValue simulated_seconds(const ValidationCase& vc, const CompareItem& item, const std::map<std::string, SimRun>& runs)
{
  const auto& q = item.quantity;
  if (ends_with(q, "iteration_time_s.median"))
    return summary_key(runs, item.config, "iteration_time_s");
  if (ends_with(q, "compute_busy_ms"))
    return summary_key(runs, item.config, "compute_time_s");
  if (ends_with(q, "communication_busy_ms"))
    return summary_key(runs, item.config, "communication_busy_s");
  if (q == "mode_difference_s")
    return difference(runs, config_of_mode(vc, "none"), config_of_mode(vc, "interleave"));
  if (q.rfind("checkpoint.", 0) == 0 && ends_with(q, "overhead_s"))
    return difference(runs, item.config, config_of_mode(vc, "interleave"));
  return {std::nullopt, "the simulator reports no counterpart"};
}

std::string bound_text(const CompareItem& item)
{
  char buf[64];
  if (item.bound_is_rel)
    std::snprintf(buf, sizeof buf, "±%.0f %%", item.bound * 100);
  else
    std::snprintf(buf, sizeof buf, "±%.4g %s", item.bound, item.unit.c_str());
  return buf;
}

std::string num(double v)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string pct(double rel)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f %%", rel * 100);
  return buf;
}

std::string role_text(const CompareRow& r)
{
  return r.role == "calibration" ? "calibration (not evidence)" : r.role;
}

std::string verdict_text(const CompareRow& r)
{
  return r.verdict == Verdict::not_simulated ? "not simulated: " + r.note : verdict_name(r.verdict);
}

} // namespace

std::string verdict_name(Verdict v)
{
  switch (v) {
  case Verdict::within:
    return "within";
  case Verdict::outside:
    return "outside";
  default:
    return "not_simulated";
  }
}

std::vector<CompareRow> compare_case(const ValidationCase& vc, const std::map<std::string, SimRun>& runs)
{
  std::vector<CompareRow> rows;
  for (const auto& item : vc.items) {
    CompareRow r;
    r.case_id      = vc.id;
    r.role         = vc.role;
    r.quantity     = item.quantity;
    r.unit         = item.unit;
    r.measured     = item.measured;
    r.bound        = bound_text(item);
    const auto sim = simulated_seconds(vc, item, runs);
    if (not sim.seconds) {
      r.note = sim.why;
      rows.push_back(r);
      continue;
    }
    r.simulated       = *sim.seconds * (item.unit == "ms" ? 1000.0 : 1.0);
    const double diff = *r.simulated - item.measured;
    r.error_rel       = item.measured != 0 ? diff / item.measured : 0;
    const bool ok =
        item.bound_is_rel ? std::abs(diff) <= item.bound * std::abs(item.measured) : std::abs(diff) <= item.bound;
    r.verdict = ok ? Verdict::within : Verdict::outside;
    rows.push_back(r);
  }
  return rows;
}

std::string rows_as_text(const std::vector<CompareRow>& rows)
{
  std::ostringstream o;
  std::string last;
  for (const auto& r : rows) {
    if (r.case_id != last)
      o << r.case_id << " (" << role_text(r) << ")\n";
    last = r.case_id;
    o << "  " << r.quantity << ": measured " << num(r.measured) << " " << r.unit;
    if (r.simulated)
      o << ", simulated " << num(*r.simulated) << " " << r.unit << ", error " << pct(r.error_rel);
    o << ", bound " << r.bound << ": " << verdict_text(r) << "\n";
  }
  return o.str();
}

std::string rows_as_markdown(const std::vector<CompareRow>& rows)
{
  std::ostringstream o;
  o << "| case | role | quantity | measured | simulated | error | bound | result |\n"
    << "| --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& r : rows) {
    o << "| " << r.case_id << " | " << role_text(r) << " | " << r.quantity << " | " << num(r.measured) << " " << r.unit
      << " | " << (r.simulated ? num(*r.simulated) + " " + r.unit : "-") << " | "
      << (r.simulated ? pct(r.error_rel) : "-") << " | " << r.bound << " | " << verdict_text(r) << " |\n";
  }
  return o.str();
}

json rows_as_json(const std::vector<CompareRow>& rows)
{
  json out = json::array();
  for (const auto& r : rows) {
    json j         = {{"case", r.case_id},
                      {"role", r.role},
                      {"quantity", r.quantity},
                      {"unit", r.unit},
                      {"measured", r.measured},
                      {"bound", r.bound},
                      {"verdict", verdict_name(r.verdict)}};
    j["simulated"] = r.simulated ? json(*r.simulated) : json(nullptr);
    j["error_rel"] = r.simulated ? json(r.error_rel) : json(nullptr);
    if (not r.note.empty())
      j["note"] = r.note;
    out.push_back(j);
  }
  return out;
}

} // namespace gsim
