// The host clock: DeepSpeed's per-hook host work (models/host_cost.hpp) charged to the schedules that run its
// coordinator, and the replay's GPU waiting for a host that falls behind. A copy of the synthetic calibration
// fixture with a host file of a chosen per-hook cost: the numbers here are the mechanism's, not a prediction.
#include "models/host_cost.hpp"
#include "sim/engine/zero3_replay.hpp"
#include "sim/sweep/child_process.hpp"
#include "source_dir.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace gsim {
namespace {

namespace fs = std::filesystem;

const std::string kSource  = GSIM_SOURCE_DIR;
const std::string kFixture = kSource + "/tests/data/calibration/h200";
const std::string kConfig  = kSource + "/configs/validation/gem-gpt-350m.interleave.json";

// The fixture, plus host/zero3_hooks.json holding `hook_s` (a fresh directory per value).
const Calibration& with_host(double hook_s)
{
  static std::map<double, Calibration> made;
  if (const auto it = made.find(hook_s); it != made.end())
    return it->second;
  const fs::path dir =
      fs::temp_directory_path() / ("gsim_host_cost_" + std::to_string(::getpid()) + "_" + std::to_string(made.size()));
  fs::remove_all(dir);
  fs::create_directories(dir / "host");
  for (const auto& f : fs::directory_iterator(kFixture))
    if (f.is_regular_file())
      fs::copy_file(f.path(), dir / f.path().filename());
  std::ofstream(dir / "host" / "zero3_hooks.json") << "{\"zero3_hook_host_s\": " << hook_s << "}\n";
  return made.emplace(hook_s, Calibration::load(dir.string())).first->second;
}

Experiment one_gpu(const std::string& framework)
{
  return load_experiment(kConfig, {"cluster.gpus_per_instance=1", "training.framework=" + framework});
}

double iteration_s(const Experiment& e, const Calibration& cal)
{
  return std::stod(run_in_child([&] {
    const auto r = replay_zero3(e, CostModel(cal, e.cluster));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", r.iterations.back().end - r.iterations.back().start);
    return std::string(buf);
  }));
}

TEST(HostCost, ReadFromTheCalibrationOrAbsent)
{
  EXPECT_FALSE(host_cost(Calibration::load(kFixture)).has_value()) << "the fixture has no host file";
  const auto h = host_cost(with_host(2e-4));
  ASSERT_TRUE(h.has_value());
  EXPECT_DOUBLE_EQ(h->zero3_hook_s, 2e-4);
}

TEST(HostCost, ChargedToEveryHookOfTheCoordinatorSchedulesOnly)
{
  const Calibration& cal = with_host(1e-3);
  for (const std::string f : {"gemini-interleave", "gemini-none", "deepspeed", "fsdp2", "ddp"}) {
    const auto e      = one_gpu(f);
    const auto p      = make_zero3_program(e, CostModel(cal, e.cluster));
    const bool hooked = f != "fsdp2" && f != "ddp";
    for (const auto& s : p.steps)
      ASSERT_DOUBLE_EQ(s.host_s, hooked ? 1e-3 : 0.0) << f << " " << s.label;
    EXPECT_NEAR(p.host_s, hooked ? 1e-3 * double(p.steps.size()) : 0.0, 1e-9) << f;
  }
}

// One GPU, no collectives: a host slower than the kernels sets the pace; one much faster leaves the GPU's.
TEST(HostCost, ASlowHostPacesTheGpu)
{
  const auto e         = one_gpu("gemini-interleave");
  const auto p         = make_zero3_program(e, CostModel(with_host(1e-3), e.cluster));
  const double host_s  = p.host_s;
  const double gpu_s   = p.compute_s();
  const double slow    = iteration_s(e, with_host(1e-3));
  const double fast    = iteration_s(e, with_host(1e-9));
  const double without = iteration_s(e, Calibration::load(kFixture));
  ASSERT_GT(host_s, gpu_s) << "the test needs a host-bound setting";
  EXPECT_GE(slow, host_s);
  EXPECT_LE(slow, host_s + gpu_s);
  EXPECT_NEAR(fast, without, 1e-6 * without) << "a negligible host leaves the GPU-bound iteration";
  EXPECT_NEAR(without, gpu_s, 1e-6 * gpu_s);
}

// gemini-none synchronises the device in every hook: host work and kernels can no longer overlap across
// hooks, so the step is longer than interleave's, and at most their sum.
TEST(HostCost, DeviceSyncPerHookSerialisesHostAndGpu)
{
  const Calibration& cal = with_host(1e-4);
  const auto none        = one_gpu("gemini-none");
  const auto inter       = one_gpu("gemini-interleave");
  const auto p           = make_zero3_program(none, CostModel(cal, none.cluster));
  const double t_none = iteration_s(none, cal), t_inter = iteration_s(inter, cal);
  EXPECT_GT(t_none, t_inter * 1.01);
  EXPECT_LE(t_none, p.host_s + p.compute_s() + 1e-9);
  EXPECT_GE(t_inter, std::max(p.host_s, p.compute_s()) - 1e-9);
}

} // namespace
} // namespace gsim
