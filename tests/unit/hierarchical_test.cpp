// run.collectives=hierarchical against run.collectives=flow: the same collectives, the same checkpoint traffic,
// with only the ring edges that cross PCIe or a NIC posted as SimGrid flows. Held to 1 % of flow mode alone, under
// contention, and over whole GEMINI replays of the shipped configs that flow mode can replay in seconds.
// One SimGrid Engine per process: every simulation runs in a forked child.
#include "models/config.hpp"
#include "sim/engine/collectives.hpp"
#include "sim/engine/zero3_replay.hpp"
#include "sim/sweep/child_process.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace gsim {
namespace {

PlatformSpec spec_of(const std::string& config, int instances)
{
  const auto e = load_experiment(config, {"instances=" + std::to_string(instances)});
  return platform_spec(e, CostModel(fixture(), e.cluster), 1 << 30);
}

constexpr double kLayerBytes = 1.61e9; // a GPT-2 100B layer's fp16 weights

// Simulated seconds of one all-gather of `bytes` in `mode`, with, when `rival_bytes` > 0, every GPU sending
// that many bytes to the same GPU of the next instance, from `rival_start_s` on (a checkpoint send's pattern: it
// shares the PCIe links and NICs of the ring's crossing edges). `tracked`: the collective and the rival say when
// they are on the network (sim/engine/network_activity.hpp), so that the hierarchical mode's collective starts
// analytic and turns into flows when the rival starts. Prints the collective's end, the rival's end and the flows
// one collective posts.
struct Rival {
  double bytes   = 0;
  double start_s = 0;
};
std::string collective_in_child(const PlatformSpec& spec, CollectiveMode mode, Rival rival, bool tracked)
{
  return run_in_child([&] {
    sg4::Engine engine("hierarchical_test");
    configure_network_model();
    const Platform platform(spec);
    NetworkActivity network;
    RingCollectives coll(spec, &platform, mode);
    if (tracked)
      coll.set_network(&network);
    double end = 0, rival_end = 0;
    sg4::Actor::create("coll", platform.gpu(0), [&] {
      coll.run(CollOp::all_gather, kLayerBytes);
      end = sg4::Engine::get_clock();
    });
    if (rival.bytes > 0)
      sg4::Actor::create("rival", platform.gpu(0), [&] {
        sg4::this_actor::sleep_for(rival.start_s);
        const NetworkActivity::Use on_network(tracked ? &network : nullptr);
        std::vector<sg4::CommPtr> flows;
        for (int r = 0; r < spec.gpus(); r++)
          flows.push_back(sg4::Comm::sendto_async(
              platform.gpu(r), platform.gpu((r + spec.gpus_per_instance) % spec.gpus()), uint64_t(rival.bytes)));
        sg4::Comm::wait_all(flows);
        rival_end = sg4::Engine::get_clock();
      });
    engine.run();
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.17g %.17g %zu", end, rival_end, coll.flows_per_collective());
    return std::string(buf);
  });
}

struct Timed {
  double seconds = 0;
  double rival_s = 0;
  size_t flows   = 0;
};
Timed collective(const PlatformSpec& spec, CollectiveMode mode, Rival rival = {}, bool tracked = false)
{
  Timed t;
  const auto text = collective_in_child(spec, mode, rival, tracked);
  EXPECT_EQ(std::sscanf(text.c_str(), "%lf %lf %zu", &t.seconds, &t.rival_s, &t.flows), 3) << text;
  return t;
}

void expect_collectives_match(const std::string& config)
{
  const auto spec = spec_of(config, 16);
  const Timed f = collective(spec, CollectiveMode::flow), h = collective(spec, CollectiveMode::hierarchical);
  EXPECT_NEAR(h.seconds / f.seconds, 1.0, 0.01) << "flow " << f.seconds << " s, hierarchical " << h.seconds << " s";
  // Only the crossing edges are flows: one per NIC port and instance.
  EXPECT_EQ(h.flows, size_t(spec.instances * spec.nic_ports()));
  EXPECT_LT(h.flows, f.flows);
  // Under a rival send on every GPU's PCIe link and NIC, both slow down by the same amount.
  const double rival = kLayerBytes / spec.gpus_per_instance;
  const Timed fc     = collective(spec, CollectiveMode::flow, {rival, 0}),
              hc     = collective(spec, CollectiveMode::hierarchical, {rival, 0});
  EXPECT_GT(fc.seconds, 1.2 * f.seconds) << "the rival traffic must contend for this test to mean anything";
  EXPECT_NEAR(hc.seconds / fc.seconds, 1.0, 0.01) << "flow " << fc.seconds << " s, hierarchical " << hc.seconds << " s";
}

TEST(Hierarchical, CollectiveMatchesFlowOnSixteenP4d)
{
  expect_collectives_match("configs/p4d16.json");
}

TEST(Hierarchical, CollectiveMatchesFlowOnSixteenP3dn)
{
  expect_collectives_match("configs/p3dn16.json");
}

// The lazy collective: alone, the analytic answer without a flow; a rival send starting half-way through turns
// its bytes not yet moved into flows at that instant, and both it and the rival then end as in the flow mode.
void expect_lazy_matches_flow(const std::string& config)
{
  const auto spec = spec_of(config, 16);
  const double analytic =
      RingCollectives(spec, nullptr, CollectiveMode::analytic).analytic_time_s(CollOp::all_gather, kLayerBytes);
  const Timed alone = collective(spec, CollectiveMode::hierarchical, {}, true);
  EXPECT_DOUBLE_EQ(alone.seconds, analytic);
  const Timed f         = collective(spec, CollectiveMode::flow);
  const Rival half_way  = {kLayerBytes / spec.gpus_per_instance, 0.5 * f.seconds};
  const Timed fc        = collective(spec, CollectiveMode::flow, half_way, true),
              lazy      = collective(spec, CollectiveMode::hierarchical, half_way, true),
              untracked = collective(spec, CollectiveMode::hierarchical, half_way, false);
  EXPECT_GT(fc.seconds, 1.1 * f.seconds)
      << "the rival must contend with the second half for this test to mean anything";
  EXPECT_NEAR(lazy.seconds / fc.seconds, 1.0, 0.01) << "flow " << fc.seconds << " s, lazy " << lazy.seconds << " s";
  EXPECT_NEAR(lazy.rival_s / fc.rival_s, 1.0, 0.01)
      << "rival: flow " << fc.rival_s << " s, lazy " << lazy.rival_s << " s";
  // The same as posting every flow from the start (the hierarchical mode without a tracker).
  EXPECT_NEAR(lazy.seconds / untracked.seconds, 1.0, 0.01);
  // A rival that starts after the collective's analytic end meets no collective: nothing converts.
  const Timed late = collective(spec, CollectiveMode::hierarchical, {half_way.bytes, 1.01 * analytic}, true);
  EXPECT_DOUBLE_EQ(late.seconds, analytic);
}

TEST(Hierarchical, LazyCollectiveTurnsIntoFlowsMidwayOnSixteenP4d)
{
  expect_lazy_matches_flow("configs/p4d16.json");
}

TEST(Hierarchical, LazyCollectiveTurnsIntoFlowsMidwayOnSixteenP3dn)
{
  expect_lazy_matches_flow("configs/p3dn16.json");
}

// One profiled and one checkpointed iteration; prints the checkpointed iteration's time, its checkpoint's
// time on the communication stream, and when its last chunk landed in CPU memory (from the iteration start).
std::string gemini_run(const std::string& config, const std::string& mode)
{
  const auto e =
      load_experiment(config, {"run.collectives=" + mode, "checkpoint.profile_iterations=1", "run.iterations=1"});
  return run_in_child([&] {
    const auto r =
        replay_zero3(e, CostModel(shipped(), e.cluster)); // the CLI's calibration: every model has its kernels
    if (r.checkpoint.iterations.empty())
      return std::string("no checkpointed iteration");
    const auto& c = r.checkpoint.iterations.back();
    char buf[128];
    std::snprintf(buf, sizeof buf, "%.9f %.9f %.9f", c.end - c.start, c.network_s, c.in_cpu - c.start);
    return std::string(buf);
  });
}

void expect_runs_match(const std::string& config)
{
  double f[3] = {}, h[3] = {};
  const auto ft = gemini_run(config, "flow"), ht = gemini_run(config, "hierarchical");
  ASSERT_EQ(std::sscanf(ft.c_str(), "%lf %lf %lf", &f[0], &f[1], &f[2]), 3) << ft;
  ASSERT_EQ(std::sscanf(ht.c_str(), "%lf %lf %lf", &h[0], &h[1], &h[2]), 3) << ht;
  const char* what[3] = {"iteration time", "checkpoint network time", "checkpoint in CPU memory"};
  for (int i = 0; i < 3; i++) {
    ASSERT_GT(f[i], 0) << what[i];
    EXPECT_NEAR(h[i] / f[i], 1.0, 0.01) << what[i] << ": flow " << f[i] << " s, hierarchical " << h[i] << " s";
  }
}

TEST(Hierarchical, GeminiRunMatchesFlowOnSixteenP4d)
{
  expect_runs_match("configs/p4d16.json");
}

TEST(Hierarchical, GeminiRunMatchesFlowOnSixteenP3dn)
{
  expect_runs_match("configs/p3dn16.json");
}

TEST(Hierarchical, GeminiRunMatchesFlowOnFourP3dn)
{
  expect_runs_match("configs/bert5b-p3dn4.json");
}

TEST(Hierarchical, GeminiRunMatchesFlowOnSixteenP5)
{
  expect_runs_match("configs/llama3-70b-p5x16.json");
}

} // namespace
} // namespace gsim
