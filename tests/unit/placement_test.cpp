// Placement (Algorithm 1, paper Fig 3) and the recovery probability three ways: closed form,
// exact enumeration and Monte Carlo, held against each other.
#include "models/placement.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace gsim;
using Lists = std::vector<std::vector<int>>;

// Paper Fig 3a: group, N = 4, m = 2 (instances 1..4 in the paper are 0..3 here).
TEST(Placement, Fig3aGroup)
{
  const auto p = make_placement(4, 2, PlacementKind::group);
  EXPECT_EQ(p.used, PlacementKind::group);
  EXPECT_EQ(p.groups, (Lists{{0, 1}, {2, 3}}));
  EXPECT_EQ(p.holders, (Lists{{0, 1}, {1, 0}, {2, 3}, {3, 2}}));
}

// Paper Fig 3b: ring, N = 4, m = 2: instance i keeps its copy and sends one to i + 1 mod N.
TEST(Placement, Fig3bRing)
{
  const auto p = make_placement(4, 2, PlacementKind::ring);
  EXPECT_EQ(p.used, PlacementKind::ring);
  EXPECT_EQ(p.groups, (Lists{{0, 1, 2, 3}}));
  EXPECT_EQ(p.holders, (Lists{{0, 1}, {1, 2}, {2, 3}, {3, 0}}));
}

// Paper Fig 3c: mixed, N = 5, m = 2: the first two instances form a group, the last three a ring.
TEST(Placement, Fig3cMixed)
{
  const auto p = make_placement(5, 2, PlacementKind::mixed);
  EXPECT_EQ(p.used, PlacementKind::mixed);
  EXPECT_EQ(p.groups, (Lists{{0, 1}, {2, 3, 4}}));
  EXPECT_EQ(p.holders, (Lists{{0, 1}, {1, 0}, {2, 3}, {3, 4}, {4, 2}}));
}

TEST(Placement, MixedDegeneratesToGroupWhenReplicasDivideInstances)
{
  const auto p = make_placement(6, 3, PlacementKind::mixed);
  EXPECT_EQ(p.used, PlacementKind::group);
  EXPECT_EQ(p.groups, (Lists{{0, 1, 2}, {3, 4, 5}}));
  EXPECT_EQ(p.holders[4], (std::vector<int>{4, 5, 3}));
}

TEST(Placement, MixedLastGroupIsARingOfTheLeftoverInstances)
{
  // N = 11, m = 3: g = 3; groups {0,1,2}, {3,4,5}, {6..10}; the last five form a ring with m = 3.
  const auto p = make_placement(11, 3, PlacementKind::mixed);
  EXPECT_EQ(p.groups.size(), 3u);
  EXPECT_EQ(p.groups.back(), (std::vector<int>{6, 7, 8, 9, 10}));
  EXPECT_EQ(p.holders[9], (std::vector<int>{9, 10, 6}));
  EXPECT_EQ(p.holders[1], (std::vector<int>{1, 2, 0}));
  for (const auto& h : p.holders)
    EXPECT_EQ(h.size(), 3u);
}

TEST(Placement, RejectsImpossibleArguments)
{
  EXPECT_THROW(make_placement(5, 2, PlacementKind::group), std::invalid_argument);
  EXPECT_THROW(make_placement(3, 4, PlacementKind::mixed), std::invalid_argument);
  EXPECT_THROW(make_placement(3, 0, PlacementKind::ring), std::invalid_argument);
}

// Paper §4: with N = 4, m = 2 and two simultaneous failures, group fails only for {1,2} and {3,4}
// (2 of the 6 pairs), ring for any two neighbours (4 of 6).
TEST(Recovery, PaperFourInstanceExample)
{
  EXPECT_DOUBLE_EQ(recovery_probability_exact(make_placement(4, 2, PlacementKind::group), 2), 4.0 / 6);
  EXPECT_DOUBLE_EQ(recovery_probability_exact(make_placement(4, 2, PlacementKind::ring), 2), 2.0 / 6);
}

// Paper §4 / Fig 9, N = 16, m = 2: 93.3 % for k = 2 and 80.0 % for k = 3, by hand:
// 1 - 8 C(14,0)/C(16,2) = 1 - 8/120 and 1 - 8 C(14,1)/C(16,3) = 1 - 112/560.
TEST(Recovery, GroupClosedFormByHand)
{
  EXPECT_DOUBLE_EQ(group_recovery_closed_form(16, 2, 2).probability, 1 - 8.0 / 120);
  EXPECT_DOUBLE_EQ(group_recovery_closed_form(16, 2, 3).probability, 1 - 112.0 / 560);
  EXPECT_TRUE(group_recovery_closed_form(16, 2, 3).exact);
  EXPECT_FALSE(group_recovery_closed_form(16, 2, 4).exact);
  EXPECT_EQ(group_recovery_closed_form(16, 2, 1).probability, 1.0);
}

// The ring formula is exact for k <= m and only a lower bound beyond: at N = 16, m = 2, k = 3 it gives
// 1 - 16 C(14,1)/C(16,3) = 0.6 while the ring truly loses only the 208 sets with two neighbours
// (no-two-adjacent 3-sets of a 16-cycle: 16/13 C(13,3) = 352), so 352/560.
TEST(Recovery, RingFormulaIsOnlyABoundBeyondKEqualsM)
{
  const auto f = ring_recovery_closed_form(16, 2, 3);
  EXPECT_DOUBLE_EQ(f.probability, 0.6);
  EXPECT_FALSE(f.exact);
  EXPECT_DOUBLE_EQ(recovery_probability_exact(make_placement(16, 2, PlacementKind::ring), 3), 352.0 / 560);
  EXPECT_TRUE(ring_recovery_closed_form(16, 2, 2).exact);
}

// Closed form == enumeration wherever the closed form says it is exact, and <= it elsewhere, over
// every small (N, m, k).
TEST(Recovery, ClosedFormsAgreeWithEnumeration)
{
  int exact_cases = 0, bound_cases = 0, strict_bounds = 0;
  for (int n = 1; n <= 14; n++)
    for (int m = 1; m <= std::min(n, 4); m++)
      for (int k = 0; k <= n; k++) {
        const auto ring         = ring_recovery_closed_form(n, m, k);
        const double ring_exact = recovery_probability_exact(make_placement(n, m, PlacementKind::ring), k);
        std::vector<std::pair<ClosedForm, double>> cases = {{ring, ring_exact}};
        if (n % m == 0)
          cases.push_back({group_recovery_closed_form(n, m, k),
                           recovery_probability_exact(make_placement(n, m, PlacementKind::group), k)});
        for (const auto& [cf, exact] : cases) {
          SCOPED_TRACE("N=" + std::to_string(n) + " m=" + std::to_string(m) + " k=" + std::to_string(k));
          if (cf.exact) {
            EXPECT_NEAR(cf.probability, exact, 1e-12);
            exact_cases++;
          } else {
            EXPECT_LE(cf.probability, exact + 1e-12);
            bound_cases++;
            strict_bounds += cf.probability < exact - 1e-9;
          }
        }
      }
  EXPECT_GT(exact_cases, 100);
  EXPECT_GT(strict_bounds, 10); // the bound is a real bound, not equality in disguise
  EXPECT_GE(bound_cases, strict_bounds);
}

// Monte Carlo lands within 4 standard errors of the exact value, mixed placements included.
TEST(Recovery, MonteCarloAgreesWithEnumeration)
{
  struct Case {
    int n, m, k;
    PlacementKind kind;
  };
  for (const Case& c :
       {Case{5, 2, 2, PlacementKind::mixed}, Case{13, 3, 4, PlacementKind::mixed}, Case{17, 2, 3, PlacementKind::mixed},
        Case{16, 2, 4, PlacementKind::group}, Case{20, 2, 5, PlacementKind::ring}}) {
    const auto p    = make_placement(c.n, c.m, c.kind);
    const double ex = recovery_probability_exact(p, c.k);
    const auto mc   = recovery_probability_monte_carlo(p, c.k, 200000, 42);
    SCOPED_TRACE("N=" + std::to_string(c.n) + " k=" + std::to_string(c.k));
    EXPECT_GT(mc.standard_error, 0);
    EXPECT_LE(std::abs(mc.probability - ex), 4 * mc.standard_error);
    EXPECT_EQ(mc.probability, recovery_probability_monte_carlo(p, c.k, 200000, 42).probability); // seeded
  }
}

// Mixed, N = 5, m = 2 (Fig 3c), k = 2: lost sets are the group pair {0,1} and any two of the ring
// {2,3,4} (each pair holds some i and its only peer): 1 + 3 of C(5,2) = 10.
TEST(Recovery, MixedFiveInstancesByHand)
{
  const auto p = make_placement(5, 2, PlacementKind::mixed);
  EXPECT_DOUBLE_EQ(recovery_probability_exact(p, 2), 6.0 / 10);
  EXPECT_FALSE(recoverable(p, {0, 0, 1, 0, 1})); // 4 held only by 4 and 2
  EXPECT_TRUE(recoverable(p, {1, 0, 1, 0, 0}));  // 0 on 1, 2 on 3
}

TEST(Recovery, LargeClusterClosedFormsAreFinite)
{
  // N = 2048, m = 2, k = 3: 1 - (2048/2) * 3*2 / (2048*2047) = 1 - 3/2047.
  EXPECT_NEAR(group_recovery_closed_form(2048, 2, 3).probability, 1 - 3.0 / 2047, 1e-15);
  EXPECT_NEAR(ring_recovery_closed_form(2048, 2, 2).probability, 1 - 2.0 / 2047, 1e-15);
  const double p = group_recovery_closed_form(2048, 8, 15).probability;
  EXPECT_GT(p, 0.99);
  EXPECT_LT(p, 1.0);
  EXPECT_NEAR(std::exp(double(log_binomial(10, 3))), 120, 1e-9);
  // Stirling: ln C(2n, n) ~ 2n ln 2 - ln sqrt(pi n) - 1/(8n), here 1419.5654 - 4.0382 - 0.0001.
  EXPECT_NEAR(double(log_binomial(2048, 1024)), 1415.5272, 1e-3);
}

TEST(Recovery, BestMethodIsChosenAndNamed)
{
  EXPECT_EQ(recovery_probability(make_placement(16, 2, PlacementKind::mixed), 2, 1).method, "closed_form");
  EXPECT_EQ(recovery_probability(make_placement(17, 2, PlacementKind::mixed), 3, 1).method, "exact_enumeration");
  EXPECT_EQ(recovery_probability(make_placement(17, 2, PlacementKind::mixed), 1, 1).method, "closed_form");
  const auto mc = recovery_probability(make_placement(2001, 2, PlacementKind::mixed), 6, 7, 1e6, 20000);
  EXPECT_EQ(mc.method, "monte_carlo");
  EXPECT_GT(mc.standard_error, 0);
  EXPECT_THROW(recovery_probability_exact(make_placement(2001, 2, PlacementKind::mixed), 6, 1e6),
               std::invalid_argument);
}
