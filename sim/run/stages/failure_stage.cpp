// Summary stage: a run of run.days with failures as SimGrid events (sim/engine/failure_sim.hpp), for GEMINI and
// the two baselines: failures, recoveries by tier, wasted time per failure and the effective training
// time ratio, beside the closed forms (economics stage). With --out: failures.csv (every phase of every
// recovery) and failures_timeline.json (Perfetto / chrome://tracing).
//
// The iteration time: failures.iteration_time_s when set (> 0, a measured input), else the simulated one
// (summary key iteration_time_s from the simulation stage). Runs after the simulation (50), the checkpoint
// plan and the economics (90) stages; the ZeRO-3 replay's Engine is gone by then (sim/engine/failure_sim.hpp).
#include "models/failure_process.hpp"
#include "sim/engine/failure_sim.hpp"
#include "sim/run/registry.hpp"
#include "models/units.hpp"

#include <functional>
#include <sstream>

namespace gsim {
namespace {

nlohmann::json per_system(const FailureSimResult& r, const std::function<nlohmann::json(const SystemOutcome&)>& v)
{
  nlohmann::json j = nlohmann::json::object();
  for (const auto& s : r.systems)
    j[to_string(s.system)] = v(s);
  return j;
}

std::string phases_csv(const FailureSimResult& r)
{
  std::ostringstream csv;
  csv << "system,episode,phase,start_s,duration_s\n";
  for (const auto& s : r.systems)
    for (const auto& p : s.phases)
      csv << to_string(p.system) << "," << p.episode << "," << p.phase << "," << fmt("%.6f", p.start_s) << ","
          << fmt("%.6f", p.duration_s) << "\n";
  return csv.str();
}

// Chrome trace events: one process per system, one complete event per phase (microseconds).
std::string phases_trace(const FailureSimResult& r)
{
  nlohmann::json events = nlohmann::json::array();
  for (size_t k = 0; k < r.systems.size(); k++) {
    events.push_back(
        {{"name", "process_name"}, {"ph", "M"}, {"pid", k}, {"args", {{"name", to_string(r.systems[k].system)}}}});
    for (const auto& p : r.systems[k].phases)
      events.push_back({{"name", p.phase},
                        {"ph", "X"},
                        {"pid", k},
                        {"tid", 0},
                        {"ts", p.start_s * 1e6},
                        {"dur", p.duration_s * 1e6},
                        {"args", {{"episode", p.episode}}}});
  }
  return nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump() + "\n";
}

void failure_stage(const Experiment& e, RunResult& r)
{
  r.section("Failures and recovery (SimGrid, simulated)");
  const bool configured = e.failures.iteration_time_s > 0;
  const double t_iter   = configured                  ? e.failures.iteration_time_s
                          : r.has("iteration_time_s") ? r.get("iteration_time_s").get<double>()
                                                      : 0.0;
  if (not(t_iter > 0)) {
    r.set("failure_note", "no iteration time: set failures.iteration_time_s or simulate one", "note",
          "not simulated: no iteration time (failures.iteration_time_s or a simulated one)");
    return;
  }
  const double horizon = e.run.days * kSecondsPerDay;
  const auto spec      = failure_process_spec(e, horizon);
  const auto events    = generate_failures(spec);
  FailureSimOptions opt;
  opt.horizon_s     = horizon;
  opt.record_phases = true;
  const auto setup  = failure_sim_setup(e, t_iter);
  const auto res    = simulate_failures(setup, events, opt);

  r.set("failure_iteration_time_s", t_iter, "iteration time used",
        fmt("%.2f s", t_iter) + (configured ? " (failures.iteration_time_s)" : " (simulated)"));
  r.set("failure_model", to_string(e.failures.model), "failure model",
        to_string(e.failures.model) + fmt(", %.4g per instance-day", e.failures.rate_per_instance_day) +
            fmt(", %.0f %% hardware", e.failures.hardware_fraction * 100));
  // No host wall time here: the summary must be bit-identical between runs (bench/ measures it).
  r.set("simulated_days", e.run.days, "simulated", fmt("%.4g days", e.run.days));
  r.set("failures", res.events, "failures", std::to_string(res.events) + " events");
  r.set("storage_upload_s", res.storage_upload_s, "checkpoint upload (simulated)",
        fmt("%.1f s for all instances at once", res.storage_upload_s));
  const auto& g = res.of(System::gemini);
  const auto& s = res.of(System::strawman);
  const auto& h = res.of(System::highfreq);
  r.set("recoveries_from_cpu_memory",
        per_system(res, [](const SystemOutcome& o) { return o.recoveries_from_cpu_memory; }),
        "recoveries from CPU memory", "GEMINI " + std::to_string(g.recoveries_from_cpu_memory));
  r.set("recoveries_from_storage", per_system(res, [](const SystemOutcome& o) { return o.recoveries_from_storage; }),
        "recoveries from storage",
        "GEMINI " + std::to_string(g.recoveries_from_storage) + ", Strawman " +
            std::to_string(s.recoveries_from_storage) + ", HighFreq " + std::to_string(h.recoveries_from_storage));
  const auto mins = [](double v) { return fmt("%.2f min", v / 60); };
  r.set("wasted_time_per_failure_s", per_system(res, [](const SystemOutcome& o) { return o.wasted_per_failure_s(); }),
        "wasted per failure",
        res.events ? "GEMINI " + mins(g.wasted_per_failure_s()) + ", Strawman " + mins(s.wasted_per_failure_s()) +
                         ", HighFreq " + mins(h.wasted_per_failure_s())
                   : "no failure");
  r.set("expression1_wasted_time_per_failure_s",
        per_system(res, [](const SystemOutcome& o) { return o.expression1_per_failure_s(); }),
        "lost + retrieval per failure",
        "GEMINI " + mins(g.expression1_per_failure_s()) + ", Strawman " + mins(s.expression1_per_failure_s()) +
            ", HighFreq " + mins(h.expression1_per_failure_s()));
  r.set("effective_training_time_ratio",
        per_system(res, [](const SystemOutcome& o) { return o.effective_training_time_ratio(); }),
        "effective training time",
        fmt("GEMINI %.4f", g.effective_training_time_ratio()) +
            fmt(", Strawman %.4f", s.effective_training_time_ratio()) +
            fmt(", HighFreq %.4f", h.effective_training_time_ratio()));
  r.add_file("failures.csv", phases_csv(res));
  r.add_file("failures_timeline.json", phases_trace(res));
}

const RegisterSummaryStage reg({95, "failures", failure_stage});

} // namespace
} // namespace gsim
