// Stage: what failures cost each system (Expressions 1 and 2, Figs 10, 12 and 15) at the run's
// failure rate. Runs after the simulation stages so that it can use the simulated iteration time.
#include "models/failure_economics.hpp"
#include "sim/run/stages/stages.hpp"

#include <algorithm>
#include <functional>

namespace gsim {
namespace {

nlohmann::json per_system(const std::vector<SystemEconomics>& systems,
                          const std::function<nlohmann::json(const SystemEconomics&)>& value)
{
  nlohmann::json j = nlohmann::json::object();
  for (const auto& s : systems)
    j[to_string(s.system)] = value(s);
  return j;
}

} // namespace

void economics_stage(RunContext& ctx)
{
  const Experiment& e = ctx.experiment;
  RunResult& r        = ctx.section("Failure economics (closed form)");
  // Fig 11's closed form: GEMINI's checkpoint time over the storage baselines' at the instances' network
  // (the cluster's published efficiency). It needs neither a model that fits nor an iteration time; without
  // a peer (m = 1) or a network there is no GEMINI transfer to compare.
  if (e.checkpoint.instance_replicas() >= 2 && e.cluster.instance_Bps() > 0) {
    r.set("instance_bandwidth_Gbps", e.cluster.instance_Bps() * 8 / 1e9);
    r.set("checkpoint_time_reduction",
          checkpoint_time_reduction(e.instances, e.cluster.instance_Bps(), e.storage.bandwidth_Bps,
                                    e.checkpoint.instance_replicas(), e.cluster.network.efficiency));
  }
  if (ctx.skip_untrainable("economics_note", "not computed"))
    return;
  // failures.iteration_time_s, when set (> 0), is a measured input and wins; else the simulated iteration
  // time (RunContext::failure_iteration_s, the failure stage's rule too).
  const bool simulated = not ctx.failure_iteration_configured();
  const double t_iter  = ctx.failure_iteration_s().value_or(0.0);
  if (not(t_iter > 0)) {
    r.set("economics_note", "the economics need an iteration time: set failures.iteration_time_s or simulate one",
          "note", "needs an iteration time (failures.iteration_time_s or a simulated one)");
    return;
  }
  const auto in = economics_inputs(e, t_iter);
  // failures.counted_instances (models/figure_failure_keys.hpp; 0 = the run's) counts other instances' failures.
  const int counted           = e.failures.counted_instances;
  const double failures_a_day = e.failures.rate_per_instance_day * (counted > 0 ? counted : e.instances);
  std::vector<SystemEconomics> all;
  for (System s : all_systems())
    all.push_back(system_economics(s, in));
  const auto& strawman   = all[1]; // all_systems(): none, strawman, highfreq, gemini
  const auto& highfreq   = all[2];
  const auto& gemini     = all[3];
  const auto runs        = ctx.systems_that_run();
  const bool gemini_runs = std::find(runs.begin(), runs.end(), System::gemini) != runs.end();
  const auto gem         = [&](const std::string& shown) { return gemini_runs ? shown : "GEMINI n/a"; };
  std::vector<SystemEconomics> systems; // the JSON's: the systems that can run
  for (const auto& s : all)
    if (std::find(runs.begin(), runs.end(), s.system) != runs.end())
      systems.push_back(s);
  ctx.note_gemini_left_out("economics_gemini_note");
  const double t_ckpt = in.checkpoint_bytes / in.storage_Bps;

  r.set("economics_iteration_time_s", t_iter, "iteration time used",
        fmt("%.2f s", t_iter) + (simulated ? " (simulated)" : " (failures.iteration_time_s)"));
  r.set("failures_per_day", failures_a_day, "failures per day", fmt("%.3g", failures_a_day));
  r.set("checkpoint_time_to_storage_s", t_ckpt, "checkpoint to storage",
        fmt("%.1f s", t_ckpt) + fmt(" (%.4g GB", in.checkpoint_bytes / 1e9) +
            fmt(" at %.3g Gbps)", in.storage_Bps * 8 / 1e9));
  r.set("highfreq_interval_iterations", highfreq_interval_iterations(t_ckpt, t_iter), "HighFreq interval",
        std::to_string(highfreq_interval_iterations(t_ckpt, t_iter)) + " iterations");
  r.set("closed_form_wasted_time_per_failure_s",
        per_system(systems, [](const SystemEconomics& s) { return s.wasted_per_failure_s; }), "wasted per failure",
        gem(fmt("GEMINI %.2f min", gemini.wasted_per_failure_s / 60)) +
            fmt(", Strawman %.1f min", strawman.wasted_per_failure_s / 60) +
            fmt(", HighFreq %.1f min", highfreq.wasted_per_failure_s / 60));
  // Expression (1) alone (lost progress + retrieval) by kind of failure: Fig 10's closed-form bars.
  r.set("closed_form_expression1_per_failure_s", per_system(systems, [](const SystemEconomics& s) {
          return nlohmann::json{{"software", s.software.expression1_s()}, {"hardware", s.hardware.expression1_s()}};
        }));
  const auto ratio = [&](const SystemEconomics& s) { return effective_training_time_ratio(s, failures_a_day); };
  r.set("closed_form_effective_training_time_ratio", per_system(systems, ratio), "effective training time",
        gem(fmt("GEMINI %.3f", ratio(gemini))) + fmt(", Strawman %.3f", ratio(strawman)) +
            fmt(", HighFreq %.3f", ratio(highfreq)));
  nlohmann::json per_hour = nlohmann::json::object();
  for (const auto& s : systems)
    per_hour[to_string(s.system)] = {{"cpu_memory", s.checkpoints_per_hour_cpu},
                                     {"storage", s.checkpoints_per_hour_storage}};
  r.set("checkpoints_per_hour", per_hour, "checkpoints per hour",
        gem(fmt("GEMINI %.1f to CPU", gemini.checkpoints_per_hour_cpu) +
            fmt(" + %.2f to storage", gemini.checkpoints_per_hour_storage)) +
            fmt(", Strawman %.2f", strawman.checkpoints_per_hour_storage) +
            fmt(", HighFreq %.2f", highfreq.checkpoints_per_hour_storage));
}

} // namespace gsim
