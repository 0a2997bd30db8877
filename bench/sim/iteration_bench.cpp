// How fast the simulator replays one ZeRO-3 iteration of GPT-2 100B (configs/p4d16.json), in each
// collective mode, on 16, 128 and 1000 p4d instances (128 to 8000 GPUs).
//
// SimGrid allows one simulation per process, so every measurement forks a child that builds the
// platform, replays one iteration and reports its own wall time (platform construction and the replay;
// not the fork, the config loading or the calibration). Manual time, medians over repetitions:
//   iteration_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Uses the shipped calibration (traces/calibration/h200); skips with an error while it is incomplete.
#include "models/config_error.hpp"
#include "sim/engine/zero3_replay.hpp"
#include "sim/sweep/child_process.hpp"
#include "source_dir.hpp"

#include <benchmark/benchmark.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

struct Measured {
  double wall_s      = -1; // < 0: failed
  double simulated_s = 0;  // the iteration time it simulated
  std::string error;
};

// One iteration in a forked child, which prints "wall simulated" or an error.
Measured one_iteration(const std::string& mode, int instances)
{
  const std::string text = gsim::run_in_child([&] {
    const auto e = gsim::load_experiment(std::string(GSIM_SOURCE_DIR) + "/configs/p4d16.json",
                                         {"checkpoint.scheme=none", "run.collectives=" + mode, "run.iterations=1",
                                          "instances=" + std::to_string(instances)});
    const gsim::CostModel cost(gsim::Calibration::cached(e.run.calibration), e.cluster);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r  = gsim::replay_zero3(e, cost);
    const auto t1 = std::chrono::steady_clock::now();
    char buf[128];
    std::snprintf(buf, sizeof buf, "%.9f %.9f", std::chrono::duration<double>(t1 - t0).count(),
                  r.iterations.back().end - r.iterations.back().start);
    return std::string(buf);
  });
  Measured m;
  if (std::sscanf(text.c_str(), "%lf %lf", &m.wall_s, &m.simulated_s) != 2) {
    m.wall_s = -1;
    m.error  = text.empty() ? "the child died" : text;
  }
  return m;
}

void BM_GptIteration(benchmark::State& state, const std::string& mode, int instances)
{
  double simulated = 0;
  for (auto _ : state) {
    const Measured m = one_iteration(mode, instances);
    if (m.wall_s < 0) {
      state.SkipWithError(m.error.c_str());
      break;
    }
    state.SetIterationTime(m.wall_s);
    simulated = m.simulated_s;
  }
  state.counters["gpus"]                  = instances * 8;
  state.counters["simulated_iteration_s"] = simulated;
}

} // namespace

BENCHMARK_CAPTURE(BM_GptIteration, analytic_16_p4d, std::string("analytic"), 16)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(BM_GptIteration, flow_16_p4d, std::string("flow"), 16)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(BM_GptIteration, analytic_128_p4d, std::string("analytic"), 128)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(BM_GptIteration, flow_128_p4d, std::string("flow"), 128)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(BM_GptIteration, analytic_1000_p4d, std::string("analytic"), 1000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

BENCHMARK_MAIN();
