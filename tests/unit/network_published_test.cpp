// The per-cluster EFA files (traces/calibration/published/efa-p4d.json, efa-p3dn.json): the loader, the ring
// alpha-beta fit against the published nccl-tests points, the efficiency per node count as the platform
// and the cost model apply it, and the one-line errors of a bad file.
#include "models/calibration.hpp"
#include "models/config_error.hpp"
#include "models/network_published.hpp"
#include "models/topology.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace gsim;

namespace {

const std::string kPublished = kSourceDir + "/traces/calibration/published/";

const PublishedNetwork& p4d_file()
{
  static const PublishedNetwork n = load_published_network(kPublished + "efa-p4d.json");
  return n;
}
const PublishedNetwork& p3dn_file()
{
  static const PublishedNetwork n = load_published_network(kPublished + "efa-p3dn.json");
  return n;
}

CollOp op_of(const std::string& op)
{
  return op == "all_reduce" ? CollOp::all_reduce : op == "all_gather" ? CollOp::all_gather : CollOp::reduce_scatter;
}

// The ring model recomputed here from the fit's alpha and efficiency, not from the loader's predicted_s.
double ring_time_s(const RingFit& f, const RingPoint& p, double line_rate_Bps)
{
  return ring_steps(op_of(p.op), p.ranks) * f.alpha_s +
         p.size_bytes * bus_factor(op_of(p.op), p.ranks) / (line_rate_Bps * f.efficiency(p.nodes));
}

double line_rate_of(const RingPoint& p)
{
  return p.file.find("efa-p4d") != std::string::npos ? 400e9 / 8 : 100e9 / 8; // the files' instances
}

std::string write_file(const std::string& name, const std::string& text)
{
  const auto dir = std::filesystem::temp_directory_path() / "gsim_network_published_test";
  std::filesystem::create_directories(dir);
  const auto f = dir / name;
  std::ofstream(f) << text;
  return f.string();
}

// A minimal published file around one "ring" body.
std::string with_ring(const std::string& ring)
{
  return R"({"efficiency": 0.85, "efficiency_source": "s", "latency_us": 12.9, "latency_source": "s", "ring": )" +
         ring + "}";
}

const std::string kInstance = R"("instance": {"name": "x", "line_rate_Gbps": 100, "gpus_per_instance": 8})";

// 8-byte all-reduces at 2 and 4 nodes and one 1 GiB point at 4 nodes: busbw 1073741824 x 1.9375 / t.
std::string ring_body(const std::string& extra_point, double max_residual = 0.05)
{
  return "{" + kInstance + R"(, "max_rel_residual": )" + std::to_string(max_residual) + R"(, "points": [
    {"source": "a", "op": "all_reduce", "nodes": 2, "size_bytes": 8, "time_us": 160, "fit": "latency"},
    {"source": "a", "op": "all_reduce", "nodes": 4, "size_bytes": 8, "time_us": 320, "fit": "latency"},
    {"source": "a", "op": "all_reduce", "nodes": 4, "size_bytes": 1073741824, "time_us": 250000, "busbw_GBps": 8.32, "fit": "bandwidth"})" +
         extra_point + "]}";
}

ConfigError error_of(const std::string& text, const std::string& name)
{
  const std::string f = write_file(name, text);
  try {
    load_published_network(f);
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), f);
    return e;
  }
  ADD_FAILURE() << name << " loaded without an error";
  return ConfigError("", "", "");
}

} // namespace

TEST(NetworkPublished, P4dFitReproducesItsFittedPointsWithinTheStatedResidual)
{
  const RingFit& f = p4d_file().ring;
  ASSERT_TRUE(f.fitted);
  EXPECT_GT(f.alpha_s, 1e-6);
  EXPECT_LT(f.alpha_s, 20e-6);
  size_t fitted = 0;
  for (const auto& p : f.points) {
    const double t = ring_time_s(f, p, line_rate_of(p));
    EXPECT_NEAR(t, p.predicted_s, 1e-12 + 1e-9 * t) << p.source;
    if (p.fit == "none")
      continue;
    fitted++;
    EXPECT_LE(std::abs(t - p.time_s) / p.time_s, f.max_rel_residual) << p.source << " " << p.nodes << " nodes";
  }
  EXPECT_EQ(fitted, 5u); // p4d's 3- and 4-node 1 GiB all-reduces, p3dn's three 8-byte latency points
  EXPECT_LE(f.worst_residual, f.max_rel_residual);
}

TEST(NetworkPublished, EfficiencyFallsWithNodesAndIsHeldBeyondTheMeasuredOnes)
{
  const RingFit& f = p4d_file().ring;
  ASSERT_EQ(f.efficiencies.size(), 2u);
  EXPECT_EQ(f.efficiencies.front().first, 3);
  EXPECT_EQ(f.efficiencies.back().first, 4);
  EXPECT_GT(f.efficiency(3), f.efficiency(4)); // NVIDIA/nccl #527: 31.77 -> 29.61 GB/s busbw at 1 GiB
  EXPECT_DOUBLE_EQ(f.efficiency(16), f.efficiency(4));
  EXPECT_DOUBLE_EQ(f.efficiency(2), f.efficiency(3));
  // At 1 GiB the ring's alpha is under 1 % of the time: the node dependence is the efficiency's, which
  // the alpha-beta ring with one efficiency could not produce.
  const double x3 = 1073741824.0 * bus_factor(CollOp::all_reduce, 24) / 50e9;
  EXPECT_NEAR(f.efficiency(3), x3 / (64782e-6 - 46 * f.alpha_s), 1e-9);
}

TEST(NetworkPublished, P3dnMeasuresAlphaAndTransfersP4dsEfficiency)
{
  const RingFit& v = p3dn_file().ring;
  const RingFit& a = p4d_file().ring;
  ASSERT_TRUE(v.fitted);
  EXPECT_DOUBLE_EQ(v.alpha_s, a.alpha_s); // p4d transfers p3dn's alpha
  ASSERT_EQ(v.efficiencies.size(), a.efficiencies.size());
  for (size_t i = 0; i < v.efficiencies.size(); i++)
    EXPECT_DOUBLE_EQ(v.efficiencies[i].second, a.efficiencies[i].second);
  EXPECT_NE(v.efficiency_file.find("efa-p4d.json"), std::string::npos);
  EXPECT_NE(a.alpha_file.find("efa-p3dn.json"), std::string::npos);
  // The 8-byte latencies grow with the ring's steps: 2 -> 8 nodes is 30 -> 126 steps.
  for (const auto& p : v.points) {
    if (p.fit == "latency")
      EXPECT_LE(std::abs(p.residual), v.max_rel_residual) << p.nodes;
  }
}

TEST(NetworkPublished, PlatformAndCostModelApplyTheEfficiencyOfTheRunsNodeCount)
{
  const auto e16 = load_experiment("configs/p4d16.json");
  const auto e3  = load_experiment("configs/p4d16.json", {"instances=3"});
  const CostModel cost(fixture(), e16.cluster);
  const RingFit& f = e16.cluster.network.ring;
  const auto s16   = platform_spec(e16, cost, 1 << 26);
  const auto s3    = platform_spec(e3, cost, 1 << 26);
  // The NIC carries point-to-point traffic at its own efficiency; a ring's bytes are stretched there to the
  // ring efficiency of the run's node count.
  const double p2p = e16.cluster.network.efficiency;
  EXPECT_NEAR(s16.nic.bandwidth_Bps, 12.5e9 * p2p, 1);
  EXPECT_NEAR(s16.nic.bandwidth_Bps / s16.ring_nic_stretch, 12.5e9 * f.efficiency(16), 1);
  EXPECT_NEAR(s3.nic.bandwidth_Bps / s3.ring_nic_stretch, 12.5e9 * f.efficiency(3), 1);
  EXPECT_GT(s16.ring_nic_stretch, s3.ring_nic_stretch); // 4+ nodes reach less of the line rate than 3
  EXPECT_DOUBLE_EQ(s16.ring_latency_s, f.alpha_s);
  const double S = 1e8;
  EXPECT_NEAR(cost.collective_time_s(CollOp::all_gather, S, 128, Fabric::network),
              127 * f.alpha_s + S * 127 / 128 / (50e9 * f.efficiency(16)), 1e-12);
}

TEST(NetworkPublished, AFileWithoutRingKeepsItsOneEfficiency)
{
  const auto n = load_published_network(kPublished + "efa.json");
  EXPECT_FALSE(n.ring.fitted);
  EXPECT_DOUBLE_EQ(n.ring_efficiency(16), n.efficiency);
  EXPECT_DOUBLE_EQ(n.ring_alpha_s(), n.latency_s);
}

TEST(NetworkPublished, AWellFormedSmallFileFits)
{
  const auto n = load_published_network(write_file("ok.json", with_ring(ring_body(""))));
  ASSERT_TRUE(n.ring.fitted);
  EXPECT_NEAR(n.ring.alpha_s, 5.2e-6, 0.1e-6); // 160 us / 30 steps, 320 us / 62 steps
  EXPECT_EQ(n.ring.points.size(), 3u);
}

TEST(NetworkPublished, BadFilesNameTheFileAndTheKey)
{
  auto e = error_of(with_ring(ring_body(R"(,
    {"source": "b", "op": "all_reduce", "nodes": 4, "size_bytes": 1073741824, "time_us": 250000, "busbw_GBps": 9.5, "fit": "bandwidth"})")),
                    "typo.json");
  EXPECT_EQ(e.key(), "ring.points[3].busbw_GBps");
  EXPECT_NE(e.problem().find("transcription"), std::string::npos);

  e = error_of(with_ring(ring_body(R"(,
    {"source": "b", "op": "all_reduce", "nodes": 2, "size_bytes": 8, "time_us": 100, "fit": "none"})")),
               "why.json");
  EXPECT_EQ(e.key(), "ring.points[3].why");

  e = error_of(with_ring(ring_body(R"(,
    {"source": "b", "op": "all_reduce", "nodes": 2, "size_bytes": 8, "time_us": 100, "fit": "latency", "colour": 1})")),
               "unknown.json");
  EXPECT_EQ(e.key(), "ring.points[3].colour");

  e = error_of(with_ring(ring_body("", 0.001)), "residual.json"); // 160 / 30 and 320 / 62 differ by 3 %
  EXPECT_EQ(e.key(), "ring.max_rel_residual");

  e = error_of(with_ring("{" + kInstance + R"(, "max_rel_residual": 0.05, "efficiency_transfer_file": "nowhere.json",
    "efficiency_source": "s", "points": [
    {"source": "a", "op": "all_reduce", "nodes": 2, "size_bytes": 8, "time_us": 160, "fit": "latency"}]})"),
               "transfer.json");
  EXPECT_EQ(e.key(), "ring.efficiency_transfer_file");

  e = error_of(with_ring("{" + kInstance + R"(, "max_rel_residual": 0.05, "points": [
    {"source": "a", "op": "all_reduce", "nodes": 2, "size_bytes": 8, "time_us": 160, "fit": "latency"}]})"),
               "nobw.json");
  EXPECT_EQ(e.key(), "ring.points");

  e = error_of(with_ring("{" + kInstance + R"(, "max_rel_residual": 0.05, "points": []})"), "empty.json");
  EXPECT_EQ(e.key(), "ring.points");
}
