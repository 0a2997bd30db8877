// Summary stage: GEMINI's checkpoint partition (Algorithm 2 or the configured Fig 16 scheme) planned over a
// measured idle-span profile (checkpoint.idle_profile, `run --idle-profile FILE`) and over the simulated
// idle spans when the simulation stage reported them ("idle_spans_ms"), side by side: what fits where.
#include "models/calibration.hpp"
#include "models/checkpoint_partition.hpp"
#include "models/config_error.hpp"
#include "models/idle_profile.hpp"
#include "models/zero3_memory.hpp"
#include "sim/registry.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gsim {
namespace {

constexpr size_t kRowsShown = 12; // per-span rows in the readable summary; the JSON has them all

struct PlanCosts {
  double net_Bps      = 0;
  double net_alpha_s  = 0;
  double copy_Bps     = 0;
  double copy_alpha_s = 0;
  std::string copy_source;
};

// The network's efficiency and latency are published numbers (CostModel reads them without any GPU
// measurement); the PCIe copy is priced from the shipped calibration. While that is not committed, the copy
// runs at its datasheet bandwidth with no start-up latency, an upper bound on its speed, and the summary
// says so.
PlanCosts plan_costs(const Experiment& e, double chunk_bytes)
{
  const Calibration* cal = nullptr;
  try {
    cal = &Calibration::shipped();
  } catch (const ConfigError& err) {
    if (err.key() != "(directory)")
      throw; // a malformed calibration is an error, not a missing one
  }
  static const Calibration no_measurements;
  const CostModel cost(cal ? *cal : no_measurements, e.cluster);
  const ClusterSpec& c = e.cluster;
  PlanCosts k;
  // Every GPU of an instance sends its own shard at the same time through the instance's NICs (the
  // artifact, too, divides the network bandwidth by the GPUs per instance: snapshot_strategy.py).
  k.net_Bps = cost.link_bandwidth_Bps(Fabric::network) / c.gpus_per_instance *
              cost.link_efficiency(Fabric::network, chunk_bytes);
  k.net_alpha_s = cost.link_latency_s(Fabric::network);
  // Every GPU also receives a peer's chunk and copies it to the CPU at the same time, so GPUs that share a
  // PCIe switch share its uplink.
  double pcie = c.pcie_Bps;
  if (c.gpus_per_pcie_switch > 0 && c.pcie_switch_Bps > 0)
    pcie = std::min(pcie, c.pcie_switch_Bps / c.gpus_per_pcie_switch);
  if (cal) {
    k.copy_Bps     = pcie * cost.link_efficiency(Fabric::pcie, chunk_bytes);
    k.copy_alpha_s = cost.link_latency_s(Fabric::pcie);
    k.copy_source  = "calibration " + cal->dir();
  } else {
    k.copy_Bps     = pcie;
    k.copy_alpha_s = 0;
    k.copy_source  = "datasheet PCIe bandwidth (" + c.file + "), no calibration committed";
  }
  return k;
}

std::vector<std::vector<double>> simulated_spans(const nlohmann::json& j)
{
  // Written by the simulation stage: one list of idle spans (ms) per simulated iteration.
  std::vector<std::vector<double>> out;
  if (not j.is_array())
    throw std::logic_error("summary key idle_spans_ms is not a list of per-iteration lists");
  for (const auto& it : j) {
    if (not it.is_array())
      throw std::logic_error("summary key idle_spans_ms is not a list of per-iteration lists");
    std::vector<double> spans;
    for (const auto& v : it) {
      if (not v.is_number())
        throw std::logic_error("summary key idle_spans_ms holds a non-number");
      spans.push_back(v.get<double>() * 1e-3);
    }
    out.push_back(std::move(spans));
  }
  return out;
}

std::string ms(double s)
{
  return fmt("%.1f ms", s * 1e3);
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
  r.set(p + "profile_idle_time_s", red.kept_total_s(), what + ": idle time kept", ms(red.kept_total_s()));
  r.set(p + "plan_chunks", plan.chunks(), what + ": chunks", std::to_string(plan.chunks()));
  r.set(p + "plan_fits", plan.fits, what + ": fits in the spans",
        plan.fits ? "yes" : fmt("no, %.3f GB left over", double(plan.leftover_bytes) / 1e9));
  r.set(p + "plan_leftover_bytes", plan.leftover_bytes);
  r.set(p + "plan_leftover_s", plan.leftover_s, what + ": leftover past the last span", ms(plan.leftover_s));
  r.set(p + "plan_update_delay_s", plan.update_delay_s, what + ": update delayed by", ms(plan.update_delay_s));
  r.set(p + "checkpoint_plan_time_s", plan.checkpoint_time_s, what + ": checkpoint network time",
        ms(plan.checkpoint_time_s));
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
    r.line("  " + where, ms(s.span_s) + " (budget " + ms(s.budget_s) + "): " + std::to_string(s.chunks.size()) +
                             " chunks, " + fmt("%.1f MB", double(s.bytes()) / 1e6) + ", busy " + ms(s.busy_s()));
  }
  if (shown < plan.spans.size())
    r.line("  ...", std::to_string(plan.spans.size() - shown) + " more spans (plan_spans in the JSON)");
}

// How many profiled iterations could hold the plan in their own spans (above the threshold), without the
// minimum over iterations: tells whether the reduction or the profile itself limits the plan.
int iterations_fitting_alone(const IdleProfile& prof, int warmup, double threshold_s, Scheme scheme, PartitionInputs in)
{
  int n = 0;
  for (size_t i = size_t(warmup); i < prof.gaps_s.size(); i++) {
    const std::vector<std::vector<double>> one{prof.gaps_s[i]};
    in.spans_s = reduce_idle_spans(one, 0, threshold_s).kept_seconds();
    n += plan_partition(scheme, in).fits ? 1 : 0;
  }
  return n;
}

void checkpoint_plan_stage(const Experiment& e, RunResult& r)
{
  const auto& ck           = e.checkpoint;
  const bool has_profile   = not ck.idle_profile.empty();
  const bool has_simulated = r.has("idle_spans_ms");
  if (not has_profile && not has_simulated)
    return;
  r.section("Checkpoint partition over idle spans (Algorithm 2)");
  if (ck.scheme == Scheme::none) {
    r.set("plan_note", "checkpoint.scheme is none: nothing to plan", "note",
          "checkpoint.scheme is none: nothing to plan");
    return;
  }

  PartitionInputs in;
  in.checkpoint_bytes = int64_t(std::ceil(checkpoint_bytes_per_gpu(e)));
  in.replicas         = ck.replicas;
  in.buffer_bytes     = int64_t(std::llround(ck.gpu_buffer_bytes));
  in.sub_buffers      = ck.sub_buffers;
  in.mu               = ck.mu;
  const double chunk  = double(in.buffer_bytes) / in.sub_buffers;
  const auto costs    = plan_costs(e, chunk);
  in.bandwidth_Bps    = costs.net_Bps;
  in.alpha_s          = costs.net_alpha_s;
  in.copy_Bps         = costs.copy_Bps;
  in.copy_latency_s   = costs.copy_alpha_s;
  const double free   = estimate_gpu_memory(e).free();

  r.set("plan_scheme", to_string(ck.scheme), "scheme", to_string(ck.scheme));
  r.set("plan_checkpoint_bytes", in.checkpoint_bytes, "checkpoint per GPU",
        fmt("%.3f GB", double(in.checkpoint_bytes) / 1e9) + " x " + std::to_string(ck.replicas - 1) + " remote copies");
  r.set("plan_remote_copies", ck.replicas - 1);
  r.set("plan_buffer_bytes", in.buffer_bytes, "GPU buffer R",
        fmt("%.1f MiB", double(in.buffer_bytes) / (1 << 20)) + " in " + std::to_string(ck.sub_buffers) +
            " sub-buffer(s)");
  r.set("plan_sub_buffers", ck.sub_buffers);
  r.set("plan_mu", ck.mu);
  r.set("plan_span_threshold_s", ck.span_threshold_s, "spans kept if longer than", ms(ck.span_threshold_s));
  r.set("plan_bandwidth_Bps", in.bandwidth_Bps, "network per GPU (B)",
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
    r.set("profile_iteration_time_s", median, "measured: iteration time",
          ms(median) + " (median of the last value after '-')");
    report(r, "", "measured", red, plan, check_gpu_buffer(plan, free));
    const int alone = iterations_fitting_alone(prof, warm, ck.span_threshold_s, ck.scheme, in);
    r.set("profile_iterations_fitting_alone", alone, "measured: iterations whose own spans fit it",
          std::to_string(alone) + " of " + std::to_string(red.iterations_used) + " (no minimum over iterations)");
  }
  if (has_simulated) {
    const auto spans = simulated_spans(r.get("idle_spans_ms"));
    if (spans.empty()) {
      r.set("sim_plan_note", "the simulation reported no iteration", "simulated", "no iteration reported");
      return;
    }
    // The simulated iterations are steady state, with no warm-up transient to skip.
    const auto red  = reduce_idle_spans(spans, 0, ck.span_threshold_s);
    in.spans_s      = red.kept_seconds();
    const auto plan = plan_partition(ck.scheme, in);
    report(r, "sim_", "simulated", red, plan, check_gpu_buffer(plan, free));
  }
}

const RegisterSummaryStage reg({60, "checkpoint_plan", checkpoint_plan_stage});

} // namespace
} // namespace gsim
