#include "models/placement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

namespace gsim {

namespace {

// Members of one group of the group strategy: everyone holds everyone's replica; i lists itself
// first, then the others in group order starting after itself.
void hold_within_group(const std::vector<int>& group, std::vector<std::vector<int>>& holders)
{
  const size_t s = group.size();
  for (size_t j = 0; j < s; j++)
    for (size_t d = 0; d < s; d++)
      holders[group[j]].push_back(group[(j + d) % s]);
}

// A ring over `members`: member j keeps its local copy and sends to the next m-1 members (cyclic).
void hold_along_ring(const std::vector<int>& members, int m, std::vector<std::vector<int>>& holders)
{
  const size_t s = members.size();
  for (size_t j = 0; j < s; j++)
    for (size_t d = 0; d < size_t(m); d++)
      holders[members[j]].push_back(members[(j + d) % s]);
}

std::vector<int> range(int from, int to)
{
  std::vector<int> v(size_t(to - from));
  std::iota(v.begin(), v.end(), from);
  return v;
}

// N C(N-m, k-m) / C(N, k) = N prod_{j<m} (k-j)/(N-j): the number of (window or group, failure set)
// pairs per failure set. The product form has no factorials, so it neither overflows nor loses
// precision at N in the thousands.
long double windows_per_set(int n, int m, int k)
{
  long double r = n;
  for (int j = 0; j < m; j++)
    r *= (long double)(k - j) / (long double)(n - j);
  return r;
}

void check_arguments(int n, int m, int k)
{
  if (n < 1 || m < 1 || m > n || k < 0 || k > n)
    throw std::invalid_argument("recovery probability needs 1 <= m <= N and 0 <= k <= N");
}

// Whether failed instance i has lost every replica of its checkpoint.
bool lost(const Placement& p, const std::vector<char>& failed, int i)
{
  const auto& h = p.holders[size_t(i)];
  return std::all_of(h.begin(), h.end(), [&](int j) { return failed[size_t(j)] != 0; });
}

// recoverable() for a failure set given both as flags and as the list of its k members: only the
// failed instances need a look, which keeps Monte Carlo at O(k m) a sample on thousands of instances.
template <typename It> bool all_recoverable(const Placement& p, const std::vector<char>& failed, It first, It last)
{
  return std::none_of(first, last, [&](int i) { return lost(p, failed, i); });
}

// An unbiased draw in [0, n): rejection of the low (2^64 mod n) values, then modulo. Used instead of
// std::uniform_int_distribution, whose algorithm differs between standard libraries.
uint64_t uniform_below(std::mt19937_64& g, uint64_t n)
{
  const uint64_t threshold = (0 - n) % n;
  uint64_t x               = g();
  while (x < threshold)
    x = g();
  return x % n;
}

} // namespace

Placement make_placement(int instances, int replicas, PlacementKind kind)
{
  const int n = instances, m = replicas;
  if (m < 1 || m > n)
    throw std::invalid_argument("placement needs 1 <= replicas <= instances");
  if (kind == PlacementKind::group && n % m != 0)
    throw std::invalid_argument("group placement needs replicas to divide instances; use mixed");
  Placement p;
  p.instances = n;
  p.replicas  = m;
  p.asked     = kind;
  p.holders.assign(size_t(n), {});
  if (kind == PlacementKind::ring) {
    p.used = PlacementKind::ring;
    p.groups.push_back(range(0, n));
    hold_along_ring(p.groups.back(), m, p.holders);
    return p;
  }
  // Algorithm 1: g = floor(N/m) groups of m; the N mod m leftover instances join the last group,
  // which then places its replicas as a ring (paper §4: the last N - m(g-1) instances form a ring).
  const int g = n / m;
  for (int i = 0; i < g; i++)
    p.groups.push_back(range(m * i, m * i + m));
  const bool divides = n % m == 0;
  if (not divides)
    for (int i = g * m; i < n; i++)
      p.groups.back().push_back(i);
  p.used = divides ? PlacementKind::group : PlacementKind::mixed;
  for (size_t i = 0; i < p.groups.size(); i++) {
    const bool ring_group = not divides && i + 1 == p.groups.size();
    if (ring_group)
      hold_along_ring(p.groups[i], m, p.holders);
    else
      hold_within_group(p.groups[i], p.holders);
  }
  return p;
}

bool recoverable(const Placement& p, const std::vector<char>& failed)
{
  for (int i = 0; i < p.instances; i++)
    if (failed[size_t(i)] && lost(p, failed, i))
      return false;
  return true;
}

long double log_binomial(int n, int k)
{
  if (k < 0 || k > n)
    return -std::numeric_limits<long double>::infinity();
  return std::lgamma((long double)n + 1) - std::lgamma((long double)k + 1) - std::lgamma((long double)(n - k) + 1);
}

ClosedForm group_recovery_closed_form(int instances, int replicas, int failures)
{
  const int n = instances, m = replicas, k = failures;
  check_arguments(n, m, k);
  if (n % m != 0)
    throw std::invalid_argument("the group closed form needs replicas to divide instances");
  if (k < m)
    return {1.0, true};
  // N/m groups, each lost whole in C(N-m, k-m) of the C(N, k) sets (Appendix B, Eq 4). Two groups can
  // both be lost only when k >= 2m; below that the union bound is the exact count (Eq 5). With m = 1
  // every failure is lost, and the floor at 0 makes the bound exact too.
  const long double lost = windows_per_set(n, m, k) / m;
  return {double(std::max(0.0L, 1.0L - lost)), k < 2 * m || m == 1};
}

ClosedForm ring_recovery_closed_form(int instances, int replicas, int failures)
{
  const int n = instances, m = replicas, k = failures;
  check_arguments(n, m, k);
  if (k < m)
    return {1.0, true};
  const long double lost = windows_per_set(n, m, k);
  return {double(std::max(0.0L, 1.0L - lost)), k == m || m == 1};
}

double recovery_probability_exact(const Placement& p, int failures, double max_sets)
{
  const int n = p.instances, k = failures;
  check_arguments(n, p.replicas, k);
  const long double sets = std::exp(log_binomial(n, k));
  if (sets > (long double)max_sets)
    throw std::invalid_argument("C(" + std::to_string(n) + ", " + std::to_string(k) + ") failure sets exceed the " +
                                "enumeration budget; use Monte Carlo");
  // Lexicographic walk over k-subsets {c[0] < ... < c[k-1]}.
  std::vector<int> c = range(0, k);
  std::vector<char> failed(size_t(n), 0);
  for (int i : c)
    failed[size_t(i)] = 1;
  uint64_t good = 0, total = 0;
  while (true) {
    total++;
    good += all_recoverable(p, failed, c.begin(), c.end()) ? 1 : 0;
    int i = k - 1;
    while (i >= 0 && c[size_t(i)] == n - k + i)
      i--;
    if (i < 0)
      break;
    for (int j = i; j < k; j++)
      failed[size_t(c[size_t(j)])] = 0;
    c[size_t(i)]++;
    for (int j = i + 1; j < k; j++)
      c[size_t(j)] = c[size_t(j - 1)] + 1;
    for (int j = i; j < k; j++)
      failed[size_t(c[size_t(j)])] = 1;
  }
  return double(good) / double(total);
}

MonteCarloEstimate recovery_probability_monte_carlo(const Placement& p, int failures, int64_t samples, uint64_t seed)
{
  const int n = p.instances, k = failures;
  check_arguments(n, p.replicas, k);
  if (samples < 1)
    throw std::invalid_argument("Monte Carlo needs at least one sample");
  std::mt19937_64 g(seed);
  std::vector<int> perm = range(0, n);
  std::vector<char> failed(size_t(n), 0);
  int64_t good = 0;
  for (int64_t s = 0; s < samples; s++) {
    // Partial Fisher-Yates: the first k entries become a uniform k-subset whatever order `perm` was in,
    // so it need not be reset between samples.
    for (int i = 0; i < k; i++) {
      const auto j = size_t(i) + size_t(uniform_below(g, uint64_t(n - i)));
      std::swap(perm[size_t(i)], perm[j]);
      failed[size_t(perm[size_t(i)])] = 1;
    }
    good += all_recoverable(p, failed, perm.begin(), perm.begin() + k) ? 1 : 0;
    for (int i = 0; i < k; i++)
      failed[size_t(perm[size_t(i)])] = 0;
  }
  MonteCarloEstimate e;
  e.samples        = samples;
  e.probability    = double(good) / double(samples);
  e.standard_error = std::sqrt(e.probability * (1 - e.probability) / double(samples));
  return e;
}

RecoveryProbability recovery_probability(const Placement& p, int failures, uint64_t seed, double max_exact_sets,
                                         int64_t samples)
{
  ClosedForm cf;
  if (p.used == PlacementKind::group)
    cf = group_recovery_closed_form(p.instances, p.replicas, failures);
  else if (p.used == PlacementKind::ring)
    cf = ring_recovery_closed_form(p.instances, p.replicas, failures);
  else if (failures < p.replicas)
    cf = {1.0, true}; // fewer failures than replicas: some holder always survives
  if (cf.exact)
    return {cf.probability, 0, "closed_form"};
  if (log_binomial(p.instances, failures) <= std::log((long double)max_exact_sets))
    return {recovery_probability_exact(p, failures, max_exact_sets), 0, "exact_enumeration"};
  const auto mc = recovery_probability_monte_carlo(p, failures, samples, seed);
  return {mc.probability, mc.standard_error, "monte_carlo"};
}

} // namespace gsim
