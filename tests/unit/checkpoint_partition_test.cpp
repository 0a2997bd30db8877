// Algorithm 2 (checkpoint partition) and the Fig 16 ablation schemes on hand-made span lists.
#include "models/checkpoint_partition.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

using namespace gsim;

namespace {

// Units in which every time and size below is exact in binary floating point: a tick of 2^-10 s, a MiB of
// 2^20 bytes, and a 1 MiB-per-tick network (2^30 bytes/s) with a start-up latency of one tick.
constexpr double kTick = 1.0 / 1024;
constexpr int64_t kMiB = 1 << 20;

// A copy 1024x faster than the network, so that by default it never holds a buffer up.
PartitionInputs round_inputs()
{
  PartitionInputs in;
  in.checkpoint_bytes = 30 * kMiB;
  in.replicas         = 2;
  in.buffer_bytes     = 10 * kMiB;
  in.sub_buffers      = 2;
  in.bandwidth_Bps    = double(kMiB) / kTick;
  in.alpha_s          = kTick;
  in.mu               = 1;
  in.copy_Bps         = 1024 * in.bandwidth_Bps;
  in.copy_latency_s   = 0;
  return in;
}

std::vector<int64_t> sizes(const SpanPlan& s)
{
  std::vector<int64_t> out;
  for (const auto& c : s.chunks)
    out.push_back(c.bytes);
  return out;
}

// Every byte of every replica lands exactly once: per replica the chunks tile [0, C) without gap or overlap.
void expect_every_byte_once(const PartitionPlan& plan, const PartitionInputs& in)
{
  ASSERT_EQ(plan.bytes_per_replica.size(), size_t(in.replicas - 1));
  std::map<int, std::vector<std::pair<int64_t, int64_t>>> ranges;
  for (const auto& s : plan.spans)
    for (const auto& c : s.chunks) {
      EXPECT_GT(c.bytes, 0);
      ranges[c.replica].push_back({c.offset_bytes, c.bytes});
    }
  for (int r = 0; r < in.replicas - 1; r++) {
    EXPECT_EQ(plan.bytes_per_replica[size_t(r)], in.checkpoint_bytes) << "replica " << r;
    auto& v = ranges[r];
    std::sort(v.begin(), v.end());
    int64_t next = 0;
    for (const auto& [offset, bytes] : v) {
      EXPECT_EQ(offset, next) << "replica " << r;
      next = offset + bytes;
    }
    EXPECT_EQ(next, in.checkpoint_bytes) << "replica " << r;
  }
}

const Scheme kSending[] = {Scheme::blocking, Scheme::naive, Scheme::no_pipeline, Scheme::gemini};

} // namespace

TEST(CheckpointPartition, Algorithm2ByHand)
{
  // Chunks of R/p = 5 MiB take f = 1 + 5 = 6 ticks. Span 1 (20 ticks): chunks end at 6, 12, 18, then 2 ticks
  // remain < f(R/p): a (2 - 1) tick = 1 MiB chunk ends at exactly 20. 16 MiB placed, 14 MiB to go: the last
  // span (t_d = infinity) takes 5 + 5 + 4 MiB = 6 + 6 + 5 = 17 ticks, 7 past its 10.
  auto in      = round_inputs();
  in.spans_s   = {20 * kTick, 10 * kTick};
  const auto p = plan_partition(Scheme::gemini, in);
  ASSERT_EQ(p.spans.size(), 2u);
  EXPECT_EQ(sizes(p.spans[0]), (std::vector<int64_t>{5 * kMiB, 5 * kMiB, 5 * kMiB, 1 * kMiB}));
  EXPECT_EQ(p.spans[0].busy_s(), 20 * kTick);
  EXPECT_EQ(p.spans[0].chunks[2].start_s, 12 * kTick);
  EXPECT_EQ(sizes(p.spans[1]), (std::vector<int64_t>{5 * kMiB, 5 * kMiB, 4 * kMiB}));
  EXPECT_EQ(p.spans[1].busy_s(), 17 * kTick);
  EXPECT_EQ(p.leftover_s, 7 * kTick);
  EXPECT_EQ(p.update_delay_s, 7 * kTick);           // mu = 1: the budget is the span
  EXPECT_EQ(p.leftover_bytes, 5 * kMiB + 4 * kMiB); // the chunks ending past 10 ticks
  EXPECT_FALSE(p.fits);
  EXPECT_EQ(p.chunks(), 7);
  EXPECT_EQ(p.checkpoint_time_s, 37 * kTick);
  EXPECT_EQ(p.gpu_buffer_bytes, in.buffer_bytes);
  expect_every_byte_once(p, in);
}

TEST(CheckpointPartition, EveryByteOfEveryReplicaOnceForAllSchemes)
{
  auto in             = round_inputs();
  in.replicas         = 4; // three remote copies
  in.checkpoint_bytes = 12'345'679;
  in.mu               = 0.8;
  for (const auto& spans :
       {std::vector<double>{}, std::vector<double>{0.004, 0.0005, 0.033, 0.0101}, std::vector<double>{1.0, 2.0}})
    for (Scheme s : kSending) {
      in.spans_s   = spans;
      const auto p = plan_partition(s, in);
      SCOPED_TRACE(to_string(s) + " over " + std::to_string(spans.size()) + " spans");
      expect_every_byte_once(p, in);
    }
}

TEST(CheckpointPartition, ChunksNeverExceedTheirBuffer)
{
  auto in     = round_inputs();
  in.replicas = 3;
  in.spans_s  = {0.0031, 0.05, 0.007, 0.2};
  for (Scheme s : {Scheme::gemini, Scheme::blocking, Scheme::no_pipeline}) {
    const int64_t cap = s == Scheme::no_pipeline ? in.buffer_bytes : in.buffer_bytes / in.sub_buffers;
    for (const auto& span : plan_partition(s, in).spans)
      for (const auto& c : span.chunks)
        EXPECT_LE(c.bytes, cap) << to_string(s);
  }
}

TEST(CheckpointPartition, MuIsRespectedAndLeftoverGoesIntoTheLastSpan)
{
  // Budgets 10, 4.5, 15 and 4 ticks hold 8 + 3.5 + 12 MiB; the last 6.5 MiB take 8.5 ticks of the last span.
  auto in      = round_inputs();
  in.mu        = 0.5;
  in.spans_s   = {20 * kTick, 9 * kTick, 30 * kTick, 8 * kTick};
  const auto p = plan_partition(Scheme::gemini, in);
  const std::vector<int64_t> early{8 * kMiB, 7 * kMiB / 2, 12 * kMiB};
  for (size_t i = 0; i + 1 < p.spans.size(); i++) {
    EXPECT_EQ(p.spans[i].budget_s, 0.5 * in.spans_s[i]);
    EXPECT_LE(p.spans[i].busy_s(), p.spans[i].budget_s) << "span " << i;
    EXPECT_EQ(p.spans[i].bytes(), early[i]) << "span " << i;
  }
  // What does not fit is in the last span past its budget, and the update waits past the real span.
  EXPECT_EQ(p.spans.back().bytes(), 13 * kMiB / 2);
  EXPECT_EQ(p.spans.back().busy_s(), 8.5 * kTick);
  EXPECT_FALSE(p.fits);
  EXPECT_EQ(p.leftover_s, 4.5 * kTick);
  EXPECT_EQ(p.update_delay_s, 0.5 * kTick);
  expect_every_byte_once(p, in);

  // A larger mu places more in the early spans and leaves less over.
  in.mu         = 0.9;
  const auto p9 = plan_partition(Scheme::gemini, in);
  EXPECT_GT(p9.spans[0].bytes(), p.spans[0].bytes());
  EXPECT_LT(p9.leftover_s, p.leftover_s);
}

TEST(CheckpointPartition, FitsWhenTheSpansAreLongEnough)
{
  auto in      = round_inputs();
  in.mu        = 0.8;
  in.spans_s   = {30 * kTick, 20 * kTick}; // budgets 24 + 16 ticks hold 20 + 10 MiB at 6 ticks per 5 MiB
  const auto p = plan_partition(Scheme::gemini, in);
  EXPECT_TRUE(p.fits);
  EXPECT_EQ(p.spans[0].bytes(), 20 * kMiB);
  EXPECT_EQ(p.leftover_bytes, 0);
  EXPECT_EQ(p.leftover_s, 0);
  EXPECT_EQ(p.update_delay_s, 0);
  EXPECT_EQ(p.spans.back().busy_s(), 12 * kTick);
  expect_every_byte_once(p, in);
}

TEST(CheckpointPartition, ASpanTooShortForAlphaGetsNothing)
{
  auto in    = round_inputs();
  in.mu      = 0.8;
  in.spans_s = {1.2 * kTick, 50 * kTick, 1.25 * kTick, 100 * kTick}; // budgets 0.96 and exactly 1 alpha
  for (Scheme s : {Scheme::gemini, Scheme::no_pipeline, Scheme::naive}) {
    const auto p = plan_partition(s, in);
    EXPECT_TRUE(p.spans[0].chunks.empty()) << to_string(s);
    EXPECT_TRUE(p.spans[2].chunks.empty()) << to_string(s);
    EXPECT_FALSE(p.spans[1].chunks.empty()) << to_string(s);
  }
}

TEST(CheckpointPartition, NaiveStagesOnePartitionPerSpanAndNeedsTheLargest)
{
  auto in             = round_inputs();
  in.checkpoint_bytes = 200 * kMiB;
  in.mu               = 0.8;
  in.spans_s          = {50 * kTick, 101 * kTick, 20 * kTick, 300 * kTick};
  const auto p        = plan_partition(Scheme::naive, in);
  for (size_t i = 0; i + 1 < p.spans.size(); i++) {
    ASSERT_EQ(p.spans[i].chunks.size(), 1u) << "span " << i;
    // Sized to fill the span: (mu t - alpha) * B, whole bytes.
    EXPECT_EQ(p.spans[i].bytes(), int64_t(std::floor((0.8 * in.spans_s[i] - in.alpha_s) * in.bandwidth_Bps)));
  }
  int64_t largest = 0;
  for (const auto& s : p.spans)
    for (const auto& c : s.chunks)
      largest = std::max(largest, c.bytes);
  EXPECT_EQ(p.gpu_buffer_bytes, largest);
  EXPECT_GT(p.gpu_buffer_bytes, in.buffer_bytes);
  expect_every_byte_once(p, in);

  // Its buffer fits in free GPU memory or not; the chunked schemes need only R.
  EXPECT_EQ(check_gpu_buffer(p, double(largest)).status(), "ok");
  EXPECT_EQ(check_gpu_buffer(p, double(largest) - 1).status(), "oom");
  const auto g = plan_partition(Scheme::gemini, in);
  EXPECT_EQ(check_gpu_buffer(g, double(largest) - 1).status(), "ok");
  EXPECT_EQ(check_gpu_buffer(g, double(in.buffer_bytes) - 1).status(), "oom");
}

TEST(CheckpointPartition, NoPipelineIsSlowerThanGeminiWhenTheCopyIsAsSlowAsTheNetwork)
{
  auto in             = round_inputs();
  in.copy_Bps         = in.bandwidth_Bps; // p4d: GPU->CPU copy ~ inter-machine bandwidth (paper footnote 2)
  in.copy_latency_s   = kTick / 64;
  in.checkpoint_bytes = 100 * kMiB;
  in.buffer_bytes     = 20 * kMiB;
  in.sub_buffers      = 4;
  in.spans_s          = {40 * kTick, 60 * kTick, 30 * kTick};
  const auto g        = plan_partition(Scheme::gemini, in);
  const auto n        = plan_partition(Scheme::no_pipeline, in);
  EXPECT_GT(n.leftover_s, g.leftover_s);
  // Without pipelining each chunk waits for its own copy: f(R) + copy(R) per full chunk.
  const auto& c = n.spans.back().chunks;
  ASSERT_GE(c.size(), 2u);
  EXPECT_EQ(c[1].start_s - c[0].start_s, (1 + 20) * kTick + (kTick / 64 + 20 * kTick));
  // All of it in one span: gemini's receives run back to back (a 5 MiB copy is shorter than a 6-tick
  // receive), C / B + 20 alphas; without the pipeline 4 of the 5 chunks also wait for a copy of R.
  in.spans_s         = {};
  const double g_all = plan_partition(Scheme::gemini, in).checkpoint_time_s;
  const double n_all = plan_partition(Scheme::no_pipeline, in).checkpoint_time_s;
  EXPECT_EQ(g_all, (100 + 20) * kTick);
  EXPECT_EQ(n_all, (100 + 5) * kTick + 4 * (kTick / 64 + 20 * kTick));
  expect_every_byte_once(g, in);
  expect_every_byte_once(n, in);
}

TEST(CheckpointPartition, GeminiRunsAtTheSlowerOfNetworkAndCopy)
{
  auto in             = round_inputs();
  in.alpha_s          = 0;
  in.checkpoint_bytes = 400 * kMiB;
  in.spans_s          = {};
  // Copy faster than the network: receives back to back, C / B.
  auto p = plan_partition(Scheme::gemini, in);
  EXPECT_EQ(p.checkpoint_time_s, 400 * kTick);
  // Copy at half the network's rate: after the first chunks the sub-buffers wait for the copies, C / copy_B.
  in.copy_Bps      = in.bandwidth_Bps / 2;
  p                = plan_partition(Scheme::gemini, in);
  const double one = 10 * kTick; // one 5 MiB chunk's copy
  EXPECT_GT(p.checkpoint_time_s, 800 * kTick - 2 * one);
  EXPECT_LT(p.checkpoint_time_s, 800 * kTick);
}

TEST(CheckpointPartition, BlockingTakesTotalOverBandwidthPlusAlphas)
{
  auto in             = round_inputs();
  in.replicas         = 3;
  in.checkpoint_bytes = 23 * kMiB;  // 5 chunks of R/p = 5 MiB per copy, the last 3 MiB
  in.spans_s          = {0.5, 0.5}; // ignored: blocking sends before the iteration
  const auto p        = plan_partition(Scheme::blocking, in);
  ASSERT_EQ(p.spans.size(), 1u);
  EXPECT_EQ(p.chunks(), 10);
  EXPECT_NEAR(p.checkpoint_time_s, 2 * double(in.checkpoint_bytes) / in.bandwidth_Bps + 10 * in.alpha_s, 1e-12);
  EXPECT_DOUBLE_EQ(p.update_delay_s, p.checkpoint_time_s);
  EXPECT_DOUBLE_EQ(p.leftover_s, p.checkpoint_time_s);
  EXPECT_FALSE(p.fits);
  expect_every_byte_once(p, in);
}

TEST(CheckpointPartition, NoSpanSendsEverythingAfterTheLastCommunication)
{
  auto in      = round_inputs();
  const auto p = plan_partition(Scheme::gemini, in);
  ASSERT_EQ(p.spans.size(), 1u);
  EXPECT_EQ(p.spans[0].span_s, 0);
  EXPECT_FALSE(p.fits);
  EXPECT_EQ(p.leftover_s, (30 + 6) * kTick);
  EXPECT_EQ(p.update_delay_s, p.leftover_s);
}

TEST(CheckpointPartition, NothingToSend)
{
  auto in     = round_inputs();
  in.spans_s  = {0.01};
  in.replicas = 1; // only the local copy
  for (Scheme s : kSending) {
    const auto p = plan_partition(s, in);
    EXPECT_EQ(p.chunks(), 0);
    EXPECT_TRUE(p.fits);
  }
  in.replicas         = 2;
  in.checkpoint_bytes = 0;
  EXPECT_TRUE(plan_partition(Scheme::gemini, in).fits);
  const auto none = plan_partition(Scheme::none, round_inputs());
  EXPECT_EQ(none.chunks(), 0);
  EXPECT_EQ(none.gpu_buffer_bytes, 0);
}

TEST(CheckpointPartition, RejectsInputsOutOfRange)
{
  const auto bad = [](auto change) {
    auto in = round_inputs();
    change(in);
    return in;
  };
  EXPECT_THROW(plan_partition(Scheme::gemini, bad([](auto& in) { in.mu = 0; })), std::invalid_argument);
  EXPECT_THROW(plan_partition(Scheme::gemini, bad([](auto& in) { in.mu = 1.5; })), std::invalid_argument);
  EXPECT_THROW(plan_partition(Scheme::gemini, bad([](auto& in) { in.bandwidth_Bps = 0; })), std::invalid_argument);
  EXPECT_THROW(plan_partition(Scheme::gemini, bad([](auto& in) { in.sub_buffers = 0; })), std::invalid_argument);
  EXPECT_THROW(plan_partition(Scheme::gemini, bad([](auto& in) { in.buffer_bytes = 1; })), std::invalid_argument);
  EXPECT_THROW(plan_partition(Scheme::gemini, bad([](auto& in) { in.spans_s = {-1}; })), std::invalid_argument);
  EXPECT_THROW(plan_partition(Scheme::gemini, bad([](auto& in) { in.copy_Bps = 0; })), std::invalid_argument);
}

// m = 1 keeps the checkpoint on its own machine: nothing is sent, so no network is needed (a single box
// without NICs can still checkpoint); any m > 1 needs one.
TEST(CheckpointPartition, OneReplicaNeedsNoNetwork)
{
  PartitionInputs in = round_inputs();
  in.replicas        = 1;
  in.bandwidth_Bps   = 0;
  in.alpha_s         = 0;
  in.spans_s         = {3 * kTick, 5 * kTick};
  for (Scheme s : {Scheme::gemini, Scheme::no_pipeline, Scheme::naive, Scheme::blocking}) {
    const auto p = plan_partition(s, in);
    EXPECT_TRUE(p.bytes_per_replica.empty()) << to_string(s);
    EXPECT_EQ(p.chunks(), 0) << to_string(s);
    EXPECT_EQ(p.checkpoint_time_s, 0) << to_string(s);
  }
  in.replicas = 2;
  EXPECT_THROW(plan_partition(Scheme::gemini, in), std::invalid_argument);
}
