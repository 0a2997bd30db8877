// The seeded failure processes (models/failure_process.hpp): rates, shapes of the events, determinism.
#include "models/failure_process.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace gsim;

namespace {
FailureProcessSpec spec(FailureModel m)
{
  FailureProcessSpec s;
  s.instances             = 64;
  s.rate_per_instance_day = 0.5;
  s.hardware_fraction     = 0.3;
  s.model                 = m;
  s.simultaneous          = 3;
  s.domain_size           = 8;
  s.correlated_fraction   = 0.25;
  s.horizon_s             = 200 * 86400.0;
  s.seed                  = 7;
  return s;
}

// Instance failures in the events, over the expected N lambda T, in standard deviations of a Poisson count
// of events (each event carrying instances_per_event instances).
double instance_rate_error_sigmas(const FailureProcessSpec& s, const std::vector<FailureEvent>& ev)
{
  double failed = 0;
  for (const auto& e : ev)
    failed += double(e.instances.size());
  const double expected_events = events_per_s(s) * s.horizon_s;
  const double expected        = expected_events * instances_per_event(s);
  return (failed - expected) / (std::sqrt(expected_events) * instances_per_event(s));
}
} // namespace

TEST(FailureProcess, IndependentIsPoissonPerInstance)
{
  const auto s  = spec(FailureModel::independent);
  const auto ev = generate_failures(s);
  EXPECT_LT(std::abs(instance_rate_error_sigmas(s, ev)), 4);
  int hw = 0;
  std::vector<int> per(64, 0);
  for (size_t i = 0; i < ev.size(); i++) {
    ASSERT_EQ(ev[i].instances.size(), 1u);
    per[size_t(ev[i].instances[0])]++;
    hw += ev[i].hardware;
    if (i > 0) {
      EXPECT_LE(ev[i - 1].time_s, ev[i].time_s);
    }
    EXPECT_LT(ev[i].time_s, s.horizon_s);
  }
  const double n = double(ev.size());
  EXPECT_NEAR(hw / n, 0.3, 4 * std::sqrt(0.3 * 0.7 / n));
  for (int c : per) // 100 expected per instance
    EXPECT_NEAR(c, 100, 45);
}

TEST(FailureProcess, SimultaneousKeepsThePerInstanceRate)
{
  const auto s  = spec(FailureModel::simultaneous);
  const auto ev = generate_failures(s);
  EXPECT_LT(std::abs(instance_rate_error_sigmas(s, ev)), 4);
  for (const auto& e : ev) {
    ASSERT_EQ(e.instances.size(), 3u);
    EXPECT_LT(e.instances[0], e.instances[1]);
    EXPECT_LT(e.instances[1], e.instances[2]);
    EXPECT_GE(e.instances[0], 0);
    EXPECT_LT(e.instances[2], 64);
  }
}

TEST(FailureProcess, CorrelatedTakesWholeDomains)
{
  const auto s  = spec(FailureModel::correlated);
  const auto ev = generate_failures(s);
  EXPECT_LT(std::abs(instance_rate_error_sigmas(s, ev)), 4);
  int domains = 0;
  for (const auto& e : ev) {
    if (not e.correlated) {
      EXPECT_EQ(e.instances.size(), 1u);
      continue;
    }
    domains++;
    ASSERT_EQ(e.instances.size(), 8u);
    EXPECT_EQ(e.instances[0] % 8, 0);
    EXPECT_EQ(e.instances.back(), e.instances[0] + 7);
  }
  const double n = double(ev.size());
  EXPECT_NEAR(domains / n, 0.25, 4 * std::sqrt(0.25 * 0.75 / n));
}

TEST(FailureProcess, SeededAndDeterministic)
{
  auto s       = spec(FailureModel::correlated);
  const auto a = generate_failures(s);
  const auto b = generate_failures(s);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); i++) {
    EXPECT_EQ(a[i].time_s, b[i].time_s);
    EXPECT_EQ(a[i].instances, b[i].instances);
    EXPECT_EQ(a[i].hardware, b[i].hardware);
  }
  s.seed = 8;
  EXPECT_NE(generate_failures(s)[0].time_s, a[0].time_s);
  s.rate_per_instance_day = 0;
  EXPECT_TRUE(generate_failures(s).empty());
}
