// The input contract under mutation (issue 11): a seeded sample of tests/fuzz/config_mutations.hpp's cases,
// each loaded in-process. The whole set runs as bench/sim/config_fuzz_bench.cpp.
#include "tests/fuzz/config_mutations.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <unistd.h>

namespace gsim {
namespace {

TEST(ConfigFuzz, SampledMutationsKeepTheContract)
{
  const auto cases = fuzz::all_mutations("configs");
  ASSERT_GT(cases.size(), 1000u); // every key of every shipped experiment, with its cluster and model
  const auto scratch = std::filesystem::temp_directory_path() / ("gsim-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);
  std::mt19937_64 g(11); // fixed: the same sample every run
  constexpr int kSample = 400;
  int accepted = 0, refused = 0;
  for (int i = 0; i < kSample; i++) {
    const auto& m       = cases[size_t(g() % cases.size())];
    const std::string e = fuzz::check(m, scratch.string());
    EXPECT_EQ(e, "") << m.what().substr(0, 300);
    try {
      (void)load_experiment(m.drop.empty() ? m.config : (scratch / "experiment.json").string(), m.sets);
      accepted++;
    } catch (const ConfigError&) {
      refused++;
    }
  }
  std::filesystem::remove_all(scratch);
  // Both outcomes occur: the sample reaches validation both ways (a mutator that broke every case, or none,
  // would test nothing).
  EXPECT_GT(accepted, 10);
  EXPECT_GT(refused, 10);
}

TEST(ConfigFuzz, DeepNestingIsRefusedWithoutRecursion)
{
  std::string deep(100000, '[');
  try {
    (void)parse_set_value(deep + std::string(100000, ']'));
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than"), std::string::npos) << e.what();
  }
}

TEST(ConfigFuzz, IntegersStayExact)
{
  const auto e = load_experiment("configs/p4d16.json", {"run.seed=9007199254740993"});
  EXPECT_EQ(e.run.seed, 9007199254740993ull);
  EXPECT_THROW(load_experiment("configs/p4d16.json", {"run.seed=9223372036854775808"}), ConfigError);
  EXPECT_THROW(load_experiment("configs/p4d16.json", {"run.seed=1e300"}), ConfigError);
}

} // namespace
} // namespace gsim
