// Transfer of the fixture's curves to the p4d (A100) and p3dn (V100) targets.
#include "models/calibration.hpp"
#include "models/config_error.hpp"
#include "models/network_published.hpp"
#include "models/transformer.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace gsim;

namespace {
const ClusterSpec& p4d()
{
  static const ClusterSpec c = load_cluster("configs/clusters/p4d.json");
  return c;
}
const ClusterSpec& p3dn()
{
  static const ClusterSpec c = load_cluster("configs/clusters/p3dn.json");
  return c;
}
const ClusterSpec& h200()
{
  static const ClusterSpec c = load_cluster("configs/clusters/h200.json");
  return c;
}
double fixture_gemm_efficiency(const GemmShape& g) // the law make_fixture.py wrote
{
  return 0.8 * g.flops() / (g.flops() + 2e10);
}
} // namespace

TEST(BusFactor, MatchesNcclTestsDefinitions)
{
  // nccl-tests doc/PERFORMANCE.md
  EXPECT_DOUBLE_EQ(bus_factor(CollOp::all_reduce, 8), 2.0 * 7 / 8);
  EXPECT_DOUBLE_EQ(bus_factor(CollOp::all_gather, 8), 7.0 / 8);
  EXPECT_DOUBLE_EQ(bus_factor(CollOp::reduce_scatter, 16), 15.0 / 16);
  EXPECT_DOUBLE_EQ(bus_factor(CollOp::all_reduce, 2), 1.0);
  EXPECT_DOUBLE_EQ(bus_factor(CollOp::send_recv, 2), 1.0);
  EXPECT_DOUBLE_EQ(bus_factor(CollOp::all_gather, 1), 0.0);
  EXPECT_EQ(ring_steps(CollOp::all_reduce, 8), 14);
  EXPECT_EQ(ring_steps(CollOp::all_gather, 8), 7);
  EXPECT_EQ(ring_steps(CollOp::send_recv, 8), 1);
  EXPECT_THROW(bus_factor(CollOp::all_gather, 0), std::invalid_argument);
}

TEST(CostModel, GemmEfficiencyIsExactOnMeasuredShapesAndBoundedElsewhere)
{
  CostModel m(fixture(), h200()); // on the measuring GPU: the interpolation alone (no ceiling ratio)
  GemmShape measured{"g", 2048, 8192, 1024, 1};
  EXPECT_NEAR(m.gemm_efficiency(measured, Dtype::fp16), fixture_gemm_efficiency(measured), 0.003);
  // Far outside the measured set: never above the best measured or below the worst measured shape.
  for (GemmShape g : {GemmShape{"huge", 65536, 65536, 65536, 1}, GemmShape{"tiny", 8, 8, 8, 1}}) {
    const double e = m.gemm_efficiency(g, Dtype::fp16);
    EXPECT_LE(e, fixture_gemm_efficiency({"", 8192, 8192, 8192, 1}) + 1e-3);
    EXPECT_GE(e, fixture_gemm_efficiency({"", 512, 1024, 1024, 1}) - 1e-3);
  }
}

TEST(CostModel, GemmTransferScalesByTheDatasheetPeakAndThePublishedCeilingRatio)
{
  CostModel a100(fixture(), p4d()), v100(fixture(), p3dn()), h(fixture(), h200());
  // A100 and H200 have published matmul ceilings, V100 none: A100's efficiency is H200's times the ceiling
  // ratio, V100's is H200's unchanged, the measuring GPU's own is its measurement.
  ASSERT_GT(p4d().gpu.matmul_ceiling, 0);
  ASSERT_GT(h200().gpu.matmul_ceiling, 0);
  ASSERT_EQ(p3dn().gpu.matmul_ceiling, 0);
  const double ceiling_ratio = p4d().gpu.matmul_ceiling / h200().gpu.matmul_ceiling;
  EXPECT_DOUBLE_EQ(a100.gemm_ceiling_ratio(), ceiling_ratio);
  EXPECT_DOUBLE_EQ(v100.gemm_ceiling_ratio(), 1.0);
  EXPECT_DOUBLE_EQ(h.gemm_ceiling_ratio(), 1.0);
  for (const auto& g : layer_forward_gemms(load_model("configs/models/gpt2-100b.json"), 8, 512)) {
    const double ta = a100.gemm_time_s(g, Dtype::fp16), tv = v100.gemm_time_s(g, Dtype::fp16);
    EXPECT_NEAR(tv / ta, 312.0 / 125.0 * ceiling_ratio, 1e-9) << g.label;
    EXPECT_NEAR(a100.gemm_efficiency(g, Dtype::fp16), h.gemm_efficiency(g, Dtype::fp16) * ceiling_ratio, 1e-12);
    // On the measuring GPU itself the time is the measured (interpolated) efficiency at 989 TFLOPS.
    EXPECT_NEAR(h.gemm_time_s(g, Dtype::fp16), g.flops() / (989e12 * h.gemm_efficiency(g, Dtype::fp16)), 1e-12);
  }
  GemmShape g{"g", 8192, 8192, 8192, 1};
  EXPECT_NO_THROW(a100.gemm_time_s(g, Dtype::bf16));
  EXPECT_THROW(v100.gemm_time_s(g, Dtype::bf16), ConfigError); // V100 has no bf16
  EXPECT_THROW(a100.gemm_time_s(g, Dtype::fp32), ConfigError); // nothing measured in fp32
}

TEST(CostModel, CopiesKeepTheirPcieEfficiencyOnTheTarget)
{
  CostModel a100(fixture(), p4d()), h(fixture(), h200());
  const double bytes = 256e6;
  // H200 itself: the measured law back.
  EXPECT_NEAR(h.copy_time_s(bytes, CopyDir::d2h, true), 5e-6 + bytes / 55e9, 0.01 * (5e-6 + bytes / 55e9));
  // A100 on PCIe 4: the same 55/63 efficiency of 31.5 GB/s, same latency.
  const double expect = 5e-6 + bytes / (55e9 * 31.5 / 63);
  EXPECT_NEAR(a100.copy_time_s(bytes, CopyDir::d2h, true), expect, 0.01 * expect);
  EXPECT_NEAR(a100.link_efficiency(Fabric::pcie, bytes), 55.0 / 63, 0.01);
  EXPECT_NEAR(a100.link_latency_s(Fabric::pcie), 5e-6, 0.05e-6);
  EXPECT_GT(a100.copy_time_s(bytes, CopyDir::d2h, false), a100.copy_time_s(bytes, CopyDir::d2h, true));
}

TEST(CostModel, MemoryTimeScalesByHbmBandwidth)
{
  CostModel a100(fixture(), p4d()), h(fixture(), h200());
  const double traffic = 1e9; // bytes through HBM (the benchmarks' bytes counter: a 0.5 GB device copy)
  EXPECT_NEAR(h.memory_time_s(traffic), 3e-6 + traffic / 4320e9, 1e-5);
  const double expect = 3e-6 + traffic / (4320e9 * 1555.0 / 4800);
  EXPECT_NEAR(a100.memory_time_s(traffic), expect, 0.01 * expect);
}

TEST(CostModel, NvlinkCollectivesFollowTheRingFormula)
{
  CostModel a100(fixture(), p4d()), h(fixture(), h200());
  const double S = 64.0 * 1024 * 1024;
  // On the measuring pair itself the all-gather is the measured law.
  EXPECT_NEAR(h.collective_time_s(CollOp::all_gather, S, 2, Fabric::nvlink), 10e-6 + S / 720e9, 0.01 * S / 720e9);
  // On 8 A100s: alpha per step x 7 steps + S x 7/8 / (300 GB/s x 360/450 busbw efficiency).
  const double expect = 10e-6 * 7 + S * 7 / 8 / (300e9 * 0.8);
  EXPECT_NEAR(a100.collective_time_s(CollOp::all_gather, S, 8, Fabric::nvlink), expect, 0.01 * expect);
  const double ar = 15e-6 / 2 * 14 + S * 14 / 8 / (300e9 * 340.0 / 450);
  EXPECT_NEAR(a100.collective_time_s(CollOp::all_reduce, S, 8, Fabric::nvlink), ar, 0.01 * ar);
  EXPECT_EQ(a100.collective_time_s(CollOp::all_gather, S, 1, Fabric::nvlink), 0);
  EXPECT_NEAR(a100.link_efficiency(Fabric::nvlink, S), 380.0 / 450, 0.01);
  EXPECT_NEAR(a100.link_latency_s(Fabric::nvlink), 8e-6, 0.1e-6);
}

TEST(CostModel, NetworkUsesThePublishedRingFit)
{
  CostModel a100(fixture(), p4d()), v100(fixture(), p3dn()), h(fixture(), h200());
  const auto& net = p4d().network; // configs/clusters/p4d.json nic.efficiency_file: a fitted nccl-tests ring
  ASSERT_TRUE(net.ring.fitted);
  EXPECT_GT(net.efficiency, 0);
  EXPECT_LE(net.efficiency, 1);
  EXPECT_FALSE(net.efficiency_source.empty());
  EXPECT_FALSE(net.latency_source.empty());
  const double S  = 1e9;
  const double ta = a100.collective_time_s(CollOp::all_gather, S, 16, Fabric::network); // 2 instances
  EXPECT_NEAR(ta, net.ring.alpha_s * 15 + S * 15 / 16 / (50e9 * net.ring.efficiency(2)), 1e-9);
  // p3dn has a quarter of p4d's instance bandwidth and the same (transferred) efficiency per node count.
  const double tv = v100.collective_time_s(CollOp::all_gather, S, 16, Fabric::network);
  const double av = p3dn().network.ring.alpha_s * 15;
  EXPECT_NEAR((tv - av) / (ta - net.ring.alpha_s * 15), 4.0, 1e-9);
  EXPECT_THROW(h.collective_time_s(CollOp::all_gather, S, 2, Fabric::network), ConfigError); // no NIC
}

TEST(CostModel, ProvenanceNamesFilesSeriesAndDatasheetNumbers)
{
  CostModel v100(fixture(), p3dn());
  std::string all;
  for (const auto& line : v100.provenance())
    all += line + "\n";
  EXPECT_NE(all.find("gemm.json gemm_fp16"), std::string::npos) << all;
  EXPECT_NE(all.find("125 TFLOPS"), std::string::npos) << all;
  EXPECT_NE(all.find("configs/clusters/p3dn.json"), std::string::npos) << all;
  EXPECT_NE(all.find("no bf16"), std::string::npos) << all;
  EXPECT_NE(all.find("efa-p3dn.json"), std::string::npos) << all;
  EXPECT_NE(all.find("network ring collectives"), std::string::npos) << all;
  EXPECT_NE(all.find("all_gather ranks=2"), std::string::npos) << all;
}

TEST(CostModel, OneGpuCalibrationPricesNvlinkFromThePublishedRingEfficiency)
{
  // Only 1-GPU NCCL data: NVLink is priced from traces/calibration/published/nvlink.json, and the
  // provenance says so rather than passing it off as a measurement.
  const auto dir = std::filesystem::temp_directory_path() / "gsim-calib-1gpu";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "nccl.json")
      << R"({"context": {"gpu_name": "NVIDIA H200", "gpu_count": "1"}, "benchmarks": [)"
         R"({"name": "all_gather/bytes:1024/ranks:1", "real_time": 5, "time_unit": "us", "bytes": 1024, "ranks": 1},)"
         R"({"name": "all_gather/bytes:4096/ranks:1", "real_time": 6, "time_unit": "us", "bytes": 4096, "ranks": 1}]})";
  const auto cal = Calibration::load(dir.string());
  std::filesystem::remove_all(dir);
  const ClusterSpec target = p4d();
  CostModel m(cal, target);
  const auto& nv = target.nvlink; // intra_node.efficiency_file
  EXPECT_GT(nv.efficiency, 0.5);
  EXPECT_LT(nv.efficiency, 1.0);
  const double S      = 64e6;
  const double expect = 7 * nv.latency_s + S * 7.0 / 8.0 / (target.intra_Bps * nv.efficiency);
  EXPECT_NEAR(m.collective_time_s(CollOp::all_gather, S, 8, Fabric::nvlink), expect, 1e-9 * expect);
  EXPECT_DOUBLE_EQ(m.link_efficiency(Fabric::nvlink, S), nv.efficiency);
  EXPECT_DOUBLE_EQ(m.link_latency_s(Fabric::nvlink), nv.latency_s);
  bool said = false;
  for (const auto& line : m.provenance())
    said = said || (line.find("no 2-GPU NCCL measurement") != std::string::npos &&
                    line.find("nvlink.json") != std::string::npos);
  EXPECT_TRUE(said);
}
