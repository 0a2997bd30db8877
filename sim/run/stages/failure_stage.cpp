// Stage: a run of run.days with failures as SimGrid events (sim/engine/failure_sim.hpp), for GEMINI and
// the two baselines: failures, recoveries by tier, wasted time per failure and the effective training
// time ratio, beside the closed forms (economics stage). With --out: failures.csv (every phase of every
// recovery) and failures_timeline.json (Perfetto / chrome://tracing).
//
// The iteration time: failures.iteration_time_s when set (> 0, a measured input), else the simulated one
// (RunContext::failure_iteration_s). Runs after the simulation, the checkpoint plan and the economics
// stages; the ZeRO-3 replay's Engine is gone by then (sim/engine/failure_sim.hpp).
#include "models/config_error.hpp"
#include "models/failure_process.hpp"
#include "models/spaced_failures.hpp"
#include "models/units.hpp"
#include "sim/engine/failure_sim.hpp"
#include "sim/report/chrome_trace.hpp"
#include "sim/report/csv_writer.hpp"
#include "sim/run/stages/stages.hpp"

#include <algorithm>
#include <functional>
#include <optional>

namespace gsim {
namespace {

nlohmann::json per_system(const FailureSimResult& r, const std::function<nlohmann::json(const SystemOutcome&)>& v)
{
  nlohmann::json j = nlohmann::json::object();
  for (const auto& s : r.systems)
    j[to_string(s.system)] = v(s);
  return j;
}

// "GEMINI a, Strawman b, HighFreq c" over the systems that were simulated (GEMINI may be left out).
std::string systems_text(const FailureSimResult& r, const std::function<std::string(const SystemOutcome&)>& shown,
                         bool gemini_only = false)
{
  const std::pair<System, const char*> order[] = {
      {System::gemini, "GEMINI"}, {System::strawman, "Strawman"}, {System::highfreq, "HighFreq"}};
  std::string text;
  for (const auto& [system, name] : order) {
    if (gemini_only && system != System::gemini)
      break;
    for (const auto& o : r.systems)
      if (o.system == system)
        text += (text.empty() ? "" : ", ") + std::string(name) + " " + shown(o);
  }
  return text.empty() ? "GEMINI n/a" : text;
}

std::string phases_csv(const FailureSimResult& r)
{
  std::string csv = csv_record({"system", "episode", "phase", "start_s", "duration_s"});
  for (const auto& s : r.systems)
    for (const auto& p : s.phases)
      csv += csv_record(
          {to_string(p.system), std::to_string(p.episode), p.phase, csv_number(p.start_s), csv_number(p.duration_s)});
  return csv;
}

// One process per system, one slice per phase.
std::string phases_trace(const FailureSimResult& r)
{
  ChromeTrace t;
  for (size_t k = 0; k < r.systems.size(); k++) {
    const int pid = int(k);
    t.process_name(pid, to_string(r.systems[k].system));
    for (const auto& p : r.systems[k].phases)
      t.slice(pid, 0, p.phase, "phase", p.start_s, p.start_s + p.duration_s, {{"episode", p.episode}});
  }
  return t.json();
}

// failures.script (one event) or failures.spaced (models/spaced_failures.hpp), when given (validated by
// models/figure_failure_keys.hpp): their events instead of the failure process.
std::optional<std::vector<FailureEvent>> scripted_events(const Experiment& e, const Placement& p, double t_iter)
{
  const auto& f = e.failures;
  if (f.spaced) {
    try {
      return spaced_failures(p, *f.spaced, e.run.seed);
    } catch (const std::invalid_argument& err) {
      throw ConfigError(e.file, "failures.spaced", err.what());
    }
  }
  if (not f.script)
    return std::nullopt;
  const auto& s = *f.script;
  return std::vector<FailureEvent>{{s.at_iterations * t_iter, s.instances, s.hardware, false}};
}

// Every recorded phase per system (a scripted run has a few; a run of the process keeps them in failures.csv).
nlohmann::json phases_json(const FailureSimResult& r)
{
  return per_system(r, [](const SystemOutcome& o) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : o.phases)
      list.push_back(
          {{"phase", p.phase}, {"episode", p.episode}, {"start_s", p.start_s}, {"duration_s", p.duration_s}});
    return list;
  });
}

} // namespace

void failure_stage(RunContext& ctx)
{
  const Experiment& e = ctx.experiment;
  RunResult& r        = ctx.section("Failures and recovery (SimGrid, simulated)");
  if (ctx.skip_untrainable("failure_note", "not simulated"))
    return;
  const bool configured = ctx.failure_iteration_configured();
  const double t_iter   = ctx.failure_iteration_s().value_or(0.0);
  if (not(t_iter > 0)) {
    r.set("failure_note", "no iteration time: set failures.iteration_time_s or simulate one", "note",
          "not simulated: no iteration time (failures.iteration_time_s or a simulated one)");
    return;
  }
  const double horizon = e.run.days * kSecondsPerDay;
  const auto setup     = failure_sim_setup(e, t_iter);
  const auto script    = scripted_events(e, setup.placement, t_iter);
  const auto events =
      script ? *script : generate_failures(failure_process_spec(e.failures, e.instances, e.run.seed, horizon));
  FailureSimOptions opt;
  opt.horizon_s     = horizon;
  opt.record_phases = true;
  const auto runs   = ctx.systems_that_run(); // the simulation's own order, without the systems that cannot run
  std::erase_if(opt.systems, [&](System s) { return std::find(runs.begin(), runs.end(), s) == runs.end(); });
  ctx.note_gemini_left_out("failure_gemini_note");
  const auto res = simulate_failures(setup, events, opt);

  r.set("failure_iteration_time_s", t_iter, "iteration time used",
        fmt("%.2f s", t_iter) + (configured ? " (failures.iteration_time_s)" : " (simulated)"));
  r.set("failure_model", script ? "scripted" : to_string(e.failures.model), "failure model",
        (script ? std::string("scripted (failures.script), else ") : std::string()) + to_string(e.failures.model) +
            fmt(", %.4g per instance-day", e.failures.rate_per_instance_day) +
            fmt(", %.0f %% hardware", e.failures.hardware_fraction * 100));
  // No host wall time here: the summary must be bit-identical between runs (bench/ measures it).
  r.set("simulated_days", e.run.days, "simulated", fmt("%.4g days", e.run.days));
  r.set("failures", res.events, "failures", std::to_string(res.events) + " events");
  r.set("storage_upload_s", res.storage_upload_s, "checkpoint upload (simulated)",
        fmt("%.1f s for all instances at once", res.storage_upload_s));
  r.set("recoveries_from_cpu_memory",
        per_system(res, [](const SystemOutcome& o) { return o.recoveries_from_cpu_memory; }),
        "recoveries from CPU memory",
        systems_text(
            res, [](const SystemOutcome& o) { return std::to_string(o.recoveries_from_cpu_memory); }, true));
  r.set("recoveries_from_storage", per_system(res, [](const SystemOutcome& o) { return o.recoveries_from_storage; }),
        "recoveries from storage",
        systems_text(res, [](const SystemOutcome& o) { return std::to_string(o.recoveries_from_storage); }));
  const auto mins = [](double v) { return fmt("%.2f min", v / 60); };
  r.set("wasted_time_per_failure_s", per_system(res, [](const SystemOutcome& o) { return o.wasted_per_failure_s(); }),
        "wasted per failure",
        res.events ? systems_text(res, [&](const SystemOutcome& o) { return mins(o.wasted_per_failure_s()); })
                   : "no failure");
  r.set("expression1_wasted_time_per_failure_s",
        per_system(res, [](const SystemOutcome& o) { return o.expression1_per_failure_s(); }),
        "lost + retrieval per failure",
        systems_text(res, [&](const SystemOutcome& o) { return mins(o.expression1_per_failure_s()); }));
  r.set("effective_training_time_ratio",
        per_system(res, [](const SystemOutcome& o) { return o.effective_training_time_ratio(); }),
        "effective training time",
        systems_text(res, [](const SystemOutcome& o) { return fmt("%.4f", o.effective_training_time_ratio()); }));
  if (script && not e.failures.spaced)
    r.set("failure_phases", phases_json(res));
  r.add_file("failures.csv", phases_csv(res));
  r.add_file("failures_timeline.json", phases_trace(res));
}

} // namespace gsim
