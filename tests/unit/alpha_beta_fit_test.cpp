// Piecewise alpha-beta fits: recovery of a known law, the 5 % bar, and the fewest-segments rule.
#include "models/alpha_beta_fit.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace gsim;

namespace {
std::vector<double> sizes_4x(double from, double to)
{
  std::vector<double> s;
  for (double x = from; x <= to; x *= 4)
    s.push_back(x);
  return s;
}
} // namespace

TEST(AlphaBetaFit, RecoversAKnownLawWithinOnePercent)
{
  const double alpha = 10e-6, beta = 720e9;
  auto sizes = sizes_4x(8, 1 << 30);
  std::vector<double> t;
  for (size_t i = 0; i < sizes.size(); i++)
    t.push_back((alpha + sizes[i] / beta) * (1 + 0.003 * std::sin(3.1 * double(i)))); // +-0.3 % noise
  const auto fit = fit_piecewise(sizes, t);
  ASSERT_EQ(fit.segments.size(), 1u);
  EXPECT_NEAR(fit.segments[0].alpha_s, alpha, 0.01 * alpha);
  EXPECT_NEAR(fit.segments[0].beta_Bps, beta, 0.01 * beta);
  EXPECT_LT(fit.max_rel_error_above_1MiB, 0.005);
  EXPECT_NEAR(fit.time_s(64e6), alpha + 64e6 / beta, 0.01 * (alpha + 64e6 / beta));
}

TEST(AlphaBetaFit, SplitsTwoRegimesAndHoldsFivePercent)
{
  auto sizes = sizes_4x(8, 1 << 30);
  std::vector<double> t;
  for (double s : sizes) // protocol change at 8 MiB: a second, slower line
    t.push_back(s < 8.0 * (1 << 20) ? 6e-6 + s / 20e9 : 400e-6 + s / 9e9);
  const auto one = fit_segment(sizes, t, 0, sizes.size() - 1);
  EXPECT_GT(max_rel_error(one, sizes, t, 0, sizes.size() - 1, kFitCheckedFromBytes), kFitTolerance)
      << "the fixture must not fit one line, or the test proves nothing";
  const auto fit = fit_piecewise(sizes, t);
  EXPECT_EQ(fit.segments.size(), 2u);
  EXPECT_LE(fit.max_rel_error_above_1MiB, kFitTolerance);
  for (size_t i = 0; i < sizes.size(); i++) {
    if (sizes[i] >= kFitCheckedFromBytes) {
      EXPECT_NEAR(fit.time_s(sizes[i]), t[i], kFitTolerance * t[i]) << sizes[i];
    }
  }
  EXPECT_NEAR(fit.segments.back().beta_Bps, 9e9, 0.01 * 9e9);
}

TEST(AlphaBetaFit, SegmentsAreContiguousAndPriceTheirOwnRange)
{
  auto sizes = sizes_4x(8, 1 << 30);
  std::vector<double> t;
  for (double s : sizes)
    t.push_back(s < 1e5 ? 5e-6 : (s < 3e7 ? 20e-6 + s / 30e9 : 1e-3 + s / 10e9));
  const auto fit = fit_piecewise(sizes, t);
  ASSERT_GE(fit.segments.size(), 2u);
  EXPECT_EQ(fit.segments.front().min_bytes, sizes.front());
  EXPECT_EQ(fit.segments.back().max_bytes, sizes.back());
  for (size_t i = 0; i + 1 < fit.segments.size(); i++) {
    EXPECT_LT(fit.segments[i].max_bytes, fit.segments[i + 1].min_bytes);
    EXPECT_EQ(&fit.segment_for(fit.segments[i].min_bytes), &fit.segments[i]);
  }
}

TEST(AlphaBetaFit, NeverReturnsANegativeLatencyOrBandwidth)
{
  // Convex data (time grows faster than linearly) pulls an unconstrained alpha below 0.
  std::vector<double> sizes = {1e6, 2e6, 4e6, 8e6}, t = {1e-4, 2.2e-4, 4.8e-4, 1.1e-3};
  const auto s = fit_segment(sizes, t, 0, 3);
  EXPECT_GE(s.alpha_s, 0);
  EXPECT_GT(s.beta_Bps, 0);
  // Flat data: a pure latency.
  std::vector<double> flat = {5e-6, 5e-6, 5e-6, 5e-6};
  const auto f             = fit_segment(sizes, flat, 0, 3);
  EXPECT_NEAR(f.alpha_s, 5e-6, 1e-9);
  EXPECT_GT(f.beta_Bps, 0);
}

TEST(AlphaBetaFit, AnIsolatedRegimeChangeGetsItsOwnSegmentRatherThanMissingTheBar)
{
  // Measured on the H200 (copy_h2d_pageable): 12.7 GB/s up to 16 MiB, then 5.9 GB/s from 64 MiB. No line
  // with alpha >= 0 through 16 MiB and a neighbour holds 5 %.
  const double MiB          = 1024.0 * 1024;
  std::vector<double> sizes = {1 * MiB, 4 * MiB, 16 * MiB, 64 * MiB, 256 * MiB, 1024 * MiB, 4096 * MiB};
  std::vector<double> t     = {92.8e-6, 299.1e-6, 1318.9e-6, 11415.5e-6, 45069.2e-6, 175357.6e-6, 666672.5e-6};
  const auto fit            = fit_piecewise(sizes, t);
  EXPECT_LE(fit.max_rel_error_above_1MiB, kFitTolerance);
  EXPECT_LE(fit.segments.size(), 4u);
  for (size_t i = 0; i < sizes.size(); i++)
    EXPECT_NEAR(fit.time_s(sizes[i]), t[i], kFitTolerance * t[i]) << sizes[i];
}

TEST(AlphaBetaFit, RejectsUnsortedSizesAndNonPositiveTimes)
{
  EXPECT_THROW(fit_piecewise({2, 1}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(fit_piecewise({1, 2}, {1, 0}), std::invalid_argument);
  EXPECT_THROW(fit_piecewise({}, {}), std::invalid_argument);
}
