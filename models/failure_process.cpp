#include "models/failure_process.hpp"
#include "models/units.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace gsim {

namespace {

// Portable draws: the standard distributions differ between library implementations.
double uniform01(std::mt19937_64& rng)
{
  return double(rng() >> 11) * 0x1.0p-53; // [0, 1)
}

int uniform_int(std::mt19937_64& rng, int n)
{
  return std::min(n - 1, int(uniform01(rng) * n));
}

double exponential(std::mt19937_64& rng, double rate)
{
  return -std::log1p(-uniform01(rng)) / rate;
}

// k distinct instances of n, sorted (Floyd's sampling).
std::vector<int> distinct(std::mt19937_64& rng, int n, int k)
{
  std::vector<int> out;
  for (int j = n - k; j < n; j++) {
    const int t = uniform_int(rng, j + 1);
    out.push_back(std::find(out.begin(), out.end(), t) == out.end() ? t : j);
  }
  std::sort(out.begin(), out.end());
  return out;
}

int domains(const FailureProcessSpec& s)
{
  return (s.instances + s.domain_size - 1) / s.domain_size;
}
} // namespace

FailureProcessSpec failure_process_spec(const FailureSpec& f, int instances, uint64_t seed, double horizon_s)
{
  FailureProcessSpec s;
  s.instances             = instances;
  s.rate_per_instance_day = f.rate_per_instance_day;
  s.hardware_fraction     = f.hardware_fraction;
  s.model                 = f.model;
  s.simultaneous          = f.simultaneous;
  s.domain_size           = std::min(f.correlated_group_size, instances);
  s.correlated_fraction   = f.correlated_fraction;
  s.horizon_s             = horizon_s;
  s.seed                  = seed;
  return s;
}

double instances_per_event(const FailureProcessSpec& s)
{
  switch (s.model) {
  case FailureModel::independent:
    return 1;
  case FailureModel::simultaneous:
    return s.simultaneous;
  case FailureModel::correlated:
    // A domain is chosen uniformly; the last one may be smaller than g.
    return (1 - s.correlated_fraction) + s.correlated_fraction * double(s.instances) / domains(s);
  }
  return 1;
}

double events_per_s(const FailureProcessSpec& s)
{
  return s.instances * s.rate_per_instance_day / kSecondsPerDay / instances_per_event(s);
}

std::vector<FailureEvent> generate_failures(const FailureProcessSpec& s)
{
  if (s.instances < 1 || s.simultaneous < 1 || s.simultaneous > s.instances || s.domain_size < 1)
    throw std::invalid_argument("generate_failures: needs 1 <= k <= N instances and a domain size >= 1");
  std::vector<FailureEvent> out;
  if (not(s.rate_per_instance_day > 0) || not(s.horizon_s > 0))
    return out;
  std::mt19937_64 rng(s.seed);
  if (s.model == FailureModel::independent) {
    // One exponential clock per instance (the superposition is Poisson at N lambda; drawing them per
    // instance keeps each instance's own sequence independent of N's other members).
    const double rate = s.rate_per_instance_day / kSecondsPerDay;
    for (int i = 0; i < s.instances; i++)
      for (double t = exponential(rng, rate); t < s.horizon_s; t += exponential(rng, rate))
        out.push_back({t, {i}, false, false});
    std::sort(out.begin(), out.end(), [](const FailureEvent& a, const FailureEvent& b) {
      return a.time_s != b.time_s ? a.time_s < b.time_s : a.instances < b.instances;
    });
    for (auto& ev : out) // hardware draws in time order, after the times
      ev.hardware = uniform01(rng) < s.hardware_fraction;
    return out;
  }
  const double rate = events_per_s(s);
  for (double t = exponential(rng, rate); t < s.horizon_s; t += exponential(rng, rate)) {
    FailureEvent ev;
    ev.time_s = t;
    if (s.model == FailureModel::simultaneous) {
      ev.instances = distinct(rng, s.instances, s.simultaneous);
    } else if (uniform01(rng) < s.correlated_fraction) {
      const int d    = uniform_int(rng, domains(s));
      ev.correlated  = true;
      const int last = std::min(s.instances, (d + 1) * s.domain_size);
      for (int i = d * s.domain_size; i < last; i++)
        ev.instances.push_back(i);
    } else {
      ev.instances = {uniform_int(rng, s.instances)};
    }
    ev.hardware = uniform01(rng) < s.hardware_fraction;
    out.push_back(std::move(ev));
  }
  return out;
}

} // namespace gsim
