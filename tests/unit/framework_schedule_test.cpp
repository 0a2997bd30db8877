// training.framework: the structure of each schedule's program (models/framework_schedule.hpp), on the
// synthetic calibration fixture. Programs only, no replay: each test builds in milliseconds.
#include "models/config_error.hpp"
#include "models/framework_schedule.hpp"
#include "models/transformer.hpp"
#include "models/zero3_schedule.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <map>

namespace gsim {
namespace {

Zero3Program program(const std::string& framework, std::vector<std::string> sets = {},
                     const std::string& config = "configs/p4d16.json")
{
  sets.push_back("checkpoint.scheme=none");
  sets.push_back("training.framework=" + framework);
  const Experiment e = load_experiment(config, sets);
  return make_zero3_program(e, CostModel(fixture(), e.cluster));
}

Experiment p4d()
{
  return load_experiment("configs/p4d16.json", {"checkpoint.scheme=none"});
}

int count(const Zero3Program& p, CollOp op)
{
  int n = 0;
  for (const auto& c : p.comms)
    n += c.op == op;
  return n;
}

TEST(FrameworkSchedule, EveryNameParsesToItsSchedule)
{
  for (const auto& [name, f] : framework_names()) {
    EXPECT_EQ(to_string(f), name);
    EXPECT_FALSE(framework_schedule(f).source.empty()) << name;
    const Experiment e = load_experiment("configs/p4d16.json", {"training.framework=" + name});
    EXPECT_EQ(e.training.framework, f);
  }
}

TEST(FrameworkSchedule, OldBlockingAllGatherKeyIsRefusedWithAHint)
{
  try {
    load_experiment("configs/p4d16.json", {"training.blocking_allgather=true"});
    FAIL() << "accepted training.blocking_allgather";
  } catch (const ConfigError& err) {
    EXPECT_NE(std::string(err.what()).find("training.framework"), std::string::npos) << err.what();
  }
}

// FSDP2: the blocks are resharded after forward, so every block is all-gathered once in forward and once
// again in backward; the root (embeddings, final norm, head) only once.
TEST(FrameworkSchedule, Fsdp2ReGathersEveryBlockInBackward)
{
  const Experiment e = p4d();
  const auto p       = program("fsdp2");
  std::map<std::string, int> gathers;
  for (const auto& c : p.comms)
    if (c.op == CollOp::all_gather)
      gathers[c.label.substr(c.label.rfind("block") == std::string::npos ? c.label.rfind("root")
                                                                         : c.label.rfind("block"))]++;
  EXPECT_EQ(int(gathers.size()), e.model.layers + 1);
  EXPECT_EQ(gathers["root"], 1);
  for (int l = 0; l < e.model.layers; l++)
    EXPECT_EQ(gathers["block " + std::to_string(l)], 2) << l;
  const double root = total_params(e.model) - e.model.layers * params_per_layer(e.model);
  EXPECT_NEAR(p.comm_bytes(CollOp::all_gather) / 2, 2 * (total_params(e.model) - root) + root,
              1e-6 * total_params(e.model));
}

// One block of prefetch: a step issues at most its own unit's all-gather and the next one; the step that
// waits for a block's all-gather is one unit later than the step that issued it (it overlaps one block).
TEST(FrameworkSchedule, Fsdp2PrefetchesExactlyOneBlock)
{
  const auto p = program("fsdp2");
  std::vector<int> issued_at(p.comms.size(), -1);
  int waits = 0, overlapped = 0;
  for (size_t k = 0; k < p.steps.size(); k++) {
    const auto& s = p.steps[k];
    EXPECT_LE(s.issue.size(), 2u) << s.label;
    for (int op : s.issue)
      issued_at[size_t(op)] = int(k);
    if (s.wait_for >= 0) {
      waits++;
      ASSERT_GE(issued_at[size_t(s.wait_for)], 0) << s.label;
      overlapped += issued_at[size_t(s.wait_for)] < int(k);
      // never waits for the prefetch it issued itself
      for (int op : s.issue)
        if (p.comms[size_t(op)].label.find("prefetch") != std::string::npos) {
          EXPECT_LT(s.wait_for, op) << s.label;
        }
    }
  }
  const int units = 2 * p4d().model.layers + 1;
  EXPECT_EQ(waits, units);
  EXPECT_EQ(overlapped, units - 2); // the root's forward and the last block's backward gathers are exposed
}

TEST(FrameworkSchedule, Fsdp2ReduceScattersOncePerBlock)
{
  const Experiment e = p4d();
  const auto p       = program("fsdp2");
  EXPECT_EQ(count(p, CollOp::reduce_scatter), e.model.layers + 1);
  EXPECT_NEAR(p.comm_bytes(CollOp::reduce_scatter) / 2, total_params(e.model), 1e-6 * total_params(e.model));
  for (const auto& s : p.steps)
    EXPECT_EQ(s.wait_after, -1) << s.label; // no host sync
}

// DDP: nothing sharded, nothing gathered; every gradient all-reduced once, in buckets of at most 25 MiB
// (plus the tensor that overflows one), the first one 1 MiB.
TEST(FrameworkSchedule, DdpAllReducesBucketsAndGathersNothing)
{
  const Experiment e = p4d();
  const auto p       = program("ddp");
  EXPECT_EQ(count(p, CollOp::all_gather), 0);
  EXPECT_EQ(count(p, CollOp::reduce_scatter), 0);
  ASSERT_GT(count(p, CollOp::all_reduce), 2);
  EXPECT_DOUBLE_EQ(p.comm_bytes(CollOp::all_reduce), 4 * total_params(e.model));
  EXPECT_LT(p.comms.front().bytes, 1024.0 * 1024 + 4 * e.model.hidden * double(e.model.vocab));
  // The unsharded optimizer step updates every parameter: the GPU count times ZeRO-3's shard (the HBM
  // curve is not quite linear in bytes).
  EXPECT_NEAR(p.optimizer_s / program("deepspeed").optimizer_s, e.gpus(), 1e-3 * e.gpus());
}

TEST(FrameworkSchedule, GeminiInterleaveWaitsOnTheHostForEachReduceScatterNotForPrefetches)
{
  const auto p = program("gemini-interleave");
  int reduces = 0, prefetch_overlaps = 0;
  for (const auto& s : p.steps) {
    if (not s.issue_after.empty()) {
      reduces++;
      EXPECT_EQ(s.wait_after, s.issue_after.back()) << s.label;
    }
    for (int op : s.issue)
      prefetch_overlaps += op > s.wait_for; // launched at the hook, not waited for by its kernels
  }
  EXPECT_GT(reduces, 0);
  EXPECT_GT(prefetch_overlaps, 0);
  // Same collectives as upstream DeepSpeed; only the host waits differ.
  EXPECT_EQ(p.comms.size(), program("deepspeed").comms.size());
}

TEST(FrameworkSchedule, GeminiNoneSynchronisesTheDeviceAtEveryHook)
{
  const auto p = program("gemini-none");
  for (const auto& s : p.steps) {
    for (int op : s.issue)
      EXPECT_GE(s.wait_for, op) << s.label;
    if (not s.issue_after.empty()) {
      EXPECT_EQ(s.wait_after, s.issue_after.back()) << s.label;
    }
  }
  for (const auto& s : program("deepspeed").steps)
    EXPECT_EQ(s.wait_after, -1) << s.label;
}

// Issue 15 item 8: one rank is no collective, whatever the schedule; the sharded ones keep the device copy.
TEST(FrameworkSchedule, OneGpuIssuesNoCollectiveBytes)
{
  for (const auto& [name, f] : framework_names()) {
    const auto p = program(name, {"cluster.gpus_per_instance=1"}, "configs/validation/gem-gpt-350m.interleave.json");
    EXPECT_TRUE(p.comms.empty()) << name;
    for (CollOp op : {CollOp::all_gather, CollOp::reduce_scatter, CollOp::all_reduce})
      EXPECT_EQ(p.comm_bytes(op), 0) << name;
    for (const auto& s : p.steps)
      EXPECT_TRUE(s.issue.empty() && s.issue_after.empty() && s.wait_for < 0 && s.wait_after < 0) << name;
    if (framework_schedule(f).sharded)
      EXPECT_GT(p.one_rank_copy_s, 0) << name;
    else
      EXPECT_EQ(p.one_rank_copy_s, 0) << name;
  }
}

} // namespace
} // namespace gsim
