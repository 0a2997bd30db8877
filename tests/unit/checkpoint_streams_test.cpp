// Issue 15 items 2 and 3: the checkpoint stream as the artifact runs it (chunks after a reduce-scatter run
// beside the all-gathers; after an all-gather later collectives queue behind them; the artifact's leftovers),
// and the artifact's profiler as a measurement model (its values, its reader's reduction, the comm_gap.txt
// round trip). BERT 5B on 4 p3dn priced by the synthetic calibration fixture; every replay in a child.
#include "models/artifact_profiler.hpp"
#include "models/idle_profile.hpp"
#include "sim/engine/checkpoint_traffic.hpp"
#include "sim/engine/iteration_stats.hpp"
#include "sim/engine/zero3_replay.hpp"
#include "sim/report/iteration_report.hpp"
#include "sim/report/summary.hpp"
#include "sim/sweep/child_process.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace gsim {
namespace {

constexpr double kMs = 1e-3;

// The profiler on a hand-made iteration: brackets are the launch stalls, the reduce-scatter values the
// intervals free of reduce-scatters (the first from the last all-gather's end, clamped at 0).
TEST(ArtifactProfiler, RecordsBracketsAndReduceScatterFreeIntervals)
{
  const std::vector<ProfiledCollective> ops = {{CollOp::all_gather, 0.000, 0.010, 0.00026},
                                               {CollOp::all_gather, 0.012, 0.020, 0.0},
                                               {CollOp::reduce_scatter, 0.015, 0.030, 0.0},
                                               {CollOp::all_gather, 0.031, 0.040, 0.0},
                                               {CollOp::reduce_scatter, 0.290, 0.300, 0.0}};
  const ProfilerLine line                   = profile_iteration(ops);
  EXPECT_EQ(line.allgather_ms, (std::vector<double>{0.3, 0.0, 0.0}));
  // First: last all-gather ends at 40 ms, the reduce-scatter started at 15 ms: clamped. Second: 30 -> 290 ms.
  EXPECT_EQ(line.reduce_scatter_ms, (std::vector<double>{0.0, 260.0}));
  EXPECT_EQ(line.text(), "0.3 0.0 0.0 - 0.0 260.0 \n");
  EXPECT_EQ(profiler_positions({CollOp::all_gather, CollOp::all_gather, CollOp::reduce_scatter, CollOp::all_gather,
                                CollOp::reduce_scatter}),
            (std::vector<int>{-1, 0, 2, 3, 2}));
  // extract_results.py: 1250 MiB x 8 bits x 8 GPUs / 80 Gbps / 1000 = 1 s (whole MiB: the 0.5 is floored).
  EXPECT_DOUBLE_EQ(artifact_checkpoint_time_s(1250.5 * 1024 * 1024, 8, 80), 1.0);
}

std::string temp_file(const std::string& text)
{
  char name[]  = "/tmp/gsim_comm_gap_XXXXXX";
  const int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(name) << text;
  return name;
}

// The reader on 18 hand-made lines: 8 skipped, one position index over both sides of '-', per-position
// minimum, kept when > threshold.
TEST(ArtifactProfiler, ReaderSkipsWarmupAndTakesMinimaOverBothSides)
{
  std::string text;
  for (int i = 0; i < 18; i++) {
    ProfilerLine l;
    const bool warm     = i < 8; // huge values the skip must remove
    l.allgather_ms      = {warm ? 900.0 : 0.0, warm ? 900.0 : 150.0 + i};
    l.reduce_scatter_ms = {warm ? 900.0 : 0.0, 400.0 - i, warm ? 0.0 : 99.0};
    text += l.text();
  }
  const std::string file = temp_file(text);
  const auto red         = reduce_idle_profile(read_idle_profile(file), 8, 100 * kMs);
  std::remove(file.c_str());
  EXPECT_EQ(red.iterations_used, 10);
  ASSERT_EQ(red.min_s.size(), 5u);
  ASSERT_EQ(red.kept.size(), 2u);
  EXPECT_EQ(red.kept[0].position, 1); // the second bracket: min 158 ms over lines 9..18
  EXPECT_DOUBLE_EQ(red.kept[0].seconds, 158 * kMs);
  EXPECT_EQ(red.kept[1].position, 3); // the second reduce-scatter interval: 400 - 17
  EXPECT_DOUBLE_EQ(red.kept[1].seconds, 383 * kMs);
  EXPECT_DOUBLE_EQ(red.min_s[4], 99 * kMs); // not above the threshold
}

Experiment experiment(std::vector<std::string> sets)
{
  sets.push_back("checkpoint.profile_iterations=10");
  sets.push_back("run.iterations=2");
  return load_experiment("configs/bert5b-p3dn4.json", sets);
}

// comm_gap.txt written from a run reads back through the --idle-profile reader to the same kept spans as
// the run's own profiler view.
TEST(ArtifactProfiler, CommGapRoundTripGivesTheSameSpans)
{
  const auto e   = experiment({"checkpoint.scheme=gemini", "checkpoint.profile_warmup_lines=3"});
  const auto out = run_in_child([&] {
    const auto r   = replay_zero3(e, CostModel(fixture(), e.cluster));
    const auto its = iteration_stats(r, e.checkpoint.span_threshold_s);
    const std::vector<IterationStats> prof(its.begin(), its.begin() + r.checkpoint.profile_iterations);
    const auto mine        = reduce_profiler_lines(prof, 3, e.checkpoint.span_threshold_s);
    const std::string file = temp_file(comm_gap_text(prof));
    const auto back        = reduce_idle_profile(read_idle_profile(file), 3, e.checkpoint.span_threshold_s);
    std::remove(file.c_str());
    if (mine.kept.empty())
      return std::string("the profiler view keeps no span");
    if (back.min_s != mine.min_s || back.kept.size() != mine.kept.size())
      return std::string("different minima");
    for (size_t i = 0; i < mine.kept.size(); i++)
      if (back.kept[i].position != mine.kept[i].position || back.kept[i].seconds != mine.kept[i].seconds)
        return "kept span " + std::to_string(i) + " differs";
    return std::string("ok");
  });
  EXPECT_EQ(out, "ok");
}

// Planned over the profiler view, the kept reduce-scatter-free interval opens after a reduce-scatter: its
// chunks run while the backward all-gathers are in flight (flow mode, the same NICs), and the next
// reduce-scatter starts only after they were sent.
TEST(CheckpointStreams, ReduceScatterPositionChunksOverlapAllGathersInFlowMode)
{
  const auto e   = experiment({"checkpoint.scheme=gemini", "checkpoint.span_source=profiler", "run.collectives=flow"});
  const auto out = run_in_child([&] {
    const auto r   = replay_zero3(e, CostModel(fixture(), e.cluster));
    const auto& c  = r.checkpoint;
    const size_t n = r.program.comms.size();
    int beside = 0, overlapped = 0;
    for (const auto& ch : c.chunks) {
      const size_t span = size_t(ch.plan_span);
      if (c.schedule.beside[span] == 0)
        continue;
      beside++;
      const int after = c.schedule.after_op[span];
      for (size_t j = 0; j < n; j++) {
        const CommRecord& op = r.comms[size_t(ch.iteration) * n + j];
        const CollOp kind    = r.program.comms[j].op;
        if (kind == CollOp::all_gather && op.start < ch.sent_end && op.end > ch.sent_start)
          overlapped++;
        if (kind == CollOp::reduce_scatter && int(j) > after && op.start < ch.sent_end - 1e-12)
          return std::string("a later reduce-scatter started before the chunk was sent");
      }
    }
    if (beside == 0)
      return std::string("no chunk after a reduce-scatter");
    return overlapped > 0 ? std::string("ok") : std::string("no all-gather ran beside the chunks");
  });
  EXPECT_EQ(out, "ok");
}

// Physical spans at a low threshold: a span opened by an all-gather holds every later collective until its
// chunks were sent.
TEST(CheckpointStreams, AllGatherPositionChunksDelayTheNextCollective)
{
  const auto e   = experiment({"checkpoint.scheme=gemini", "checkpoint.span_threshold_ms=1"});
  const auto out = run_in_child([&] {
    const auto r   = replay_zero3(e, CostModel(fixture(), e.cluster));
    const auto& c  = r.checkpoint;
    const size_t n = r.program.comms.size();
    int checked    = 0;
    for (const auto& ch : c.chunks) {
      const int after = c.schedule.after_op[size_t(ch.plan_span)];
      if (c.schedule.beside[size_t(ch.plan_span)] != 0 || after < 0 || size_t(after + 1) >= n)
        continue;
      if (r.program.comms[size_t(after)].op != CollOp::all_gather)
        return std::string("a span after a reduce-scatter is not beside");
      if (r.comms[size_t(ch.iteration) * n + size_t(after + 1)].start < ch.sent_end - 1e-12)
        return std::string("the next collective started before the chunk was sent");
      checked++;
    }
    return checked > 0 ? std::string("ok") : std::string("no chunk after an all-gather");
  });
  EXPECT_EQ(out, "ok");
}

// The artifact's leftovers: what does not fit is never sent, the update does not wait for it, and the
// checkpoint is incomplete; GEMINI as published sends it all and delays the update instead.
TEST(CheckpointStreams, ArtifactLeftoversLeaveTheCheckpointIncomplete)
{
  auto run = [](const std::string& leftovers) {
    const auto e = experiment({"checkpoint.scheme=gemini", "checkpoint.replicas=4", "checkpoint.placement=ring",
                               "checkpoint.leftovers=" + leftovers});
    return run_in_child([&] {
      const auto r  = replay_zero3(e, CostModel(fixture(), e.cluster));
      const auto& c = r.checkpoint;
      int64_t sent  = 0;
      for (const auto& ch : c.chunks)
        sent += ch.iteration == c.iterations.back().iteration ? ch.bytes : 0;
      const auto& it = c.iterations.back();
      return checkpoint_status(c) + " " + std::to_string(c.schedule.dropped_bytes) + " " + std::to_string(sent) + " " +
             fmt("%.9f", it.end - it.start);
    });
  };
  std::istringstream a(run("artifact")), d(run("delay_update"));
  std::string status_a, status_d;
  int64_t dropped_a = 0, sent_a = 0, dropped_d = 0, sent_d = 0;
  double t_a = 0, t_d = 0;
  a >> status_a >> dropped_a >> sent_a >> t_a;
  d >> status_d >> dropped_d >> sent_d >> t_d;
  ASSERT_FALSE(a.fail() || d.fail());
  EXPECT_EQ(status_a, "incomplete");
  EXPECT_GT(dropped_a, 0);
  EXPECT_EQ(dropped_d, 0);
  EXPECT_EQ(sent_a + dropped_a, sent_d) << "every byte is either sent or dropped";
  EXPECT_LT(t_a, t_d) << "the dropped leftovers no longer delay the update";
}

} // namespace
} // namespace gsim
