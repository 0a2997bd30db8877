#include "models/spaced_failures.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>

namespace gsim {
namespace {

double uniform01(std::mt19937_64& rng)
{
  return double(rng() >> 11) * 0x1.0p-53;
}

} // namespace

std::vector<FailureEvent> spaced_failures(const Placement& p, const SpacedFailures& s, uint64_t seed)
{
  const int n = p.instances;
  if (s.replaced < 0 || s.replaced > 2 || s.replaced > n)
    throw std::invalid_argument("spaced failures replace 0, 1 or 2 instances (at most the instances)");
  if (s.same_group && (s.replaced != 2 || p.replicas < 2))
    throw std::invalid_argument("same_group needs replaced = 2 and groups of at least two instances");
  if (s.replaced == 2 && not s.same_group && p.groups.size() < 2)
    throw std::invalid_argument("two instances of different groups need at least two groups");
  std::mt19937_64 rng(seed);
  std::vector<FailureEvent> out;
  for (int i = 0; i < s.events; i++) {
    FailureEvent ev;
    ev.time_s   = (i + uniform01(rng)) * s.spacing_s;
    ev.hardware = s.replaced > 0;
    const int a = std::min(n - 1, int(uniform01(rng) * n));
    ev.instances.push_back(a);
    if (s.replaced == 2) {
      const auto& peers = p.holders[size_t(a)]; // a's group mates: a first
      int b             = a;
      while (b == a || (std::find(peers.begin(), peers.end(), b) != peers.end()) != s.same_group)
        b = s.same_group ? peers[1 + size_t(uniform01(rng) * double(peers.size() - 1))]
                         : std::min(n - 1, int(uniform01(rng) * n));
      ev.instances.push_back(b);
      std::sort(ev.instances.begin(), ev.instances.end());
    }
    out.push_back(ev);
  }
  return out;
}

} // namespace gsim
