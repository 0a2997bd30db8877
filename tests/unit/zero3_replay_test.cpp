// The ZeRO-3 program (what DeepSpeed issues) and its replay on SimGrid (what it costs). The synthetic
// calibration fixture prices the kernels, so the numbers here are the mechanism's, not a prediction.
// One SimGrid Engine per process: the replays run in forked children, two per test where they are compared.
#include "models/transformer.hpp"
#include "sim/report/iteration_report.hpp"
#include "sim/report/summary.hpp"
#include "tests/unit/fixture.hpp"

#include "sim/sweep/child_process.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

namespace gsim {
namespace {

Experiment experiment(const std::string& config, std::vector<std::string> sets)
{
  sets.push_back("checkpoint.scheme=none");
  return load_experiment(config, sets);
}

std::string replay_text(const Experiment& e)
{
  const CostModel cost(fixture(), e.cluster);
  const auto r   = replay_zero3(e, cost);
  const auto its = iteration_stats(r, e.checkpoint.span_threshold_s);
  return iterations_csv(its) + comm_gap_text(its) + timeline_json(r, default_timeline_ranks(r.spec));
}

double numel_of(const Zero3Program& p, CollOp op)
{
  double n = 0;
  for (const auto& c : p.comms)
    if (c.op == op)
      n += c.numel;
  return n;
}

TEST(Zero3Program, ReduceScattersEveryGradientOnce)
{
  const auto e = experiment("configs/p4d16.json", {});
  const auto p = make_zero3_program(e, CostModel(fixture(), e.cluster));
  EXPECT_DOUBLE_EQ(numel_of(p, CollOp::reduce_scatter), total_params(e.model)); // GPT-2: every parameter is used
  for (const auto& c : p.comms) {
    if (c.op == CollOp::reduce_scatter) {
      EXPECT_LE(c.numel, e.training.reduce_bucket_elements);
    }
  }
}

TEST(Zero3Program, GathersTheWeightsInForwardAndAgainInBackward)
{
  const auto e       = experiment("configs/bert5b-p3dn4.json", {});
  const auto p       = make_zero3_program(e, CostModel(fixture(), e.cluster));
  const double total = total_params(e.model);
  // Forward once, backward (recomputation) once, the tied word embeddings a third time for the MLM
  // decoder, less the last block that stays gathered across the loss (within stage3_max_reuse_distance);
  // biases and norms (persistent) never.
  const double gathered = numel_of(p, CollOp::all_gather);
  EXPECT_GT(gathered, 2 * total - params_per_layer(e.model) - embedding_params(e.model));
  EXPECT_LT(gathered, 2 * total + embedding_params(e.model));
}

// A GPT-2 100B block (805 M parameters) is nearly as large as stage3_max_reuse_distance (1e9), but the
// prefetcher scans past the block's backward uses during its recomputation, which keeps its weights
// gathered until their backward: each weight is gathered twice, the tied embedding three times.
TEST(Zero3Program, RecomputedBlocksKeepTheirWeightsForBackward)
{
  const auto e     = experiment("configs/p4d16.json", {});
  const auto p     = make_zero3_program(e, CostModel(fixture(), e.cluster));
  const double wte = double(e.model.vocab) * e.model.hidden;
  EXPECT_NEAR(numel_of(p, CollOp::all_gather), 2 * total_params(e.model) + wte - params_per_layer(e.model),
              0.01 * total_params(e.model));
}

// The fork with --snapshot_mode none synchronises the device at every hook: every module waits for what
// its hook launched (framework_schedule_test.cpp covers the other schedules).
TEST(Zero3Program, BlockingAllGathersAreWaitedForAtTheirHook)
{
  const auto e = experiment("configs/p4d16.json", {"training.framework=gemini-none"});
  const auto p = make_zero3_program(e, CostModel(fixture(), e.cluster));
  for (const auto& s : p.steps)
    for (int op : s.issue)
      EXPECT_GE(s.wait_for, op) << s.label;
}

TEST(Zero3Program, ComputeWaitsOnlyForCollectivesAlreadyIssued)
{
  const auto e = experiment("configs/bert5b-p3dn4.json", {});
  const auto p = make_zero3_program(e, CostModel(fixture(), e.cluster));
  int issued   = -1;
  for (const auto& s : p.steps) {
    for (int op : s.issue)
      EXPECT_EQ(op, ++issued); // the communication stream's FIFO order is the issue order
    EXPECT_LE(s.wait_for, issued) << s.label;
    for (int op : s.issue_after)
      EXPECT_EQ(op, ++issued);
  }
  EXPECT_EQ(issued + 1, int(p.comms.size()));
}

TEST(Zero3Program, RecomputationAddsAForwardPass)
{
  const auto on  = experiment("configs/p4d16.json", {});
  const auto off = experiment("configs/p4d16.json", {"training.activation_recomputation=false"});
  const auto a   = make_zero3_program(on, CostModel(fixture(), on.cluster));
  const auto b   = make_zero3_program(off, CostModel(fixture(), off.cluster));
  // FLOPs: forward 1, backward 2, recomputation 1 (blocks only): 4/3 of the compute without it, roughly.
  EXPECT_GT(a.compute_s() / b.compute_s(), 1.25);
  EXPECT_LT(a.compute_s() / b.compute_s(), 1.34);
}

// DeepSpeed's gradient path is memory-bound work on every gradient byte: the copy into the contiguous
// bucket, then torch.cat and the pre-division in reduce_scatter_coalesced (2 to 3 read+write passes).
TEST(Zero3Program, GradientBucketsCostHbmPasses)
{
  const auto e = experiment("configs/p4d16.json", {});
  const CostModel cost(fixture(), e.cluster);
  const auto p        = make_zero3_program(e, cost);
  const double grads  = total_params(e.model) * 2; // fp16 bytes, each produced once per iteration
  const double at_hbm = grads / e.cluster.gpu.hbm_Bps;
  EXPECT_GT(p.gradient_bucket_s, 4 * at_hbm) << "at least the bucket copy and the pre-division";
  EXPECT_LT(p.gradient_bucket_s, 6 * 3 * at_hbm) << "at most 6 passes at a third of the HBM bandwidth";
  EXPECT_LT(p.gradient_bucket_s, 0.2 * p.compute_s());
}

TEST(Zero3Replay, IterationCoversComputeAndIdleSpansAddUp)
{
  const auto e   = experiment("configs/bert5b-p3dn4.json", {});
  const auto out = gsim::run_in_child([&] {
    const CostModel cost(fixture(), e.cluster);
    const auto r   = replay_zero3(e, cost);
    const auto its = iteration_stats(r, e.checkpoint.span_threshold_s);
    std::string o;
    for (const auto& s : its)
      o += fmt("%.9f ", s.time_s) + fmt("%.9f ", s.compute_s) + fmt("%.9f ", s.comm_busy_s) +
           fmt("%.9f ", s.idle_total_s) + fmt("%.9f\n", s.idle_long_s);
    return o;
  });
  ASSERT_EQ(out.find("exception"), std::string::npos) << out;
  double t = 0, compute = 0, busy = 0, idle = 0, idle_long = 0;
  ASSERT_EQ(std::sscanf(out.c_str(), "%lf %lf %lf %lf %lf", &t, &compute, &busy, &idle, &idle_long), 5) << out;
  EXPECT_GE(t, compute);
  EXPECT_LE(idle, t);
  EXPECT_LE(idle_long, idle);
  EXPECT_NEAR(busy + idle, t, 1e-6 * t); // the communication stream is either busy or idle
}

TEST(Zero3Replay, TwoRunsAreIdentical)
{
  const auto e = experiment("configs/bert5b-p3dn4.json", {});
  const auto a = gsim::run_in_child([&] { return replay_text(e); });
  const auto b = gsim::run_in_child([&] { return replay_text(e); });
  ASSERT_GT(a.size(), 1000u) << a;
  EXPECT_EQ(a, b);
}

// Collectives never overlap on the stream, so nothing contends: the flow mode must reproduce the analytic.
TEST(Zero3Replay, FlowModeMatchesAnalyticWithoutContention)
{
  const auto a       = experiment("configs/bert5b-p3dn4.json", {"run.collectives=analytic", "run.iterations=1"});
  const auto f       = experiment("configs/bert5b-p3dn4.json", {"run.collectives=flow", "run.iterations=1"});
  const auto time_of = [](const Experiment& e) {
    return gsim::run_in_child([&] {
      const auto r = replay_zero3(e, CostModel(fixture(), e.cluster));
      return fmt("%.9f", r.iterations.back().end - r.iterations.back().start);
    });
  };
  const double ta = std::stod(time_of(a)), tf = std::stod(time_of(f));
  EXPECT_NEAR(tf / ta, 1.0, 0.005) << "analytic " << ta << " s, flow " << tf << " s";
}

TEST(IterationReport, CommGapTextHasTheArtifactLayout)
{
  // The profiler's semantics (models/artifact_profiler.hpp): launch brackets, '-', reduce-scatter-free intervals.
  IterationStats s;
  s.profiler.allgather_ms      = {1.2, 0.0};
  s.profiler.reduce_scatter_ms = {250.0, 1500.0};
  EXPECT_EQ(comm_gap_text({s, s}), "1.2 0.0 - 250.0 1500.0 \n1.2 0.0 - 250.0 1500.0 \n");
}

} // namespace
} // namespace gsim
