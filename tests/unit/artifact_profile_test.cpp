// The simulated BERT 5B run on 4 p3dn (configs/bert5b-p3dn4.json) against the real profile the GEMINI
// artifact recorded for the same run (traces/gemini-ae/bert_comm_gap.txt, a copy of shared/traces/gemini-ae/),
// docs/engine.md §3.
//
// What the artifact's profile measures (its CommounicationProfiler.profile_comm_time_gap and
// __all_gather_params, deepspeed/runtime/snapshot/snapshot_profiler.py and
// deepspeed/runtime/zero/partitioned_param_coordinator.py of zhuangwang93/Gemini_SOSP23): one number per
// all-gather launch (start/end events recorded on the all-gather stream around the launch, the author's
// comment: "reverse the communication time and the idle time span"), then '-', then one number per
// reduce-scatter: the gap from the previous collective's end to its start, clamped at 0. So the
// all-gather positions count the all-gathers, the first reduce-scatter value is 0 (the last all-gather
// ends after the first bucket started), and the second is the first bucket's end to the last bucket's
// start. The test compares what is comparable, with the tolerances stated in docs/engine.md, and runs the
// artifact's reduction (models/idle_profile) over both.
#include "models/idle_profile.hpp"
#include "sim/report/iteration_report.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace gsim {
namespace {

const std::string kProfile  = kSourceDir + "/traces/gemini-ae/bert_comm_gap.txt";
const std::string kConfig   = kSourceDir + "/configs/bert5b-p3dn4.json";
constexpr int kWarmupLines  = 8;   // the artifact's launch.sh --jump_profile_lines 8
constexpr double kThreshold = 0.1; // launch.sh --span_threshold 100 (ms)

// One SimGrid simulation per process: every test of this file shares the one replay.
const ReplayResult& simulated()
{
  static const ReplayResult r = [] {
    const Experiment e = load_experiment(kConfig, {"checkpoint.scheme=none", "run.iterations=3"});
    static const CostModel cost(shipped(), e.cluster);
    return replay_zero3(e, cost);
  }();
  return r;
}

// Steady state: the last simulated iteration's collectives, in stream order.
std::vector<CommRecord> last_iteration_comms(const ReplayResult& r)
{
  std::vector<CommRecord> out;
  const int last = int(r.iterations.size()) - 1;
  for (const auto& c : r.comms)
    if (c.iteration == last)
      out.push_back(c);
  std::sort(out.begin(), out.end(), [](const CommRecord& a, const CommRecord& b) { return a.start < b.start; });
  return out;
}

TEST(ArtifactProfile, RealProfileHasTheArtifactStructure)
{
  const IdleProfile p = read_idle_profile(kProfile);
  ASSERT_EQ(p.gaps_s.size(), 20u);
  // The first line is a warm-up iteration before DeepSpeed has a complete trace: no prefetching, one
  // all-gather per module fetch, so many more launches than in the steady state.
  EXPECT_GT(p.gaps_s[0].size(), 2 * p.gaps_s[1].size());
  for (size_t i = 1; i < p.gaps_s.size(); i++) {
    EXPECT_GE(p.gaps_s[i].size(), 122u) << "line " << i + 1;
    EXPECT_LE(p.gaps_s[i].size(), 123u) << "line " << i + 1;
    ASSERT_EQ(p.trailer_s[i].size(), 2u) << "two reduce-scatter buckets (reduce_bucket_size 3e9)";
    EXPECT_EQ(p.trailer_s[i][0], 0.0) << "the first bucket starts before the last all-gather ends";
  }
  // The artifact's reduction (one position index over both sides of '-'): above 100 ms it keeps only the
  // second bucket's reduce-scatter-free interval, at its position in the lines with 123 all-gathers.
  const ReducedSpans real = reduce_idle_profile(p, kWarmupLines, kThreshold);
  EXPECT_EQ(real.iterations_used, 12);
  ASSERT_EQ(real.kept.size(), 1u);
  EXPECT_EQ(real.kept[0].position, 124);
  EXPECT_GT(real.kept_total_s(), 1.8);
}

TEST(ArtifactProfile, SimulatedAllGatherCountMatchesTheRealRun)
{
  const IdleProfile p = read_idle_profile(kProfile);
  size_t real_min = SIZE_MAX, real_max = 0;
  for (size_t i = 1; i < p.gaps_s.size(); i++) {
    real_min = std::min(real_min, p.gaps_s[i].size());
    real_max = std::max(real_max, p.gaps_s[i].size());
  }
  size_t gathers = 0, scatters = 0;
  for (const auto& op : simulated().program.comms)
    (op.op == CollOp::all_gather ? gathers : scatters)++;
  // The coordinator replay (models/zero3_schedule.cpp) issues one all-gather per module fetch and per
  // prefetch batch; the real run launched 122-123. Tolerance 10 % (docs/engine.md).
  EXPECT_GE(double(gathers), 0.9 * double(real_min));
  EXPECT_LE(double(gathers), 1.1 * double(real_max));
  EXPECT_EQ(scatters, p.trailer_s[1].size()) << "as many gradient buckets as the real run";
}

TEST(ArtifactProfile, BucketToBucketSpanIsComparable)
{
  // The real run's second reduce-scatter value: end of the first gradient bucket to the start of the last
  // (the backward of the layers after the first bucket filled, their all-gathers included).
  const IdleProfile p = read_idle_profile(kProfile);
  std::vector<double> real;
  for (size_t i = size_t(kWarmupLines); i < p.trailer_s.size(); i++)
    real.push_back(p.trailer_s[i][1]);
  std::sort(real.begin(), real.end());
  const double real_median = real[real.size() / 2];

  const auto comms = last_iteration_comms(simulated());
  std::vector<CommRecord> rs;
  double last_gather_end = 0;
  for (const auto& c : comms)
    if (simulated().program.comms[size_t(c.op)].op == CollOp::reduce_scatter)
      rs.push_back(c);
    else
      last_gather_end = std::max(last_gather_end, c.end);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_LT(rs[0].start, last_gather_end) << "the artifact's clamped 0: the first bucket starts first";
  const double sim = rs[1].start - rs[0].end;
  // Within 25 % of the real median (docs/engine.md reports the error); a compute model off by 2x fails.
  EXPECT_GT(sim, 0.75 * real_median) << "simulated " << sim << " s, real median " << real_median << " s";
  EXPECT_LT(sim, 1.25 * real_median) << "simulated " << sim << " s, real median " << real_median << " s";
}

TEST(ArtifactProfile, SimulatedSpansGoThroughTheSameReduction)
{
  // The simulated spans are physical network idle spans, not the artifact's launch timings: the same
  // reduction runs over them, and the gap to the real profile (0 kept spans) is reported, not asserted away.
  const auto its = iteration_stats(simulated(), kThreshold);
  std::vector<std::vector<double>> spans;
  for (const auto& s : its)
    spans.push_back(s.spans_s);
  const ReducedSpans sim = reduce_idle_spans(spans, 1, kThreshold);
  EXPECT_EQ(sim.iterations_used, int(its.size()) - 1);
  EXPECT_EQ(int(sim.kept.size()), its.back().long_spans) << "identical iterations: the minimum is each one";
  EXPECT_NEAR(sim.kept_total_s(), its.back().idle_long_s, 1e-9);
  EXPECT_LT(sim.kept_total_s(), its.back().time_s);
}

} // namespace
} // namespace gsim
