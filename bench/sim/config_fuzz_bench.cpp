// The input-contract fuzzer's long run (issue 11): every case of tests/fuzz/config_mutations.hpp, loaded
// in-process; a case that breaks the contract fails the benchmark with its reproducer. Run from the repo
// root: build/bench/config_fuzz_bench
#include "tests/fuzz/config_mutations.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace {

void BM_ConfigFuzzAllCases(benchmark::State& state)
{
  const auto cases   = gsim::fuzz::all_mutations("configs");
  const auto scratch = std::filesystem::temp_directory_path() / ("gsim-fuzz-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);
  for (auto _ : state) {
    std::string first;
    int broken = 0;
    for (const auto& m : cases)
      if (const auto e = gsim::fuzz::check(m, scratch.string()); not e.empty()) {
        std::fprintf(stderr, "broken: %s: %s\n", m.what().substr(0, 300).c_str(), e.c_str());
        first = first.empty() ? m.what().substr(0, 300) + ": " + e : first;
        broken++;
      }
    if (broken > 0)
      state.SkipWithError((std::to_string(broken) + " cases broke the contract; first: " + first).c_str());
  }
  std::filesystem::remove_all(scratch);
  state.counters["cases"] = double(cases.size());
}
BENCHMARK(BM_ConfigFuzzAllCases)->Iterations(1)->Unit(benchmark::kSecond);

} // namespace

BENCHMARK_MAIN();
