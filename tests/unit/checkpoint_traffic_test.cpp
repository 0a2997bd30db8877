// GEMINI's checkpoint traffic inside the replay (sim/engine/checkpoint_traffic.hpp): the invariants of issue 5
// (every byte of every replica lands exactly once; a checkpoint is complete only when all its chunks are in
// CPU memory; no scheme changes the training traffic) and the timing consequences of each scheme. BERT 5B
// on 4 p3dn priced by the synthetic calibration fixture; one SimGrid Engine per process, so every replay
// runs in a forked child that checks what it can and prints a verdict or numbers.
#include "sim/engine/checkpoint_traffic.hpp"
#include "sim/engine/zero3_replay.hpp"
#include "sim/report/iteration_report.hpp"
#include "sim/report/summary.hpp"
#include "tests/unit/fixture.hpp"

#include "sim/sweep/child_process.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <sstream>

namespace gsim {
namespace {

Experiment experiment(const std::string& scheme, std::vector<std::string> sets = {})
{
  sets.push_back("checkpoint.scheme=" + scheme);
  sets.push_back("checkpoint.profile_iterations=2");
  sets.push_back("run.iterations=2");
  return load_experiment("configs/bert5b-p3dn4.json", sets);
}

// Per checkpointed iteration, the ranges of one copy (remote replica k, or local: -1) tile [0, C) exactly.
std::string check_tiling(const CheckpointReplay& c, int64_t checkpoint_bytes)
{
  std::map<std::pair<int, int>, std::vector<std::pair<int64_t, int64_t>>> ranges; // (iteration, copy)
  for (const auto& ch : c.chunks)
    ranges[{ch.iteration, ch.replica}].push_back({ch.offset_bytes, ch.bytes});
  for (const auto& l : c.local)
    ranges[{l.iteration, -1}].push_back({l.offset_bytes, l.bytes});
  const int copies = c.schedule.inputs.replicas; // m - 1 remote + the local one
  for (const auto& it : c.iterations)
    for (int k = -1; k < copies - 1; k++) {
      auto v = ranges[{it.iteration, k}];
      std::sort(v.begin(), v.end());
      int64_t next = 0;
      for (const auto& [offset, bytes] : v) {
        if (offset != next || bytes <= 0)
          return "iteration " + std::to_string(it.iteration) + " copy " + std::to_string(k) + ": gap or overlap at " +
                 std::to_string(offset);
        next = offset + bytes;
      }
      if (next != checkpoint_bytes)
        return "iteration " + std::to_string(it.iteration) + " copy " + std::to_string(k) + ": " +
               std::to_string(next) + " of " + std::to_string(checkpoint_bytes) + " bytes";
    }
  return "";
}

// Every remote copy goes to exactly one peer GPU on another instance, and every GPU receives exactly one.
std::string check_peers(const CheckpointReplay& c, const PlatformSpec& spec)
{
  for (const auto& peer : c.peers) {
    std::vector<int> received(size_t(spec.gpus()), 0);
    for (size_t r = 0; r < peer.size(); r++) {
      if (peer[r] / spec.gpus_per_instance == int(r) / spec.gpus_per_instance)
        return "rank " + std::to_string(r) + " sends its copy to its own instance";
      received.at(size_t(peer[r]))++;
    }
    if (std::count(received.begin(), received.end(), 1) != spec.gpus())
      return "a GPU receives no copy or more than one";
  }
  return "";
}

// A checkpoint is complete exactly when every chunk, remote and local, is in CPU memory by its iteration's end.
std::string check_completion(const CheckpointReplay& c)
{
  for (const auto& it : c.iterations) {
    double last = it.start;
    for (const auto& ch : c.chunks)
      if (ch.iteration == it.iteration) {
        if (ch.in_cpu < ch.sent_end || ch.sent_end < ch.sent_start || ch.sent_start < ch.queued)
          return "chunk timeline out of order";
        last = std::max(last, ch.in_cpu);
      }
    for (const auto& l : c.local)
      if (l.iteration == it.iteration) {
        if (l.in_cpu < l.start)
          return "local copy never landed";
        last = std::max(last, l.in_cpu);
      }
    if (last != it.in_cpu)
      return "in_cpu is not the last landing";
    if (it.complete() != (last <= it.end))
      return "complete() disagrees with the landings";
    if (it.sends_done > it.end)
      return "the update ran before the last chunk left";
  }
  return "";
}

std::string invariants(const std::string& scheme, const std::string& mode)
{
  const auto e = experiment(scheme, {"run.collectives=" + mode});
  return gsim::run_in_child([&] {
    const auto r        = replay_zero3(e, CostModel(fixture(), e.cluster));
    const auto& c       = r.checkpoint;
    const int64_t bytes = c.schedule.inputs.checkpoint_bytes;
    if (not c.schedule.runs())
      return std::string("the schedule does not run: ") + c.schedule.memory.status();
    if (c.iterations.size() != size_t(e.run.iterations))
      return std::string("wrong number of checkpointed iterations");
    std::string why = check_tiling(c, bytes);
    if (why.empty())
      why = check_peers(c, r.spec);
    if (why.empty())
      why = check_completion(c);
    return why.empty() ? std::string("ok") : why;
  });
}

TEST(CheckpointTraffic, EveryByteOfEveryReplicaLandsOnceAnalytic)
{
  for (const std::string s : {"gemini", "no_pipeline", "naive", "blocking"})
    EXPECT_EQ(invariants(s, "analytic"), "ok") << s;
}

TEST(CheckpointTraffic, EveryByteOfEveryReplicaLandsOnceFlow)
{
  for (const std::string s : {"gemini", "blocking"})
    EXPECT_EQ(invariants(s, "flow"), "ok") << s;
}

TEST(CheckpointTraffic, ThreeReplicasGoToTwoDistinctPeers)
{
  const auto e   = experiment("gemini", {"checkpoint.replicas=3", "checkpoint.placement=ring"});
  const auto out = gsim::run_in_child([&] {
    const auto r    = replay_zero3(e, CostModel(fixture(), e.cluster));
    std::string why = check_tiling(r.checkpoint, r.checkpoint.schedule.inputs.checkpoint_bytes);
    if (why.empty())
      why = check_peers(r.checkpoint, r.spec);
    for (size_t g = 0; why.empty() && g < r.checkpoint.peers[0].size(); g++)
      if (r.checkpoint.peers[0][g] == r.checkpoint.peers[1][g])
        why = "both copies on one peer";
    return why.empty() ? std::string("ok") : why;
  });
  EXPECT_EQ(out, "ok");
}

// What the training traffic is and how long a checkpoint-free iteration takes, for comparison across schemes.
std::string training_signature(const Experiment& e)
{
  return gsim::run_in_child([&] {
    const auto r  = replay_zero3(e, CostModel(fixture(), e.cluster));
    const auto& p = r.program;
    std::ostringstream o;
    o << p.comms.size() << " " << fmt("%.0f", p.comm_bytes(CollOp::all_gather)) << " "
      << fmt("%.0f", p.comm_bytes(CollOp::reduce_scatter)) << "\n";
    // Every iteration ran every collective of the program once, in order.
    std::map<int, int> per_iteration;
    for (size_t i = 0; i < r.comms.size(); i++) {
      if (r.comms[i].op != int(i % p.comms.size()) || not(r.comms[i].end >= r.comms[i].start))
        o << "record " << i << " out of order\n";
      per_iteration[r.comms[i].iteration]++;
    }
    for (const auto& [it, n] : per_iteration)
      if (n != int(p.comms.size()))
        o << "iteration " << it << " ran " << n << " collectives\n";
    // The first iteration never carries a checkpoint: its time is the training's own.
    o << fmt("%.9f", r.iterations.front().end - r.iterations.front().start) << "\n";
    return o.str();
  });
}

TEST(CheckpointTraffic, NoSchemeChangesTheTrainingTraffic)
{
  const auto none = training_signature(experiment("none"));
  ASSERT_EQ(none.find("exception"), std::string::npos) << none;
  for (const std::string s : {"blocking", "naive", "no_pipeline", "gemini"})
    EXPECT_EQ(training_signature(experiment(s)), none) << s;
}

struct Timing {
  double iteration_s = 0, no_ckpt_s = 0, network_s = 0, update_wait_s = 0;
  std::string status;
};

Timing timing(const Experiment& e)
{
  const auto out = gsim::run_in_child([&] {
    const auto r  = replay_zero3(e, CostModel(fixture(), e.cluster));
    const auto& c = r.checkpoint;
    if (c.iterations.empty())
      return fmt("%.9f 0 0 0 ", r.iterations.back().end - r.iterations.back().start) + checkpoint_status(c);
    const auto& it = c.iterations.back();
    return fmt("%.9f ", it.end - it.start) + fmt("%.9f ", c.profile_iteration_time_s) + fmt("%.9f ", it.network_s) +
           fmt("%.9f ", it.update_wait_s) + checkpoint_status(c);
  });
  Timing t;
  std::istringstream in(out);
  in >> t.iteration_s >> t.no_ckpt_s >> t.network_s >> t.update_wait_s >> t.status;
  EXPECT_FALSE(in.fail()) << out;
  return t;
}

// Blocking puts the whole checkpoint before the iteration's first collective: the iteration stalls by about
// its network time (never by more), and the other schemes, which use idle spans, stall it less.
TEST(CheckpointTraffic, BlockingStallsByItsNetworkTimeAndInterleavingByLess)
{
  // The analytic timing: in a contention mode the sends also slow the kernels beside them (interference).
  const std::vector<std::string> analytic = {"run.collectives=analytic"};
  const auto none                         = timing(experiment("none", analytic));
  const auto blocking                     = timing(experiment("blocking", analytic));
  const auto gemini                       = timing(experiment("gemini", analytic));
  EXPECT_EQ(blocking.status, "ok");
  EXPECT_DOUBLE_EQ(blocking.no_ckpt_s, none.iteration_s);
  EXPECT_GT(blocking.network_s, 0);
  EXPECT_GT(blocking.iteration_s, none.iteration_s + 0.5 * blocking.network_s);
  EXPECT_LE(blocking.iteration_s, none.iteration_s + blocking.network_s + 1e-6);
  EXPECT_LT(gemini.iteration_s, blocking.iteration_s);
  EXPECT_GE(gemini.iteration_s, none.iteration_s - 1e-9);
}

// A checkpoint larger than the idle time cannot hide: the leftover delays training (the next collective or
// the update) by at least what did not fit, and a buffer larger than the free GPU memory is an oom with no
// traffic at all.
TEST(CheckpointTraffic, LeftoverDelaysTrainingAndOversizedBufferIsOom)
{
  const auto none = timing(experiment("none"));
  // m = 4: three remote copies, three times the traffic of the default m = 2.
  const auto heavy = timing(experiment("gemini", {"checkpoint.replicas=4", "checkpoint.placement=ring"}));
  const auto light = timing(experiment("gemini"));
  EXPECT_GT(heavy.network_s, 2.5 * light.network_s);
  EXPECT_GT(heavy.iteration_s, light.iteration_s);

  const auto oom = timing(experiment("gemini", {"checkpoint.gpu_buffer_MiB=30000"}));
  EXPECT_EQ(oom.status, "oom");
  EXPECT_DOUBLE_EQ(oom.iteration_s, none.iteration_s);
}

TEST(CheckpointSchedule, SpansFollowTheCollectiveThatOpensThem)
{
  PartitionInputs in;
  in.checkpoint_bytes = 1 << 20;
  in.buffer_bytes     = 1 << 16;
  in.sub_buffers      = 2;
  in.bandwidth_Bps    = 1e9;
  in.copy_Bps         = 1e10;
  // Two profiled iterations of 5 collectives: spans after collectives 0..3, then the trailing one.
  const std::vector<std::vector<double>> spans = {{0.001, 0.5, 0.002, 0.3, 0.01}, {0.001, 0.4, 0.2, 0.35, 0.01}};
  const auto g                                 = make_checkpoint_schedule(Scheme::gemini, in, spans, 0.1, 5, 1e9);
  ASSERT_EQ(g.plan.spans.size(), 2u);
  EXPECT_EQ(g.after_op, (std::vector<int>{1, 3})); // the minimum per position keeps 0.4 and 0.3
  EXPECT_EQ(g.buffers, 2);
  EXPECT_TRUE(g.runs());
  const auto b = make_checkpoint_schedule(Scheme::blocking, in, spans, 0.1, 5, 1e9);
  EXPECT_EQ(b.after_op, (std::vector<int>{-1}));
  const auto n = make_checkpoint_schedule(Scheme::no_pipeline, in, spans, 1.0, 5, 1e9);
  EXPECT_EQ(n.after_op, (std::vector<int>{4})); // nothing kept: after the last collective
  EXPECT_EQ(n.buffers, 1);
  const auto tight = make_checkpoint_schedule(Scheme::gemini, in, spans, 0.1, 5, 1000);
  EXPECT_FALSE(tight.runs());
  EXPECT_EQ(tight.memory.status(), "oom");
}

} // namespace
} // namespace gsim
