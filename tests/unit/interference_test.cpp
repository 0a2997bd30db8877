// Interference between the compute stream and NCCL work (models/interference.hpp) and how the replay prices
// it (sim/engine/gpu_contention.hpp): the measured medians are read, two activities that overlap stretch by
// the measured ratios on the overlapping part only, nothing changes without overlap or without measurements.
#include "models/config_error.hpp"
#include "models/interference.hpp"
#include "sim/engine/gpu_contention.hpp"
#include "sim/engine/zero3_replay.hpp"
#include "sim/report/summary.hpp"
#include "sim/sweep/child_process.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace gsim {
namespace {

namespace fs = std::filesystem;

// The median over the repetitions of `counter` for the benchmark named `name`, read from the file itself.
double median_in_file(const std::string& file, const std::string& name, const std::string& counter)
{
  std::ifstream in(file);
  const auto j = nlohmann::json::parse(in);
  std::vector<double> v;
  for (const auto& b : j["benchmarks"])
    if (b["name"] == name && b.value("run_type", "") == "iteration")
      v.push_back(b[counter].get<double>());
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

TEST(InterferenceModel, ReadsTheNcclSeriesMediansOfTheShippedCalibration)
{
  const auto m = interference_model(shipped());
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->gemm);
  EXPECT_EQ(m->gemm->series, "interference_gemm ranks=2"); // real NCCL, not the 1-GPU device-copy stand-in
  const std::string file = kSourceDir + "/traces/calibration/h200/interference.json";
  EXPECT_DOUBLE_EQ(m->gemm->comm, median_in_file(file, "interference_gemm/ranks:2/manual_time", "slowdown_comm"));
  EXPECT_DOUBLE_EQ(m->gemm->other, median_in_file(file, "interference_gemm/ranks:2/manual_time", "slowdown_other"));
  ASSERT_TRUE(m->d2h);
  EXPECT_DOUBLE_EQ(m->d2h->other, median_in_file(file, "interference_d2h/ranks:2/manual_time", "slowdown_other"));
  EXPECT_NE(m->describe().find("traces/calibration/h200/interference.json"), std::string::npos) << m->describe();
}

TEST(InterferenceModel, AbsentWithoutInterferenceSeries)
{
  EXPECT_FALSE(interference_model(fixture()));
}

// Every bit of a double: hexadecimal floating point, read back by sscanf's %la.
std::string exact(double v)
{
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

// A compute step of `compute_s` from t = 0 and NCCL work of `comm_s` from `comm_at`, on one GPU of speed 1e15
// (a GPU's order of magnitude). Returns "compute_end comm_end".
std::string overlap(const std::optional<Interference>& m, double compute_s, double comm_s, double comm_at)
{
  return run_in_child([&] {
    sg4::Engine engine("interference-test");
    auto* zone     = sg4::create_full_zone("world");
    sg4::Host* gpu = zone->create_host("gpu", 1e15);
    zone->seal();
    const GpuContention c(m, gpu);
    double ends[2] = {0, 0};
    sg4::Actor::create("compute", gpu, [&] {
      c.compute(compute_s);
      ends[0] = sg4::Engine::get_clock();
    });
    sg4::Actor::create("comm", gpu, [&] {
      sg4::this_actor::sleep_for(comm_at);
      c.comm(comm_s);
      ends[1] = sg4::Engine::get_clock();
    });
    engine.run();
    return exact(ends[0]) + " " + exact(ends[1]);
  });
}

std::pair<double, double> ends_of(const std::string& text)
{
  double a = -1, b = -1;
  EXPECT_EQ(std::sscanf(text.c_str(), "%la %la", &a, &b), 2) << text;
  return {a, b};
}

Interference measured(double comm, double other)
{
  Interference m;
  m.gemm = OverlapSlowdown{"interference_gemm ranks=2", "synthetic", comm, other, 5};
  return m;
}

TEST(GpuContention, OverlapStretchesBothByTheMeasuredRatios)
{
  // Compute 1 s from 0, NCCL 0.5 s from 0, so = 1.5, sc = 2: the collective runs at 1/2 and ends at 1 s, the
  // kernels have done 1/1.5 of their work by then and finish the remaining 1/3 s alone.
  const auto [compute_end, comm_end] = ends_of(overlap(measured(2.0, 1.5), 1.0, 0.5, 0.0));
  EXPECT_NEAR(comm_end, 1.0, 1e-9);
  EXPECT_NEAR(compute_end, 1.0 + (1.0 - 1.0 / 1.5), 1e-9);
}

TEST(GpuContention, PartialOverlapStretchesOnlyTheOverlap)
{
  // NCCL 0.2 s from 0.9 s: compute runs alone until 0.9 s, then at 1/1.5 with 0.1 s of work left (0.15 s
  // together, to 1.05 s); the collective did 0.15 / 2 by then and finishes its 0.125 s left alone.
  const auto [compute_end, comm_end] = ends_of(overlap(measured(2.0, 1.5), 1.0, 0.2, 0.9));
  EXPECT_NEAR(compute_end, 1.05, 1e-9);
  EXPECT_NEAR(comm_end, 1.05 + (0.2 - 0.15 / 2), 1e-9);
}

TEST(GpuContention, NoOverlapOrNoMeasurementChangesNothing)
{
  const auto [c1, n1] = ends_of(overlap(measured(2.0, 1.5), 1.0, 0.5, 1.0)); // back to back
  EXPECT_NEAR(c1, 1.0, 1e-9);
  EXPECT_NEAR(n1, 1.5, 1e-9);
  // Without measurements they are the timed waits they always were: exactly, bit for bit.
  EXPECT_EQ(overlap(std::nullopt, 1.0, 0.5, 0.0), exact(1.0) + " " + exact(0.5));
}

// The fixture calibration plus the shipped interference measurement, in a temporary directory.
std::string fixture_with_interference()
{
  const fs::path dir = fs::temp_directory_path() / ("gsim-interference-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const auto& f : fs::directory_iterator(kFixture))
    fs::copy_file(f.path(), dir / f.path().filename(), fs::copy_options::overwrite_existing);
  fs::copy_file(kSourceDir + "/traces/calibration/h200/interference.json", dir / "interference.json",
                fs::copy_options::overwrite_existing);
  return dir.string();
}

TEST(InterferenceModel, ANegativeSlowdownIsAConfigErrorNamingTheFileAndSeries)
{
  const auto dir = fixture_with_interference();
  {
    std::ifstream in(dir + "/interference.json");
    auto j = nlohmann::json::parse(in);
    for (auto& b : j["benchmarks"])
      if (b.contains("slowdown_other"))
        b["slowdown_other"] = -1.0;
    std::ofstream(dir + "/interference.json") << j.dump(1);
  }
  try {
    interference_model(Calibration::load(dir));
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(e.file().find("interference.json"), std::string::npos) << e.what();
    EXPECT_NE(e.key().find("interference_"), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("slowdown_other"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

// {iteration time, kernels' stretch, collectives' stretch, priced?, kernel time alone} of one replayed iteration of
// BERT on 4 p3dn (rings across EFA, NIC-bound), with `sets` on top.
std::vector<double> replay_numbers(const std::string& calibration, std::vector<std::string> sets = {})
{
  sets.insert(sets.begin(), {"checkpoint.scheme=none", "run.iterations=1"});
  const auto e   = load_experiment("configs/bert5b-p3dn4.json", sets);
  const auto out = run_in_child([&] {
    const auto r    = replay_zero3(e, CostModel(Calibration::load(calibration), e.cluster));
    const auto& inf = r.interference;
    const double k  = inf.compute_stretch_s.empty() ? -1 : inf.compute_stretch_s.back();
    const double c  = inf.comm_stretch_s.empty() ? -1 : inf.comm_stretch_s.back();
    return fmt("%.9f ", r.iterations.back().end - r.iterations.back().start) + fmt("%.9f ", k) + fmt("%.9f ", c) +
           fmt("%.9f ", r.program.compute_s()) + (inf.pricing.rfind("none", 0) == 0 ? "none" : "priced");
  });
  double t = 0, k = 0, c = 0, compute = 0;
  char what[16] = {};
  EXPECT_EQ(std::sscanf(out.c_str(), "%lf %lf %lf %lf %15s", &t, &k, &c, &compute, what), 5) << out;
  return {t, k, c, std::string(what) == "priced" ? 1.0 : 0.0, compute};
}

TEST(InterferenceReplay, OverlapLengthensTheIterationByAtMostTheStretches)
{
  const auto clean = replay_numbers(kFixture);
  const auto dir   = fixture_with_interference();
  const auto inter = replay_numbers(dir);
  fs::remove_all(dir);
  EXPECT_EQ(clean[3], 0.0); // the fixture has no interference series: nothing priced
  EXPECT_EQ(clean[1], -1.0);
  ASSERT_EQ(inter[3], 1.0);
  EXPECT_GT(inter[1], 0) << "ZeRO-3 overlaps its prefetches with the kernels: they must stretch";
  // Rings across instances are NIC-bound: the network sets their time, only the kernels beside them slow.
  EXPECT_EQ(inter[2], 0);
  EXPECT_GT(inter[0], clean[0]);
  // The iteration cannot grow by more than everything that was stretched, nor the kernels by more than their
  // measured slowdown applied to all of them.
  EXPECT_LE(inter[0] - clean[0], inter[1] + inter[2] + 1e-9);
  const auto m = interference_model(shipped());
  EXPECT_LE(inter[1], (m->gemm->other - 1) * inter[4] + 1e-9);
  EXPECT_NEAR(inter[4], clean[4], 1e-12); // the same program
}

// Inside one instance the rings are NVLink-bound, as measured: the collectives stretch too.
TEST(InterferenceReplay, NvlinkBoundCollectivesStretchAsMeasured)
{
  const auto dir                              = fixture_with_interference();
  const std::vector<std::string> one_instance = {"instances=1", "checkpoint.replicas=1", "failures.simultaneous=1"};
  const auto clean                            = replay_numbers(kFixture, one_instance);
  const auto inter                            = replay_numbers(dir, one_instance);
  fs::remove_all(dir);
  ASSERT_EQ(inter[3], 1.0);
  EXPECT_GT(inter[1], 0);
  EXPECT_GT(inter[2], 0);
  EXPECT_GT(inter[0], clean[0]);
  EXPECT_LE(inter[0] - clean[0], inter[1] + inter[2] + 1e-9);
}

} // namespace
} // namespace gsim
