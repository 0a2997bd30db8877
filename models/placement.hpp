#pragma once
// Checkpoint placement (paper §4, Algorithm 1, Theorem 1, Corollary 1) and the probability that k
// simultaneous instance failures can all be recovered from CPU memory.
//
// Instances are numbered 0 .. N-1 here (the paper's figures count from 1). An instance's checkpoint
// is recoverable from CPU memory when at least one instance holding a replica of it survives.
//
// The probability is computed three ways that the tests hold against each other:
//   * closed forms (Corollary 1 / Expression 3 for group, the artifact's ring formula), exact only
//     in the ranges documented on each function and lower bounds elsewhere;
//   * exact enumeration of all C(N, k) failure sets over the placement's holder lists (any placement,
//     mixed included; small N and k);
//   * seeded Monte Carlo over the same holder lists (any N), with its standard error.
#include "models/config.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gsim {

struct Placement {
  int instances       = 0; // N
  int replicas        = 0; // m: the local copy + (m - 1) peers
  PlacementKind asked = PlacementKind::mixed;
  PlacementKind used  = PlacementKind::mixed; // Algorithm 1's answer: mixed degenerates to group when m | N
  std::vector<std::vector<int>> groups;       // Algorithm 1's groups; ring: one group of all N
  std::vector<std::vector<int>> holders;      // holders[i]: instances holding i's replicas, i first, then m-1 peers
};

/** The placement of `replicas` replicas over `instances` instances. Throws std::invalid_argument when
 *  m < 1, m > N, or group is asked for with m not dividing N (use mixed: Algorithm 1). */
Placement make_placement(int instances, int replicas, PlacementKind kind);

/** Whether every failed instance (failed[i] != 0) still has a surviving holder of its replica. */
bool recoverable(const Placement& p, const std::vector<char>& failed);

/** ln C(n, k), through lgamma in long double (fine for n in the millions). */
long double log_binomial(int n, int k);

/** A closed form's value and whether it is exact at these arguments (else a lower bound). */
struct ClosedForm {
  double probability = 0;
  bool exact         = false;
};

/** Corollary 1 / Expression (3), group placement (needs m | N): 1 for k < m, else
 *  max(0, 1 - N C(N-m, k-m) / (m C(N, k))); exact for k < 2m (at most one group can fail whole), a
 *  union-bound lower bound beyond. */
ClosedForm group_recovery_closed_form(int instances, int replicas, int failures);

/** The artifact's ring formula (AE_figures.ipynb, paper Fig 9): 1 for k < m, else
 *  max(0, 1 - N C(N-m, k-m) / C(N, k)). Ring loses instance i exactly when the m consecutive instances
 *  i .. i+m-1 (cyclic) all fail; the formula counts such windows over the C(N,k) sets. It is exact for
 *  k <= m (a bad set then holds exactly one window) and a lower bound for k > m: a set containing a
 *  run of r >= m failed consecutive instances is counted r - m + 1 times (at N = 16, m = 2, k = 3 the
 *  formula gives 0.600, the ring's true probability is 352/560 = 0.629). */
ClosedForm ring_recovery_closed_form(int instances, int replicas, int failures);

/** Exact probability by enumerating all C(N, k) failure sets; throws std::invalid_argument when
 *  C(N, k) exceeds `max_sets` (the cost is C(N, k) * k * m steps). */
double recovery_probability_exact(const Placement& p, int failures, double max_sets = 5e7);

struct MonteCarloEstimate {
  double probability    = 0;
  double standard_error = 0; // sqrt(p (1 - p) / samples)
  int64_t samples       = 0;
};

/** Monte Carlo over uniformly random k-subsets (std::mt19937_64 seeded with `seed`; deterministic on
 *  every platform: the bounded draws do not use std::uniform_int_distribution). */
MonteCarloEstimate recovery_probability_monte_carlo(const Placement& p, int failures, int64_t samples, uint64_t seed);

/** The best available value: a closed form where it is exact, else enumeration when C(N, k) <=
 *  `max_exact_sets`, else Monte Carlo with `samples` draws. */
struct RecoveryProbability {
  double probability    = 0;
  double standard_error = 0; // 0 unless Monte Carlo
  std::string method;        // "closed_form", "exact_enumeration" or "monte_carlo"
};
RecoveryProbability recovery_probability(const Placement& p, int failures, uint64_t seed, double max_exact_sets = 2e7,
                                         int64_t samples = 1000000);

} // namespace gsim
