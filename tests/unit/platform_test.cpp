// The SimGrid platform built from the cluster configs: routes cross the links the instance wires, the
// capacities are datasheet x calibrated efficiency, and SimGrid's TCP corrections are off.
// One SimGrid Engine per process: ctest runs every TEST in its own process (gtest_discover_tests).
#include "models/config.hpp"
#include "models/config_error.hpp"
#include "sim/engine/platform.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace gsim {
namespace {

struct Built {
  Experiment e;
  Calibration cal;
  PlatformSpec spec;
};

Built spec_of(const std::string& config, int instances)
{
  // No checkpoint: the platform does not depend on it, and a one- or two-instance p4d's checkpoint would cut
  // into more chunks than a contention-mode run allows (models/config.cpp).
  std::vector<std::string> sets{"instances=" + std::to_string(instances), "checkpoint.scheme=none"};
  if (instances == 1) // one instance holds one replica and survives one failure
    sets.insert(sets.end(), {"checkpoint.replicas=1", "failures.simultaneous=1"});
  Built b{load_experiment(config, sets), fixture(), {}};
  CostModel cost(b.cal, b.e.cluster);
  b.spec = platform_spec(b.e, cost, 1 << 30);
  return b;
}

std::vector<std::string> route_names(const Platform& p, int src, int dst)
{
  std::vector<sg4::Link*> links;
  double latency = 0;
  p.gpu(src)->route_to(p.gpu(dst), links, &latency);
  std::vector<std::string> out;
  for (const auto* l : links)
    out.push_back(l->get_name());
  return out;
}

TEST(Platform, GpusOfOneP4dInstanceTalkOverNvSwitchOnly)
{
  auto b = spec_of("configs/p4d16.json", 2);
  sg4::Engine engine("platform_test");
  configure_network_model();
  Platform p(b.spec);
  const auto r = route_names(p, 1, 6);
  EXPECT_EQ(r, (std::vector<std::string>{"i0-gpu1-nvl_UP", "i0-gpu6-nvl_DOWN"}));
  EXPECT_DOUBLE_EQ(p.link({LinkKind::nvlink, 0, 1, -1, true})->get_bandwidth(), b.spec.nvlink.bandwidth_Bps);
  // 300 GB/s per direction (A100 datasheet) x the calibrated NVLink efficiency, which is below 1.
  EXPECT_LT(b.spec.nvlink.bandwidth_Bps, 300e9);
  EXPECT_GT(b.spec.nvlink.bandwidth_Bps, 100e9);
}

TEST(Platform, GpusOfTwoInstancesTalkThroughTheirNics)
{
  auto b = spec_of("configs/p4d16.json", 2);
  sg4::Engine engine("platform_test");
  configure_network_model();
  Platform p(b.spec);
  // GPU 5 of instance 0 sits on PCIe switch 2 with NIC 2; GPU 0 of instance 1 on switch 0 with NIC 0.
  const auto r = route_names(p, 5, 8);
  EXPECT_EQ(r, (std::vector<std::string>{"i0-gpu5-pcie_UP", "i0-nic2_UP", "i1-nic0_DOWN", "i1-gpu0-pcie_DOWN"}));
  for (const auto& name : r)
    EXPECT_EQ(name.find("nvl"), std::string::npos) << name;
  // 100 Gbps per NIC x the published EFA efficiency.
  EXPECT_LT(b.spec.nic.bandwidth_Bps, 12.5e9);
  EXPECT_GT(b.spec.nic.bandwidth_Bps, 5e9);
}

TEST(Platform, GpuToCpuCrossesPcieAndTheSharedSwitchUplink)
{
  auto b = spec_of("configs/p4d16.json", 1);
  sg4::Engine engine("platform_test");
  configure_network_model();
  Platform p(b.spec);
  std::vector<sg4::Link*> a, c;
  double lat = 0;
  p.gpu(2)->route_to(p.cpu(0), a, &lat);
  p.gpu(3)->route_to(p.cpu(0), c, &lat);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_NE(a[0], c[0]); // each GPU its own x16 link
  EXPECT_EQ(a[1], c[1]); // GPUs 2 and 3 share PCIe switch 1's uplink
  EXPECT_EQ(a[1]->get_name(), "i0-sw1-uplink_UP");
}

TEST(Platform, StorageLinkCarriesTheAggregateStorageBandwidth)
{
  auto b = spec_of("configs/p4d16.json", 2);
  sg4::Engine engine("platform_test");
  configure_network_model();
  Platform p(b.spec);
  std::vector<sg4::Link*> links;
  double lat = 0;
  p.cpu(1)->route_to(p.storage(), links, &lat);
  ASSERT_FALSE(links.empty());
  EXPECT_EQ(links.back()->get_name(), "storage");
  EXPECT_DOUBLE_EQ(links.back()->get_bandwidth(), 20e9 / 8); // 20 Gbps, paper §7.1
}

TEST(Platform, CubeMeshWiresTheDgx1BrickTable)
{
  auto b = spec_of("configs/p3dn16.json", 1);
  sg4::Engine engine("platform_test");
  configure_network_model();
  Platform p(b.spec);
  const auto double_brick = route_names(p, 0, 3);
  ASSERT_EQ(double_brick, (std::vector<std::string>{"i0-nvl0-3_UP"}));
  EXPECT_DOUBLE_EQ(p.link({LinkKind::nvlink, 0, 0, 3, true})->get_bandwidth(), 2 * b.spec.nvlink.bandwidth_Bps);
  EXPECT_EQ(route_names(p, 3, 0), (std::vector<std::string>{"i0-nvl0-3_DOWN"}));
  // GPUs 0 and 5 have no NVLink: through their PCIe switches and the CPU.
  EXPECT_EQ(route_names(p, 0, 5), (std::vector<std::string>{"i0-gpu0-pcie_UP", "i0-sw0-uplink_UP", "i0-sw2-uplink_DOWN",
                                                            "i0-gpu5-pcie_DOWN"}));
}

TEST(Platform, OneNicSharedThroughTheCpuOnP3dn)
{
  auto b = spec_of("configs/p3dn16.json", 2);
  sg4::Engine engine("platform_test");
  configure_network_model();
  Platform p(b.spec);
  EXPECT_EQ(route_names(p, 6, 8),
            (std::vector<std::string>{"i0-gpu6-pcie_UP", "i0-sw3-uplink_UP", "i0-nic0_UP", "i1-nic0_DOWN",
                                      "i1-sw0-uplink_DOWN", "i1-gpu0-pcie_DOWN"}));
}

// CM02 without TCP-gamma and cross-traffic: a transfer takes exactly latency + bytes / bandwidth.
TEST(Platform, ATransferTakesLatencyPlusBytesOverTheBottleneck)
{
  auto b = spec_of("configs/p4d16.json", 2);
  sg4::Engine engine("platform_test");
  configure_network_model();
  Platform p(b.spec);
  const double bytes = 1e9;
  double done        = -1;
  sg4::Actor::create("sender", p.gpu(0), [&] {
    sg4::Comm::sendto(p.gpu(0), p.gpu(9), uint64_t(bytes));
    done = sg4::Engine::get_clock();
  });
  engine.run();
  const double latency = route_latency_s(b.spec, gpu_route(b.spec, 0, 9));
  const double bw      = std::min(b.spec.nic.bandwidth_Bps, b.spec.pcie.bandwidth_Bps);
  EXPECT_NEAR(done, latency + bytes / bw, 1e-9 * done);
}

} // namespace
} // namespace gsim

namespace gsim {
namespace {

Built spec_with(const std::string& config, std::vector<std::string> sets)
{
  sets.push_back("checkpoint.scheme=none"); // as spec_of
  Built b{load_experiment(config, sets), fixture(), {}};
  CostModel cost(b.cal, b.e.cluster);
  b.spec = platform_spec(b.e, cost, 1 << 30);
  return b;
}

// p5.48xlarge: 32 EFA for 8 GPUs, 4 on each GPU's PCIe switch. Each GPU drives a port of its 4 NICs
// (GPUDirect RDMA on its own switch, no uplink), the rings use every port once out and once in, and the
// port carries the 4 NICs' bandwidth, so the rings' bottleneck is the instance's 3200 Gbps, not 1/4 of it.
TEST(Platform, P5RingsSpreadOverEveryGpusNics)
{
  auto b = spec_with("configs/p4d16.json", {"cluster=clusters/p5.json", "instances=2"});
  EXPECT_EQ(b.spec.nic_ports(), 8);
  EXPECT_EQ(b.spec.nics_per_port(), 4);
  EXPECT_TRUE(b.spec.nic_on_gpu_switch());
  const Route r = gpu_route(b.spec, 3, 8 + 4); // GPU 3 of instance 0 to GPU 4 of instance 1
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(link_name(r[1]), "i0-nic3");
  EXPECT_EQ(link_name(r[2]), "i1-nic4");
  EXPECT_NEAR(link_params(b.spec, r[1]).bandwidth_Bps, 4 * b.spec.nic.bandwidth_Bps, 1e-6);
  const Rings rings = make_rings(b.spec);
  ASSERT_EQ(rings.channels.size(), 8u);
  std::vector<int> out(8, 0), in(8, 0); // per port: channels leaving and entering instance 0
  for (const auto& ring : rings.channels) {
    ASSERT_EQ(ring.size(), 16u);
    for (size_t p = 0; p < ring.size(); p++) {
      const int a = ring[p], c = ring[(p + 1) % ring.size()];
      if (a / 8 == 0 && c / 8 == 1)
        out[size_t(b.spec.nic_of(a % 8))]++;
      if (a / 8 == 1 && c / 8 == 0)
        in[size_t(b.spec.nic_of(c % 8))]++;
    }
  }
  EXPECT_EQ(out, std::vector<int>(8, 1));
  EXPECT_EQ(in, std::vector<int>(8, 1));
  sg4::Engine engine("platform_test");
  configure_network_model();
  Platform p(b.spec);
  EXPECT_EQ(route_names(p, 3, 12),
            (std::vector<std::string>{"i0-gpu3-pcie_UP", "i0-nic3_UP", "i1-nic4_DOWN", "i1-gpu4-pcie_DOWN"}));
}

// More NICs than GPUs used to leave rings with no GPU (a crash); one GPU per instance, too.
TEST(Platform, OneGpuInstancesAndSixteenNicsWire)
{
  auto b = spec_with("configs/p4d16.json", {"cluster.nic.count=16"});
  EXPECT_EQ(make_rings(b.spec).channels.size(), 8u);
  auto one      = spec_with("configs/p4d16.json", {"cluster.gpus_per_instance=1", "cluster.pcie.gpus_per_switch=1"});
  const Rings r = make_rings(one.spec);
  ASSERT_EQ(r.channels.size(), 1u);
  EXPECT_EQ(r.channels[0].size(), 16u);
  EXPECT_THROW(spec_with("configs/p4d16.json", {"cluster.nic.count=12"}), ConfigError);
}

} // namespace
} // namespace gsim
