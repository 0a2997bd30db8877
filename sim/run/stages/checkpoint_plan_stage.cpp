// Stage: GEMINI's checkpoint partition (Algorithm 2 or the configured Fig 16 scheme) planned over a
// measured idle-span profile (checkpoint.idle_profile, `run --idle-profile FILE`) and over the simulated
// idle spans when the simulation stage reported them ("idle_spans_ms"), side by side: what fits where.
#include "models/artifact_profiler.hpp"
#include "models/calibration.hpp"
#include "models/checkpoint_partition.hpp"
#include "models/config_error.hpp"
#include "models/idle_profile.hpp"
#include "models/units.hpp"
#include "models/zero3_memory.hpp"
#include "sim/engine/checkpoint_traffic.hpp"
#include "sim/engine/iteration_stats.hpp"
#include "sim/run/stages/stages.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gsim {
namespace {

constexpr size_t kRowsShown = 12; // per-span rows in the readable summary; the JSON has them all

// The network's efficiency and latency are published numbers (CostModel reads them without any GPU
// measurement); the PCIe copy is priced from the shipped calibration. While that is not committed, the copy
// runs at its datasheet bandwidth with no start-up latency, an upper bound on its speed, and the summary
// says so.
PartitionCosts plan_costs(const Experiment& e, const Calibration* cal)
{
  static const Calibration no_measurements;
  const CostModel cost(cal ? *cal : no_measurements, e.cluster);
  return checkpoint_partition_inputs(e, cost, cal != nullptr, cal ? cal->dir() : "");
}

nlohmann::json spans_json(const ReducedSpans& red, const PartitionPlan& plan)
{
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < plan.spans.size(); i++) {
    const auto& s = plan.spans[i];
    rows.push_back({{"position", i < red.kept.size() ? red.kept[i].position : -1},
                    {"span_s", s.span_s},
                    {"budget_s", s.budget_s},
                    {"chunks", s.chunks.size()},
                    {"bytes", s.bytes()},
                    {"busy_s", s.busy_s()}});
  }
  return rows;
}

void report(RunResult& r, const std::string& prefix, const std::string& what, const ReducedSpans& red,
            const PartitionPlan& plan, const BufferCheck& mem)
{
  const std::string p = prefix;
  r.set(p + "profile_iterations_used", red.iterations_used, what + ": iterations used",
        std::to_string(red.iterations_used) + " of " + std::to_string(red.iterations_total));
  r.set(p + "profile_spans_total", red.min_s.size());
  r.set(p + "profile_spans_used", red.kept.size(), what + ": idle spans kept",
        std::to_string(red.kept.size()) + " of " + std::to_string(red.min_s.size()) + " gap positions");
  r.set(p + "profile_idle_time_s", red.kept_total_s(), what + ": idle time kept", fmt_ms(red.kept_total_s()));
  r.set(p + "plan_chunks", plan.chunks(), what + ": chunks", std::to_string(plan.chunks()));
  r.set(p + "plan_fits", plan.fits, what + ": fits in the spans",
        plan.fits ? "yes" : fmt("no, %.3f GB left over", double(plan.leftover_bytes) / 1e9));
  r.set(p + "plan_leftover_bytes", plan.leftover_bytes);
  r.set(p + "plan_leftover_s", plan.leftover_s, what + ": leftover past the last span", fmt_ms(plan.leftover_s));
  r.set(p + "plan_update_delay_s", plan.update_delay_s, what + ": update delayed by", fmt_ms(plan.update_delay_s));
  r.set(p + "checkpoint_plan_time_s", plan.checkpoint_time_s, what + ": checkpoint network time",
        fmt_ms(plan.checkpoint_time_s));
  r.set(p + "plan_gpu_buffer_bytes", plan.gpu_buffer_bytes);
  r.set(p + "plan_memory_status", mem.status(), what + ": GPU buffer",
        fmt("%.1f MB", double(mem.required_bytes) / 1e6) + fmt(" of %.2f GB free: ", mem.free_bytes / 1e9) +
            mem.status());
  r.set(p + "plan_spans", spans_json(red, plan));

  const size_t shown = std::min(plan.spans.size(), kRowsShown);
  for (size_t i = 0; i < shown; i++) {
    const auto& s = plan.spans[i];
    const std::string where =
        i < red.kept.size() ? "gap #" + std::to_string(red.kept[i].position) : "after the last communication";
    r.line("  " + where, fmt_ms(s.span_s) + " (budget " + fmt_ms(s.budget_s) + "): " + std::to_string(s.chunks.size()) +
                             " chunks, " + fmt("%.1f MB", double(s.bytes()) / 1e6) + ", busy " + fmt_ms(s.busy_s()));
  }
  if (shown < plan.spans.size())
    r.line("  ...", std::to_string(plan.spans.size() - shown) + " more spans (plan_spans in the JSON)");
}

// How many profiled iterations could hold the plan in their own spans (above the threshold), without the
// minimum over iterations: tells whether the reduction or the profile itself limits the plan.
int iterations_fitting_alone(const IdleProfile& prof, int warmup, double threshold_s, Scheme scheme, PartitionInputs in)
{
  int n            = 0;
  const auto lines = prof.values_s();
  for (size_t i = size_t(warmup); i < lines.size(); i++) {
    const std::vector<std::vector<double>> one{lines[i]};
    in.spans_s = reduce_idle_spans(one, 0, threshold_s).kept_seconds();
    n += plan_partition(scheme, in).fits ? 1 : 0;
  }
  return n;
}

// The checkpoint traffic the replay carried (sim/engine/checkpoint_traffic.hpp): the plan it made over its own
// profiled iterations, then what the checkpointed iterations measured. The replay's last checkpointed
// iteration is the steady state (every iteration runs the same program and the same plan).
void report_simulated(const CheckpointSpec& ck, const CheckpointReplay& c, RunResult& r)
{
  // The simulation stage reports iteration_time_s (this checkpointed iteration) and simulation_note.
  const auto& sc = c.schedule;
  report(r, "sim_", "simulated", sc.profile, sc.plan, sc.memory);
  r.section("Checkpoint traffic in the simulation (" + to_string(ck.scheme) + ")");
  const std::string status = checkpoint_status(c);
  r.set("checkpoint_status", status, "status", status);
  r.set("checkpoint_leftovers", to_string(sc.leftovers), "leftovers",
        sc.leftovers == Leftovers::delay_update
            ? std::string("delay_update (GEMINI as published: the update waits for them)")
            : fmt("artifact (dropped, %.3f GB per GPU never sent; plan applied one collective late)",
                  double(sc.dropped_bytes) / 1e9));
  r.set("checkpoint_dropped_bytes_per_gpu", sc.dropped_bytes);
  r.set("checkpoint_span_source", to_string(sc.source), "planned over",
        sc.source == SpanSource::physical ? std::string("the physical idle spans")
                                          : std::string("the artifact profiler's values (its reader's reduction)"));
  r.set("checkpoint_profile_iterations", c.profile_iterations, "profiled iterations (no checkpoint)",
        std::to_string(c.profile_iterations));
  r.set("iteration_time_no_ckpt_s", c.profile_iteration_time_s, "iteration time without checkpoint",
        fmt("%.3f s", c.profile_iteration_time_s));
  r.set("network_idle_time_no_ckpt_s", c.profile_idle_time_s, "network idle without checkpoint",
        fmt("%.3f s", c.profile_idle_time_s) + " (spans > " + fmt_ms(ck.span_threshold_s) + ")");
  if (c.iterations.empty()) {
    r.set("checkpoint_time_s", nullptr, "checkpoint time", "none: " + status);
    r.set("simulated_checkpoints_per_hour", 0.0, "checkpoints to CPU memory per hour", "0 (" + status + ")");
    return;
  }
  const CheckpointIteration& it = c.iterations.back();
  const double t_iter           = it.end - it.start;
  // On the nanosecond grid: a checkpoint that costs nothing is an overhead of exactly 0, not -1e-14.
  const double overhead =
      double(whole_ns(t_iter) - whole_ns(c.profile_iteration_time_s)) / double(whole_ns(c.profile_iteration_time_s));
  r.line("iteration time with checkpoint", fmt("%.3f s", t_iter) + fmt(" (%+.2f %%)", 100 * overhead));
  r.set("checkpoint_overhead", overhead);
  // One checkpoint per iteration, at the simulated checkpointed iteration time (the economics stage's
  // checkpoints_per_hour uses failures.iteration_time_s when that is configured).
  r.set("simulated_checkpoints_per_hour", kSecondsPerHour / t_iter, "checkpoints to CPU memory per hour",
        fmt("%.1f (one per simulated iteration)", kSecondsPerHour / t_iter));
  r.set("checkpoint_time_s", it.network_s, "checkpoint time (network)",
        fmt("%.3f s", it.network_s) + " on the checkpoint stream");
  r.set("network_idle_time_with_ckpt_s", it.idle_left_s, "network idle left with checkpoint",
        fmt("%.3f s", it.idle_left_s));
  r.set("checkpoint_update_wait_s", it.update_wait_s, "update waited for the checkpoint", fmt_ms(it.update_wait_s));
  r.set("checkpoint_in_cpu_s", it.in_cpu - it.start, "all chunks in CPU memory",
        fmt("%.3f s", it.in_cpu - it.start) + fmt(" after the iteration start (iteration %.3f s)", t_iter));
  int64_t remote = 0, local = 0;
  for (const auto& ch : c.chunks)
    remote += ch.iteration == it.iteration ? ch.bytes : 0;
  for (const auto& l : c.local)
    local += l.iteration == it.iteration ? l.bytes : 0;
  r.set("checkpoint_remote_bytes_per_gpu", remote, "per GPU and iteration",
        fmt("%.3f GB to peers", double(remote) / 1e9) + fmt(" + %.3f GB local", double(local) / 1e9));
  r.set("checkpoint_local_bytes_per_gpu", local);
}

// Fig 8 the artifact's way (shared/artifact-notes.md §2): its profiler's values over the profiled iterations
// (what comm_gap.txt holds), its reader's reduction, the plan over the kept minima, and its computed
// checkpoint time, beside the physical idle spans and the simulated checkpoint.
void report_profiler_view(const RunContext& ctx, PartitionInputs in, RunResult& r)
{
  const Experiment& e = ctx.experiment;
  const auto& ck      = e.checkpoint;
  const auto& its     = ctx.simulated->iterations;
  const int profiled  = ctx.simulated->replay.checkpoint.profile_iterations;
  const std::vector<IterationStats> lines(its.begin(), its.begin() + (profiled > 0 ? profiled : int(its.size())));
  const ReducedSpans red = reduce_profiler_lines(lines, ck.profile_warmup_lines, ck.span_threshold_s);
  r.section("The artifact's profiler view (comm_gap.txt, its reader's reduction)");
  const double ckpt =
      artifact_checkpoint_time_s(double(in.checkpoint_bytes), e.cluster.gpus_per_instance, ck.artifact_network_Gbps);
  r.set("profiler_idle_time_s", red.kept_total_s(), "idle time (kept minima)",
        fmt("%.3f s", red.kept_total_s()) + " in " + std::to_string(red.kept.size()) + " of " +
            std::to_string(red.min_s.size()) + " positions > " + fmt_ms(ck.span_threshold_s));
  r.set("checkpoint_time_artifact_s", ckpt, "GEMINI checkpoint time (the artifact's formula)",
        fmt("%.3f s", ckpt) + fmt(" = MiB x 8 x %.0f GPUs", e.cluster.gpus_per_instance) +
            fmt(" / %g Gbps / 1000", ck.artifact_network_Gbps));
  r.set("profiler_idle_with_gemini_s", red.kept_total_s() - ckpt, "idle with GEMINI (the artifact's: idle - ckpt)",
        fmt("%.3f s", red.kept_total_s() - ckpt));
  if (ck.scheme == Scheme::none)
    return;
  in.spans_s      = red.kept_seconds();
  const auto plan = plan_partition(ck.scheme, in);
  report(r, "profiler_", "profiler view", red, plan, check_gpu_buffer(plan, ctx.memory.free()));
}

} // namespace

void checkpoint_plan_stage(RunContext& ctx)
{
  const Experiment& e      = ctx.experiment;
  RunResult& r             = ctx.report;
  const auto& ck           = e.checkpoint;
  const bool has_profile   = not ck.idle_profile.empty();
  const bool has_simulated = ctx.simulated.has_value();
  if (not has_profile && not has_simulated)
    return;
  if (has_simulated)
    report_profiler_view(ctx, plan_costs(e, ctx.calibration).inputs, r);
  r.section("Checkpoint partition over idle spans (Algorithm 2)");
  if (ck.scheme == Scheme::none) {
    r.set("plan_note", "checkpoint.scheme is none: nothing to plan", "note",
          "checkpoint.scheme is none: nothing to plan");
    return;
  }

  const auto costs   = plan_costs(e, ctx.calibration);
  PartitionInputs in = costs.inputs;
  const double free  = ctx.memory.free();

  r.set("plan_scheme", to_string(ck.scheme), "scheme", to_string(ck.scheme));
  r.set("plan_checkpoint_bytes", in.checkpoint_bytes, "checkpoint per GPU",
        fmt("%.3f GB", double(in.checkpoint_bytes) / 1e9) + " x " + std::to_string(ck.replicas - 1) + " remote copies");
  r.set("plan_remote_copies", ck.replicas - 1);
  r.set("plan_buffer_bytes", in.buffer_bytes, "GPU buffer R",
        fmt("%.1f MiB", double(in.buffer_bytes) / (1 << 20)) + " in " + std::to_string(ck.sub_buffers) +
            " sub-buffer(s)");
  r.set("plan_sub_buffers", ck.sub_buffers);
  r.set("plan_mu", ck.mu);
  r.set("plan_span_threshold_s", ck.span_threshold_s, "spans kept if longer than", fmt_ms(ck.span_threshold_s));
  r.set("plan_bandwidth_Bps", in.bandwidth_Bps,
        ck.peers == PeerScope::same_instance ? "NVLink to the peer GPU (B)" : "network per GPU (B)",
        fmt("%.3f Gbps", in.bandwidth_Bps * 8 / 1e9) + fmt(", alpha %.1f us", in.alpha_s * 1e6));
  r.set("plan_alpha_s", in.alpha_s);
  r.set("plan_copy_Bps", in.copy_Bps, "GPU->CPU copy per GPU",
        fmt("%.2f GB/s", in.copy_Bps / 1e9) + " (" + costs.copy_source + ")");
  r.set("plan_copy_latency_s", in.copy_latency_s);
  r.set("plan_copy_source", costs.copy_source);

  if (has_profile) {
    const auto prof = read_idle_profile(ck.idle_profile);
    const int warm  = ck.profile_warmup_lines;
    const auto red  = reduce_idle_profile(prof, warm, ck.span_threshold_s);
    in.spans_s      = red.kept_seconds();
    const auto plan = plan_partition(ck.scheme, in);
    std::vector<double> iter;
    for (size_t i = size_t(warm); i < prof.trailer_s.size(); i++)
      iter.push_back(prof.iteration_time_s(i));
    std::sort(iter.begin(), iter.end());
    const double median =
        iter.size() % 2 ? iter[iter.size() / 2] : 0.5 * (iter[iter.size() / 2 - 1] + iter[iter.size() / 2]);
    r.set("profile_file", ck.idle_profile, "measured profile", ck.idle_profile);
    r.set("profile_warmup_lines", warm);
    r.set("profile_iteration_time_s", median, "measured: last value after '-'",
          fmt_ms(median) + " (median; the interval before the last reduce-scatter, not an iteration time in general)");
    report(r, "", "measured", red, plan, check_gpu_buffer(plan, free));
    const int alone = iterations_fitting_alone(prof, warm, ck.span_threshold_s, ck.scheme, in);
    r.set("profile_iterations_fitting_alone", alone, "measured: iterations whose own spans fit it",
          std::to_string(alone) + " of " + std::to_string(red.iterations_used) + " (no minimum over iterations)");
  }
  if (has_simulated)
    report_simulated(ck, ctx.simulated->replay.checkpoint, r);
}

} // namespace gsim
