// The GEMINI artifact's idle-span profile: parsing, and the reader's reduction (warm-up skip, minimum per
// gap position, strict threshold) over measured and simulated spans alike.
#include "models/config_error.hpp"
#include "models/idle_profile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace gsim;
namespace fs = std::filesystem;

namespace {

struct TempProfile {
  fs::path path;
  explicit TempProfile(const std::string& text)
  {
    static int n = 0;
    path         = fs::temp_directory_path() / ("gsim_idle_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::ofstream(path) << text;
  }
  ~TempProfile() { fs::remove(path); }
};

// The ConfigError's key ("line N") for a profile with `text`, or "" when it parses.
std::string error_key(const std::string& text)
{
  TempProfile t(text);
  try {
    read_idle_profile(t.path.string());
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), t.path.string());
    return e.key();
  }
  return "";
}

constexpr double kMs = 1e-3;

} // namespace

TEST(IdleProfile, ParsesGapsAndTrailerInSeconds)
{
  TempProfile t("1.5 0.0 250.0 - 0 1900.5\n3 4 - 7 2000\n\n");
  const auto p = read_idle_profile(t.path.string());
  ASSERT_EQ(p.gaps_s.size(), 2u); // the trailing blank line is not an iteration
  EXPECT_EQ(p.gaps_s[0], (std::vector<double>{1.5 * kMs, 0.0, 250.0 * kMs}));
  EXPECT_EQ(p.gaps_s[1], (std::vector<double>{3 * kMs, 4 * kMs}));
  EXPECT_EQ(p.trailer_s[0], (std::vector<double>{0.0, 1900.5 * kMs}));
  EXPECT_DOUBLE_EQ(p.iteration_time_s(0), 1.9005);
  EXPECT_DOUBLE_EQ(p.iteration_time_s(1), 2.0);
}

TEST(IdleProfile, WarmupLinesAreSkipped)
{
  // The first line's huge gaps must not reach the minimum or the kept list.
  const std::vector<std::vector<double>> s{{9, 9, 9}, {1, 5, 2}, {3, 4, 6}};
  const auto all  = reduce_idle_spans(s, 0, 0);
  const auto skip = reduce_idle_spans(s, 1, 0);
  EXPECT_EQ(all.iterations_used, 3);
  EXPECT_EQ(skip.iterations_total, 3);
  EXPECT_EQ(skip.iterations_used, 2);
  EXPECT_EQ(skip.min_s, (std::vector<double>{1, 4, 2}));
  const auto only_warm = reduce_idle_spans(s, 2, 0);
  EXPECT_EQ(only_warm.min_s, (std::vector<double>{3, 4, 6}));
  EXPECT_THROW(reduce_idle_spans(s, 3, 0), std::invalid_argument);
}

TEST(IdleProfile, MinimumPerPositionOverRaggedIterations)
{
  // Iterations with fewer gaps do not vote on the later positions (the artifact's dict of lists).
  const std::vector<std::vector<double>> s{{0.5, 0.2}, {0.3, 0.4, 0.9}, {0.6, 0.1, 0.7, 0.8}};
  const auto r = reduce_idle_spans(s, 0, 0);
  EXPECT_EQ(r.min_s, (std::vector<double>{0.3, 0.1, 0.7, 0.8}));
}

TEST(IdleProfile, ThresholdKeepsOnlyStrictlyLongerSpans)
{
  // In ms as in the profile, converted as the config converts span_threshold_ms: a gap equal to the
  // threshold is dropped, as the artifact's `min_gap > threshold` drops it.
  const double thr = 100 * kMs;
  const std::vector<std::vector<double>> s{{150 * kMs, 100 * kMs, 99.9 * kMs, 100.1 * kMs, 300 * kMs},
                                           {140 * kMs, 400 * kMs, 400 * kMs, 400 * kMs, 20 * kMs}};
  const auto r = reduce_idle_spans(s, 0, thr);
  ASSERT_EQ(r.kept.size(), 2u);
  EXPECT_EQ(r.kept[0].position, 0);
  EXPECT_DOUBLE_EQ(r.kept[0].seconds, 0.140);
  EXPECT_EQ(r.kept[1].position, 3);
  EXPECT_DOUBLE_EQ(r.kept[1].seconds, 0.1001);
  EXPECT_DOUBLE_EQ(r.kept_total_s(), 0.140 + 0.1001);
  EXPECT_EQ(r.kept_seconds(), (std::vector<double>{0.140, 0.1001}));
}

TEST(IdleProfile, ProfileAndSimulatedSpansReduceAlike)
{
  TempProfile t("200 5 120 - 0 1000\n180 50 130 - 0 1000\n");
  const auto p         = read_idle_profile(t.path.string());
  const auto from_file = reduce_idle_profile(p, 0, 100 * kMs);
  // One position index over both sides of '-' (the artifact's reader): "0 1000" are positions 3 and 4.
  const auto simulated = reduce_idle_spans({{0.2, 0.005, 0.12, 0, 1.0}, {0.18, 0.05, 0.13, 0, 1.0}}, 0, 100 * kMs);
  EXPECT_EQ(from_file.kept_seconds(), simulated.kept_seconds());
  EXPECT_EQ(from_file.kept.size(), 3u);
  EXPECT_THROW(reduce_idle_profile(p, 2, 0), ConfigError);
}

TEST(IdleProfile, MalformedLinesNameTheLine)
{
  EXPECT_EQ(error_key("1 2 - 0 10\n1 x 2 - 0 10\n"), "line 2");   // not a number
  EXPECT_EQ(error_key("1 2 - 0 10\n1 -2 - 0 10\n"), "line 2");    // negative
  EXPECT_EQ(error_key("1 2 - 0 10\n1 2 0 10\n"), "line 2");       // no separator
  EXPECT_EQ(error_key("1 - 2 - 0 10\n"), "line 1");               // two separators
  EXPECT_EQ(error_key("1 2 -\n"), "line 1");                      // nothing after '-'
  EXPECT_EQ(error_key("1 2 - 0 1\n- 0 10\n"), "line 2");          // no gap before '-'
  EXPECT_EQ(error_key("1 2 - 0 10\n\n1 2 - 0 10\n"), "line 2");   // blank line inside
  EXPECT_EQ(error_key("1 2 - 0 10\n1 nan - 0 10\n"), "line 2");   // not finite
  EXPECT_EQ(error_key("1 2 - 0 10\n1 2e400 - 0 10\n"), "line 2"); // out of range
  EXPECT_EQ(error_key("1 2 - 0 10\n1 2 - 0 10x\n"), "line 2");    // trailing garbage
  EXPECT_EQ(error_key(""), "line 1");                             // empty file
  EXPECT_EQ(error_key("1 2 - 0 10\n-0.0 2 - 0 10\n"), "");        // Python's round() writes -0.0
  EXPECT_THROW(read_idle_profile("/nonexistent/comm_gap.txt"), ConfigError);
}

TEST(IdleProfile, TheArtifactsBertProfile)
{
  // traces/gemini-ae/bert_comm_gap.txt (a copy of shared/traces/gemini-ae/): 20 iterations; the first is
  // the longest warm-up line; every line ends with "- 0 <iteration ms>".
  const auto p = read_idle_profile("traces/gemini-ae/bert_comm_gap.txt");
  ASSERT_EQ(p.gaps_s.size(), 20u);
  EXPECT_EQ(p.gaps_s[0].size(), 352u);
  EXPECT_EQ(p.gaps_s[1].size(), 123u);
  EXPECT_DOUBLE_EQ(p.iteration_time_s(0), 2.1994);
  for (size_t i = 0; i < p.trailer_s.size(); i++) {
    EXPECT_EQ(p.trailer_s[i].size(), 2u);
    EXPECT_GT(p.iteration_time_s(i), 1.8);
    EXPECT_LT(p.iteration_time_s(i), 2.3);
  }
  // Every iteration after the warm-up lines has the same number of positions, give or take one: 122 or 123
  // all-gather brackets, then the two reduce-scatter intervals.
  const auto r = reduce_idle_profile(p, 8, 0);
  EXPECT_EQ(r.iterations_used, 12);
  EXPECT_EQ(r.min_s.size(), 125u);
  // Each kept minimum is no longer than that position in any used iteration.
  for (size_t it = 8; it < p.gaps_s.size(); it++)
    for (size_t i = 0; i < p.gaps_s[it].size(); i++)
      EXPECT_LE(r.min_s[i], p.gaps_s[it][i]);
}
