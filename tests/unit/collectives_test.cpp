// Ring collectives: the flow model (one flow per ring edge) and its per-step variant against the
// analytic alpha-beta model where nothing contends, and contention where something does.
// One SimGrid Engine per process: every TEST runs in its own process under ctest.
#include "models/config.hpp"
#include "sim/engine/collectives.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace gsim {
namespace {

PlatformSpec spec_of(const std::string& config, int instances)
{
  std::vector<std::string> sets{"instances=" + std::to_string(instances), "checkpoint.scheme=none"}; // platform only
  if (instances == 1)
    sets.insert(sets.end(), {"checkpoint.replicas=1", "failures.simultaneous=1"});
  const auto e    = load_experiment(config, sets);
  const auto& cal = fixture();
  return platform_spec(e, CostModel(cal, e.cluster), 1 << 30);
}

// Simulated seconds for `concurrent` copies of one collective started together.
double simulate(const PlatformSpec& spec, RingFidelity fidelity, CollOp op, double bytes, int concurrent = 1)
{
  sg4::Engine engine("collectives_test");
  configure_network_model();
  Platform platform(spec);
  RingCollectives coll(spec, &platform, CollectiveMode::flow, fidelity);
  double end = 0;
  for (int c = 0; c < concurrent; c++)
    sg4::Actor::create("coll" + std::to_string(c), platform.gpu(0), [&] {
      coll.run(op, bytes);
      end = std::max(end, sg4::Engine::get_clock());
    });
  engine.run();
  return end;
}

double analytic(const PlatformSpec& spec, CollOp op, double bytes)
{
  return RingCollectives(spec, nullptr, CollectiveMode::analytic).analytic_time_s(op, bytes);
}

// The sizes ZeRO-3 moves: a GPT-2 100B layer's fp16 weights (1.6 GB) down to a 64 MiB bucket.
constexpr double kLayerBytes = 1.61e9;
constexpr double kSmall      = 64.0 * (1 << 20);

TEST(Collectives, EdgeFlowsMatchAnalyticOnSixteenP4d)
{
  const auto spec = spec_of("configs/p4d16.json", 16);
  const double a  = analytic(spec, CollOp::all_gather, kLayerBytes);
  const double f  = simulate(spec, RingFidelity::edge_flows, CollOp::all_gather, kLayerBytes);
  EXPECT_NEAR(f / a, 1.0, 0.02) << "flow " << f << " s, analytic " << a << " s";
  // The 4 NICs bound the ring: S (N-1)/N over the instance's 4 NICs, plus 127 steps of the network alpha.
  // The ring reaches its published efficiency there: its bytes count ring_nic_stretch times on the NICs.
  const double by_hand =
      kLayerBytes * 127.0 / 128.0 * spec.ring_nic_stretch / (4 * spec.nic.bandwidth_Bps) + 127 * spec.ring_latency_s;
  EXPECT_NEAR(a / by_hand, 1.0, 1e-9);
}

TEST(Collectives, StepFlowsMatchAnalyticOnFourP4d)
{
  const auto spec = spec_of("configs/p4d16.json", 4);
  const double a  = analytic(spec, CollOp::reduce_scatter, kSmall);
  const double s  = simulate(spec, RingFidelity::step_flows, CollOp::reduce_scatter, kSmall);
  EXPECT_NEAR(s / a, 1.0, 0.03) << "per-step " << s << " s, analytic " << a << " s";
}

TEST(Collectives, EdgeFlowsMatchAnalyticOnFourP3dn)
{
  const auto spec = spec_of("configs/p3dn16.json", 4);
  const double e  = simulate(spec, RingFidelity::edge_flows, CollOp::all_gather, kSmall);
  const double a  = analytic(spec, CollOp::all_gather, kSmall);
  EXPECT_NEAR(e / a, 1.0, 0.02) << "flow " << e << " s, analytic " << a << " s";
  // One 100 Gbps NIC per instance bounds the ring.
  EXPECT_NEAR(a, kSmall * 31 / 32 * spec.ring_nic_stretch / spec.nic.bandwidth_Bps + 31 * spec.ring_latency_s,
              1e-9 * a);
}

TEST(Collectives, StepFlowsMatchAnalyticOnTwoP3dn)
{
  const auto spec = spec_of("configs/p3dn16.json", 2);
  const double a  = analytic(spec, CollOp::all_gather, kLayerBytes);
  const double s  = simulate(spec, RingFidelity::step_flows, CollOp::all_gather, kLayerBytes);
  EXPECT_NEAR(s / a, 1.0, 0.02);
}

TEST(Collectives, InsideOneP4dInstanceNvSwitchBoundsTheRing)
{
  const auto spec = spec_of("configs/p4d16.json", 1);
  const double a  = analytic(spec, CollOp::all_gather, kLayerBytes);
  const double f  = simulate(spec, RingFidelity::edge_flows, CollOp::all_gather, kLayerBytes);
  EXPECT_NEAR(f / a, 1.0, 0.02);
  EXPECT_NEAR(a, kLayerBytes * 7 / 8 / spec.nvlink.bandwidth_Bps + 7 * spec.ring_latency_s, 1e-9 * a);
}

// Two all-gathers at once share the NICs: together they take about twice as long as one (the analytic
// mode, which sees one collective at a time, cannot show this).
TEST(Collectives, ConcurrentCollectivesContendInTheFlowMode)
{
  const auto spec  = spec_of("configs/p4d16.json", 4);
  const double a   = analytic(spec, CollOp::all_gather, kLayerBytes);
  const double two = simulate(spec, RingFidelity::edge_flows, CollOp::all_gather, kLayerBytes, 2);
  const double lat = ring_steps(CollOp::all_gather, spec.gpus()) * spec.ring_latency_s;
  EXPECT_NEAR(two, 2 * (a - lat) + lat, 0.02 * two);
}

} // namespace
} // namespace gsim
