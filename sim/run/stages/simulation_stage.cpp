// Stage: the SimGrid replay of ZeRO-3 training (sim/engine/zero3_replay.hpp): iteration time, compute
// and exposed communication, the network's idle spans (Fig 8), and, with --out, iterations.csv,
// comm_gap.txt (the GEMINI artifact's layout) and, with --timeline, timeline.json (Perfetto: every GPU of
// the first instance and the first GPU of the last; all ranks run in lockstep, so the other tracks are
// copies). One SimGrid simulation per process: this stage runs it once; sweeps and figures run children.
#include "models/config_error.hpp"
#include "models/framework_schedule.hpp"
#include "models/host_cost.hpp"
#include "sim/report/iteration_report.hpp"
#include "sim/run/stages/stages.hpp"

namespace gsim {
namespace {

// What ran, for the JSON: training traffic alone, or with the checkpoint's.
std::string what_ran(const ReplayResult& rep)
{
  const auto& c = rep.checkpoint;
  if (c.schedule.runs())
    return "training and checkpoint traffic (" + to_string(c.schedule.scheme) + ") after " +
           std::to_string(c.profile_iterations) + " profiled iterations";
  return "training traffic only: the checkpoint scheme's GPU buffer does not fit";
}

} // namespace

void calibration_stage(RunContext& ctx)
{
  const std::string& dir = ctx.experiment.run.calibration;
  if (dir.empty()) {
    ctx.calibration_missing = "run.calibration is not set and no " + std::string(kShippedCalibration) +
                              " was found above the experiment file or the executable (models/calibration_paths.hpp)";
    return;
  }
  try {
    ctx.calibration = &Calibration::cached(dir);
  } catch (const ConfigError& e) {
    if (e.key() != "(directory)")
      throw; // a malformed calibration is an error, not a missing one
    ctx.calibration_missing = e.what();
  }
}

// What one iteration moves and how every part of it was priced (links, kernels, host, interference).
void report_program_and_pricing(RunResult& r, const RunContext& ctx, const ReplayResult& rep)
{
  const auto& p = rep.program;
  r.set("collectives_per_iteration", int(p.comms.size()), "collectives per iteration",
        std::to_string(p.comms.size()) + fmt(" (all-gathers %.1f GB", p.comm_bytes(CollOp::all_gather) / 1e9) +
            fmt(", reduce-scatters %.1f GB)", p.comm_bytes(CollOp::reduce_scatter) / 1e9));
  r.set("allgather_bytes_per_iteration", p.comm_bytes(CollOp::all_gather));
  r.set("reduce_scatter_bytes_per_iteration", p.comm_bytes(CollOp::reduce_scatter));
  r.set("link_nic_Bps", rep.spec.nic.bandwidth_Bps, "NIC (per NIC, calibrated)",
        fmt("%.2f GB/s", rep.spec.nic.bandwidth_Bps / 1e9));
  r.set("link_nvlink_Bps", rep.spec.nvlink.bandwidth_Bps, "NVLink (per port or brick, calibrated)",
        fmt("%.1f GB/s", rep.spec.nvlink.bandwidth_Bps / 1e9));
  r.set("ring_step_latency_s", rep.spec.ring_latency_s);
  const auto& t =
      ctx.experiment.training; // kernel variants and how the calibration priced each (kernels.json entry or passes)
  r.set("kernel_variants",
        {{"attention", to_string(t.attention)}, {"activation", to_string(t.activation)}, {"norm", to_string(t.norm)}},
        "kernel variants",
        "attention " + to_string(t.attention) + ", activation " + to_string(t.activation) + ", norm " +
            to_string(t.norm));
  r.set("kernel_pricing", p.kernel_sources);
  const auto host  = host_cost(*ctx.calibration);
  const bool hooks = framework_schedule(t.framework).hook_host_cost;
  r.set("host_s_per_iteration", p.host_s, "host work per iteration",
        p.host_s > 0 ? fmt("%.1f ms", p.host_s * 1e3) + fmt(" (%.1f us per module hook)", host->zero3_hook_s * 1e6)
        : hooks      ? std::string("not modelled (the calibration has no host/zero3_hooks.json)")
                     : "not modelled for " + to_string(t.framework) + " (no per-hook host work calibrated)");
  r.set("host_pricing", host && hooks ? host->source : std::string("none"));
  const InterferenceReplay& inf = rep.interference; // sim/engine/gpu_contention.hpp
  r.set("interference_pricing", inf.pricing);
  if (not inf.compute_stretch_s.empty()) { // the reported iteration's: the checkpointed one when checkpointing
    const double k = inf.compute_stretch_s.back(), c = inf.comm_stretch_s.back();
    r.set("interference_added_s", {{"kernels", k}, {"collectives", c}}, "interference (time beyond alone)",
          fmt("kernels +%.1f ms", k * 1e3) + fmt(", collectives +%.1f ms per iteration", c * 1e3));
  }
}

void simulation_stage(RunContext& ctx)
{
  const Experiment& e = ctx.experiment;
  RunResult& r        = ctx.section("Simulation (SimGrid, ZeRO-3 replay)");
  if (ctx.skip_untrainable("simulation_note", "not simulated"))
    return;
  if (ctx.calibration == nullptr) {
    ctx.note("simulation_note", "not simulated: " + ctx.calibration_missing);
    return;
  }
  const Calibration& cal = *ctx.calibration;
  const CostModel cost(cal, e.cluster);
  SimulatedRun run;
  try {
    run.replay = replay_zero3(e, cost);
  } catch (const ConfigError& err) {
    if (err.file().rfind(cal.dir(), 0) != 0)
      throw;
    // The calibration lacks a series the model needs (e.g. the 2-GPU NCCL run is not committed yet).
    ctx.note("simulation_note",
             "not simulated: " + source_relative(err.file()) + ": " + err.key() + ": " + err.problem());
    return;
  }
  run.iterations          = iteration_stats(run.replay, e.checkpoint.span_threshold_s);
  const ReplayResult& rep = ctx.simulated.emplace(std::move(run)).replay;
  const auto& its         = ctx.simulated->iterations;
  const IterationStats& s = ctx.simulated->steady(); // every simulated iteration is the same program

  if (e.checkpoint.scheme != Scheme::none)
    r.set("simulation_note", what_ran(rep));
  r.set("collective_mode", to_string(e.run.collectives), "collectives", to_string(e.run.collectives));
  r.set("simulated_iterations", int(its.size()));
  // With checkpoint traffic this is the checkpointed iteration; checkpoint_plan shows it beside the clean one.
  r.set("iteration_time_s", s.time_s, "iteration time", fmt("%.3f s", s.time_s));
  r.set("compute_time_s", s.compute_s, "compute (kernels + optimizer)", fmt("%.3f s", s.compute_s));
  r.set("exposed_communication_s", s.exposed_communication_s, "exposed communication",
        fmt("%.3f s", s.exposed_communication_s));
  r.set("communication_busy_s", s.comm_busy_s, "communication stream busy", fmt("%.3f s", s.comm_busy_s));
  r.set("network_idle_time_s", s.idle_long_s, "network idle (spans > threshold)",
        fmt("%.3f s", s.idle_long_s) + " in " + std::to_string(s.long_spans) + " spans > " +
            fmt_ms(e.checkpoint.span_threshold_s));
  r.set("network_idle_total_s", s.idle_total_s, "network idle (all spans)",
        fmt("%.3f s", s.idle_total_s) + " in " + std::to_string(s.spans_s.size()) + " spans");
  r.set("idle_spans", int(s.spans_s.size()));
  r.set("long_idle_spans", s.long_spans);
  r.set("longest_idle_span_s", s.longest_span_s, "longest idle span", fmt_ms(s.longest_span_s));
  nlohmann::json spans = nlohmann::json::array();
  for (const auto& it : its) {
    nlohmann::json row = nlohmann::json::array();
    for (double v : it.spans_s)
      row.push_back(v * 1e3);
    spans.push_back(row);
  }
  r.set("idle_spans_ms", spans); // per simulated iteration, in time order (read by the checkpoint planner)

  report_program_and_pricing(r, ctx, rep);

  r.add_file("iterations.csv", iterations_csv(its));
  // The artifact writes comm_gap.txt during its profiling steps only: the profiled iterations when checkpointing.
  const size_t profiled =
      rep.checkpoint.profile_iterations > 0 ? size_t(rep.checkpoint.profile_iterations) : its.size();
  r.add_file("comm_gap.txt", comm_gap_text({its.begin(), its.begin() + std::ptrdiff_t(profiled)}));
  if (ctx.options.timeline)
    r.add_file("timeline.json", timeline_json(rep, default_timeline_ranks(rep.spec)));
}

} // namespace gsim
