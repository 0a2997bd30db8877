// Peers inside one instance (checkpoint.peers = same_instance, issue 11): a one-host box checkpoints GPU i ->
// GPU j over NVLink. The peer map stays inside each instance; the config refuses more copies than GPUs; the
// traffic replays in both fidelities and never touches a NIC; recovery counts the instance as holding the
// only copies (an instance failure takes them all), so a hardware failure goes back to storage.
#include "models/failure_economics.hpp"
#include "models/placement.hpp"
#include "models/topology.hpp"
#include "sim/engine/checkpoint_traffic.hpp"
#include "sim/engine/zero3_replay.hpp"
#include "sim/sweep/child_process.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace gsim {
namespace {

const std::string kBox = "configs/validation/gem-gpt-350m.ckpt.json"; // 1 x 2 H200, no NIC

Experiment in_host(const std::string& config, int replicas, std::vector<std::string> sets = {})
{
  sets.push_back("checkpoint.replicas=" + std::to_string(replicas));
  sets.push_back("checkpoint.peers=\"same_instance\"");
  sets.push_back("checkpoint.profile_iterations=2");
  sets.push_back("run.iterations=2");
  return load_experiment(config, sets);
}

TEST(InHostPeers, TheConfigBoundsCopiesByTheInstancesGpus)
{
  const auto e = in_host(kBox, 2);
  EXPECT_EQ(e.checkpoint.peers, PeerScope::same_instance);
  EXPECT_EQ(e.checkpoint.instance_replicas(), 1);
  const auto too_many = load_error(kBox, {"checkpoint.replicas=3", "checkpoint.peers=\"same_instance\""});
  EXPECT_NE(too_many.find("checkpoint.replicas"), std::string::npos) << too_many;
  EXPECT_NE(too_many.find("2 GPUs of an instance"), std::string::npos) << too_many;
  // Across instances a one-host box has no peer; the error says where one is.
  const auto across = load_error(kBox, {"checkpoint.replicas=2"});
  EXPECT_NE(across.find("same_instance"), std::string::npos) << across;
  const auto bad = load_error(kBox, {"checkpoint.peers=\"same_host\""});
  EXPECT_NE(bad.find("checkpoint.peers"), std::string::npos) << bad;
}

TEST(InHostPeers, EachGpusPeersAreDistinctGpusOfItsOwnInstance)
{
  PlatformSpec spec;
  spec.instances         = 3;
  spec.gpus_per_instance = 4;
  const auto peers       = checkpoint_peers(spec, 4, {PlacementKind::mixed, PeerScope::same_instance});
  ASSERT_EQ(peers.size(), 3u);
  for (int r = 0; r < spec.gpus(); r++) {
    std::vector<int> seen = {r};
    for (const auto& copy : peers) {
      const int q = copy.at(size_t(r));
      EXPECT_EQ(q / spec.gpus_per_instance, r / spec.gpus_per_instance) << "rank " << r;
      seen.push_back(q);
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "rank " << r << " repeats a holder";
  }
  for (const auto& copy : peers) { // every GPU receives exactly one chunk stream per copy
    std::map<int, int> received;
    for (int q : copy)
      received[q]++;
    EXPECT_EQ(received.size(), size_t(spec.gpus()));
  }
}

// The partition prices the NVLink send (not the absent NIC), every byte of the peer copy lands once, and the
// flow fidelity's sends take about the NVLink time: bytes never crossed a NIC the box does not have.
std::string replay_check(const std::string& mode)
{
  const auto e = in_host(kBox, 2, {"run.collectives=\"" + mode + "\""});
  return run_in_child([&] {
    const auto r  = replay_zero3(e, CostModel(fixture(), e.cluster));
    const auto& c = r.checkpoint;
    if (not c.schedule.runs())
      return std::string("the schedule does not run: ") + c.schedule.memory.status();
    const auto& in = c.schedule.inputs;
    if (not(in.bandwidth_Bps > 0) || in.replicas != 2)
      return std::string("no NVLink bandwidth in the partition");
    int64_t sent = 0;
    for (const auto& ch : c.chunks) {
      if (not(ch.in_cpu >= ch.sent_end))
        return std::string("a peer chunk never reached the peer's CPU memory");
      sent += ch.bytes;
    }
    if (sent != int64_t(c.iterations.size()) * in.checkpoint_bytes)
      return "sent " + std::to_string(sent) + " bytes";
    for (const auto& ch : c.chunks) {
      const double nvlink_s = in.alpha_s + double(ch.bytes) / in.bandwidth_Bps;
      const double took     = ch.sent_end - ch.sent_start;
      if (took > 1.5 * nvlink_s + 1e-4)
        return "a chunk took " + std::to_string(took) + " s, NVLink prices it at " + std::to_string(nvlink_s) + " s";
    }
    return std::string("ok");
  });
}

TEST(InHostPeers, TheCopiesReplayOverNvlinkAnalytic)
{
  EXPECT_EQ(replay_check("analytic"), "ok");
}

TEST(InHostPeers, TheCopiesReplayOverNvlinkFlow)
{
  EXPECT_EQ(replay_check("flow"), "ok");
}

TEST(InHostPeers, AnInstanceFailureLosesEveryCopy)
{
  const auto e = in_host("configs/p4d16.json", 2);
  EXPECT_EQ(make_placement(e.instances, e.checkpoint.instance_replicas(), e.checkpoint.placement).holders[3],
            std::vector<int>{3});
  const auto in = economics_inputs(e, 30);
  EXPECT_EQ(in.replicas, 1);
  const auto gemini   = system_economics(System::gemini, in);
  const auto other    = load_experiment("configs/p4d16.json", {"checkpoint.replicas=2"});
  const auto across   = system_economics(System::gemini, economics_inputs(other, 30));
  const double upload = in.checkpoint_bytes / in.storage_Bps;
  // Software failures restore from the instance's own CPU memory either way.
  EXPECT_EQ(gemini.software.lost_progress_s, across.software.lost_progress_s);
  // A hardware failure with no copy elsewhere redoes the training since GEMINI's last storage checkpoint.
  EXPECT_DOUBLE_EQ(gemini.hardware.retrieval_s, upload);
  EXPECT_GT(gemini.hardware.lost_progress_s, 10 * across.hardware.lost_progress_s);
}

} // namespace
} // namespace gsim
