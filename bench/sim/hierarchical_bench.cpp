// What the contention-aware modes cost (issue 13): one ZeRO-3 iteration of GPT-2 100B (configs/p4d16.json)
// with GEMINI's checkpoint traffic, in run.collectives=hierarchical, on 16, 128, 512 and 2048 p4d instances (128,
// 1024, 4096 and 16,384 GPUs), and the whole GEMINI replay of configs/p4d16.json as shipped (its profiled iterations,
// then the checkpointed ones) in each mode.
//
// One simulation per process: every measurement forks a child that builds the platform, replays and reports its
// wall time (platform and replay; not the fork, the config or the calibration) and its peak resident memory.
// "One iteration with checkpoint traffic" is one profiled iteration (the plan needs one) and one checkpointed one.
// Manual time, medians over repetitions, one core:
//   taskset -c 0 hierarchical_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include "sim/engine/zero3_replay.hpp"
#include "sim/sweep/child_process.hpp"
#include "source_dir.hpp"

#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

struct Measured {
  double wall_s      = -1; // < 0: failed
  double simulated_s = 0;  // the last iteration's simulated time
  double rss_mb      = 0;  // the child's peak resident set
  std::string error;
};

Measured replay_in_child(const std::vector<std::string>& sets)
{
  const std::string text = gsim::run_in_child([&] {
    const auto e = gsim::load_experiment(std::string(GSIM_SOURCE_DIR) + "/configs/p4d16.json", sets);
    const gsim::CostModel cost(gsim::Calibration::cached(e.run.calibration), e.cluster);
    const auto t0 = std::chrono::steady_clock::now();
    const auto r  = gsim::replay_zero3(e, cost);
    const auto t1 = std::chrono::steady_clock::now();
    rusage use{};
    getrusage(RUSAGE_SELF, &use);
    char buf[160];
    std::snprintf(buf, sizeof buf, "%.9f %.9f %.3f", std::chrono::duration<double>(t1 - t0).count(),
                  r.iterations.back().end - r.iterations.back().start, double(use.ru_maxrss) / 1024.0);
    return std::string(buf);
  });
  Measured m;
  if (std::sscanf(text.c_str(), "%lf %lf %lf", &m.wall_s, &m.simulated_s, &m.rss_mb) != 3) {
    m.wall_s = -1;
    m.error  = text.empty() ? "the child died" : text;
  }
  return m;
}

void report(benchmark::State& state, const std::vector<std::string>& sets, int gpus)
{
  Measured m;
  for (auto _ : state) {
    m = replay_in_child(sets);
    if (m.wall_s < 0) {
      state.SkipWithError(m.error.c_str());
      break;
    }
    state.SetIterationTime(m.wall_s);
  }
  state.counters["gpus"]                  = gpus;
  state.counters["simulated_iteration_s"] = m.simulated_s;
  state.counters["peak_rss_MB"]           = m.rss_mb;
}

// One profiled + one checkpointed iteration on `instances` p4d.
void BM_CheckpointedIteration(benchmark::State& state, const std::string& mode, int instances)
{
  report(state,
         {"run.collectives=" + mode, "instances=" + std::to_string(instances), "checkpoint.profile_iterations=1",
          "run.iterations=1"},
         instances * 8);
}

// The whole GEMINI replay of configs/p4d16.json as shipped, only the collectives' mode changed.
void BM_GeminiRun(benchmark::State& state, const std::string& mode)
{
  report(state, {"run.collectives=" + mode}, 128);
}

void manual(benchmark::internal::Benchmark* b)
{
  b->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
}

} // namespace

BENCHMARK_CAPTURE(BM_CheckpointedIteration, hierarchical_16_p4d, std::string("hierarchical"), 16)->Apply(manual);
BENCHMARK_CAPTURE(BM_CheckpointedIteration, hierarchical_128_p4d, std::string("hierarchical"), 128)->Apply(manual);
BENCHMARK_CAPTURE(BM_CheckpointedIteration, hierarchical_512_p4d, std::string("hierarchical"), 512)->Apply(manual);
BENCHMARK_CAPTURE(BM_CheckpointedIteration, hierarchical_2048_p4d, std::string("hierarchical"), 2048)->Apply(manual);
BENCHMARK_CAPTURE(BM_CheckpointedIteration, analytic_16_p4d, std::string("analytic"), 16)->Apply(manual);
BENCHMARK_CAPTURE(BM_CheckpointedIteration, flow_16_p4d, std::string("flow"), 16)->Apply(manual);
BENCHMARK_CAPTURE(BM_GeminiRun, analytic_p4d16, std::string("analytic"))->Apply(manual);
BENCHMARK_CAPTURE(BM_GeminiRun, hierarchical_p4d16, std::string("hierarchical"))->Apply(manual);
BENCHMARK_CAPTURE(BM_GeminiRun, flow_p4d16, std::string("flow"))->Apply(manual);

BENCHMARK_MAIN();
