// The calibration loader on the synthetic fixture (tests/data/calibration/make_fixture.py), malformed
// files, and the shipped H200 measurements when they exist.
#include "models/alpha_beta_fit.hpp"
#include "models/calibration.hpp"
#include "models/config_error.hpp"
#include "tests/unit/fixture.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

using namespace gsim;

namespace {
constexpr double kMiB = 1024.0 * 1024.0;

// A temporary calibration directory holding one file with `text`; removed at scope exit.
struct TempCalibration {
  std::filesystem::path dir;
  std::string file;
  explicit TempCalibration(const std::string& text)
  {
    dir = std::filesystem::temp_directory_path() /
          ("gsim-calib-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
    file = (dir / "bad.json").string();
    std::ofstream(file) << text;
  }
  ~TempCalibration() { std::filesystem::remove_all(dir); }
};

std::string one_benchmark(const std::string& fields)
{
  return R"({"context": {"gpu_name": "NVIDIA H200"}, "benchmarks": [{"name": "d2d_copy/bytes:1024",)"
         R"( "run_type": "iteration", "time_unit": "us", )" +
         fields + "}]}";
}

void expect_config_error_naming(const std::string& text, const std::string& what)
{
  TempCalibration t(text);
  try {
    Calibration::load(t.dir.string());
    FAIL() << "no ConfigError for " << text;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}
} // namespace

TEST(Calibration, LoadsTheFixtureSeriesWithMediansAndSkipsAggregatesAndErrors)
{
  const auto& c = fixture();
  std::set<std::string> keys;
  for (const auto& s : c.series())
    keys.insert(s.key());
  for (const char* k : {"send_recv ranks=2", "all_gather ranks=2", "reduce_scatter ranks=2", "all_reduce ranks=2",
                        "copy_d2h_pinned", "copy_h2d_pinned", "copy_d2h_pageable", "copy_h2d_pageable", "d2d_copy",
                        "gemm_fp16", "gemm_bf16", "gemm_batched_fp16", "gemm_batched_bf16"})
    EXPECT_TRUE(keys.count(k)) << k;
  EXPECT_EQ(keys.size(), 13u) << "the error_occurred 1-GPU entry must not make a series";

  const Series* ag = c.find("all_gather", 2);
  ASSERT_NE(ag, nullptr);
  ASSERT_EQ(ag->sizes.size(), 14u);
  EXPECT_EQ(ag->sizes.front(), 8);
  EXPECT_EQ(ag->repetitions.front(), 3) << "the median aggregate entry is skipped";
  // The median is the law within the fixture's 0.2 % wobble; min and max bracket it.
  for (size_t i = 0; i < ag->sizes.size(); i++) {
    const double law = 10e-6 + ag->sizes[i] / 720e9;
    EXPECT_NEAR(ag->median_s[i], law, 0.0021 * law);
    EXPECT_LT(ag->min_s[i], ag->median_s[i]);
    EXPECT_GT(ag->max_s[i], ag->median_s[i]);
  }
  EXPECT_EQ(c.machine().at("gpu_name"), "NVIDIA H200");
  EXPECT_EQ(c.measured_on().gpu.name, "H200-SXM-141GB");
  EXPECT_EQ(c.find("all_gather", 1), nullptr);
  EXPECT_EQ(c.find("no_such_family"), nullptr);
}

TEST(Calibration, TimeUnitsAreConverted)
{
  // The same law written in ns (d2h pinned), ms (gemm) and s (h2d pageable) comes back in seconds.
  const auto& c = fixture();
  EXPECT_NEAR(c.find("copy_d2h_pinned")->median_s.back(), 5e-6 + double(1 << 29) / 55e9, 1e-3 * 0.01);
  EXPECT_NEAR(c.find("copy_h2d_pageable")->median_s.front(), 6e-6 + 8 / 15e9, 6e-6 * 0.003);
}

TEST(Calibration, FitsRecoverTheFixtureLaws)
{
  struct Law {
    const char* family;
    double alpha, beta;
  };
  for (const Law& law :
       {Law{"send_recv", 8e-6, 380e9}, Law{"all_gather", 10e-6, 720e9}, Law{"all_reduce", 15e-6, 340e9},
        Law{"copy_d2h_pinned", 5e-6, 55e9}, Law{"d2d_copy", 3e-6, 4320e9}}) {
    const Series* s = fixture().find(law.family);
    ASSERT_NE(s, nullptr) << law.family;
    ASSERT_EQ(s->fit.segments.size(), 1u) << law.family;
    EXPECT_NEAR(s->fit.segments[0].alpha_s, law.alpha, 0.01 * law.alpha) << law.family;
    EXPECT_NEAR(s->fit.segments[0].beta_Bps, law.beta, 0.01 * law.beta) << law.family;
  }
  const Series* pageable = fixture().find("copy_d2h_pageable");
  EXPECT_EQ(pageable->fit.segments.size(), 2u);
  EXPECT_LE(pageable->fit.max_rel_error_above_1MiB, kFitTolerance);
}

TEST(Calibration, MalformedFilesAreConfigErrorsNamingFileAndEntry)
{
  expect_config_error_naming("{ this is not json", "bad.json");
  expect_config_error_naming(R"({"context": {"gpu_name": "NVIDIA H200"}})", "benchmarks");
  expect_config_error_naming(one_benchmark(R"("bytes": 1024)"), "real_time");
  expect_config_error_naming(one_benchmark(R"("bytes": 1024, "real_time": "fast")"), "real_time");
  expect_config_error_naming(one_benchmark(R"("bytes": "1 KiB", "real_time": 1.5)"), "d2d_copy/bytes:1024");
  expect_config_error_naming(one_benchmark(R"("bytes": "1 KiB", "real_time": 1.5)"), ".bytes");
  expect_config_error_naming(one_benchmark(R"("bytes": 1024, "real_time": 1.5, "time_unit": "fortnights")"),
                             "time_unit");
  expect_config_error_naming(R"({"context": {"gpu_name": "NVIDIA Z9000"}, "benchmarks": []})", "gpu_name");
  expect_config_error_naming(R"({"benchmarks": [7]})", "benchmarks[0]");
}

TEST(Calibration, GoogleBenchmarkNanTokensAreToleratedInAggregatesOnly)
{
  // Google Benchmark writes 0/0 as a bare NaN (e.g. the cv aggregate of busbw on one GPU): not JSON.
  {
    TempCalibration t(R"({"context": {"gpu_name": "NVIDIA H200"}, "benchmarks": [)"
                      R"({"name": "d2d_copy/bytes:1024", "real_time": 2, "time_unit": "us", "bytes": 1024},)"
                      R"({"name": "d2d_copy/bytes:1024_cv", "run_type": "aggregate", "real_time": NaN,)"
                      R"( "bytes": -Infinity, "label": "NaN in a string stays"}]})");
    const auto cal = Calibration::load(t.dir.string());
    ASSERT_NE(cal.find("d2d_copy"), nullptr);
    EXPECT_DOUBLE_EQ(cal.find("d2d_copy")->median_s[0], 2e-6);
  }
  expect_config_error_naming(one_benchmark(R"("bytes": NaN, "real_time": 1.5)"), "NaN or infinity");
}

TEST(Calibration, ASeriesWithoutSizesLoadsButCannotPriceAnything)
{
  TempCalibration t(one_benchmark(R"("real_time": 1.5, "slowdown_comm": 1.2)"));
  const auto cal = Calibration::load(t.dir.string());
  ASSERT_NE(cal.find("d2d_copy"), nullptr);
  EXPECT_TRUE(cal.find("d2d_copy")->fit.segments.empty());
  EXPECT_DOUBLE_EQ(cal.find("d2d_copy")->counters[0].at("slowdown_comm"), 1.2);
  CostModel m(cal, load_cluster("configs/clusters/p4d.json"));
  EXPECT_THROW(m.memory_time_s(1e6), ConfigError);
}

TEST(Calibration, MissingOrEmptyDirectoryIsAConfigError)
{
  EXPECT_THROW(Calibration::load("/nonexistent/calibration"), ConfigError);
  TempCalibration t("{}");
  std::filesystem::remove(t.file);
  EXPECT_THROW(Calibration::load(t.dir.string()), ConfigError);
}

// The shipped measurements: every series' points >= 1 MiB within 5 % of its piecewise fit, unless listed
// here with the reason it cannot be (each exception is also stated in traces/calibration/README.md).
TEST(Calibration, ShippedH200FitsHoldFivePercentAboveOneMiB)
{
  const std::string dir = kSourceDir + "/" + kShippedCalibration;
  bool any              = false;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    any = any || e.path().extension() == ".json";
  if (not any)
    GTEST_SKIP() << "no shipped calibration in " << dir << " yet";
  const std::map<std::string, std::string> exceptions = {
      // "series key": "why its fit cannot hold 5 % above 1 MiB",
  };
  const auto& c = shipped();
  EXPECT_FALSE(c.series().empty());
  for (const auto& s : c.series()) {
    if (is_gemm_family(s.family)) { // priced per shape, exactly at the measured ones
      for (size_t i = 0; i < s.sizes.size(); i++) {
        CostModel self(c, c.measured_on());
        const auto& k = s.counters[i];
        GemmShape g{"", k.at("m"), k.at("n"), k.at("k"), k.count("batch") ? k.at("batch") : 1};
        const double e = self.gemm_efficiency(g, s.labels.at("dtype") == "bf16" ? Dtype::bf16 : Dtype::fp16);
        EXPECT_GT(e, 0) << s.names[i];
        EXPECT_LE(e, 1) << s.names[i] << ": faster than the datasheet peak?";
      }
      continue;
    }
    if (exceptions.count(s.key()) || s.fit.segments.empty())
      continue;
    EXPECT_LE(s.fit.max_rel_error_above_1MiB, kFitTolerance)
        << s.key() << " (" << s.file << ") misses the bar with " << s.fit.segments.size() << " segments";
  }
}

// models/calibration_paths.hpp: data roots found from a checkout and from an installed tree; results get
// paths relative to their data root, the effective config relative to the experiment file.
TEST(CalibrationPaths, DataRootsAndRelativePaths)
{
  EXPECT_EQ(data_root_of(kSourceDir + "/configs/p4d16.json"), kSourceDir);
  EXPECT_EQ(default_calibration_dir(kSourceDir + "/configs/figures/../p4d16.json"),
            kSourceDir + "/" + kShippedCalibration);
  EXPECT_EQ(source_relative(kSourceDir + "/traces/calibration/h200/gemm.json"), "traces/calibration/h200/gemm.json");
  EXPECT_EQ(source_relative(kSourceDir + "/configs/clusters/../clusters/p4d.json"), "configs/clusters/p4d.json");
  EXPECT_EQ(relative_to_file(kSourceDir + "/traces/calibration/h200", kSourceDir + "/configs/p4d16.json"),
            "../traces/calibration/h200");

  // An installed tree: <prefix>/bin beside <prefix>/share/gemini-sim/traces/calibration.
  const auto prefix = std::filesystem::temp_directory_path() / ("gsim-install-" + std::to_string(::getpid()));
  std::filesystem::create_directories(prefix / "bin");
  std::filesystem::create_directories(prefix / "share/gemini-sim/traces/calibration/h200");
  EXPECT_EQ(data_root_of((prefix / "bin").string(), true), (prefix / "share/gemini-sim").string());
  EXPECT_EQ(data_root_of((prefix / "bin").string(), false), ""); // only the executable's search looks into share/
  EXPECT_EQ(source_relative((prefix / "share/gemini-sim/traces/calibration/h200").string()), "traces/calibration/h200");
  std::filesystem::remove_all(prefix);
}

TEST(CalibrationPaths, CachedLoadsOnceAndNamesAMissingDirectory)
{
  EXPECT_EQ(&Calibration::cached(kFixture), &fixture());
  try {
    Calibration::cached(kSourceDir + "/tests/data/calibration/no-such");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "(directory)");
    EXPECT_EQ(e.file(), "tests/data/calibration/no-such"); // repo-relative, as results write it
  }
}
