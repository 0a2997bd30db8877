#pragma once
// Seeded failure processes for long training runs (issue 6): when instances fail, which ones, and
// whether the failure needs a replaced machine (hardware) or only a restart (software, paper §6).
//
// Models (failures.model):
//   * independent:  every instance fails on its own exponential clock at rate_per_instance_day; one
//                   instance per event. Failures overlapping a recovery are what makes them "simultaneous".
//   * simultaneous: events take down k = failures.simultaneous uniformly chosen instances at once (the
//                   paper's k of Corollary 1); events arrive at rate N lambda / k, so each instance still
//                   fails at lambda a day on average.
//   * correlated:   a share correlated_fraction of events takes down a whole failure domain (a switch or
//                   a rack: correlated_group_size consecutive instances d g .. d g + g - 1, the last domain
//                   possibly smaller), the rest one instance; events arrive at N lambda / E[instances per
//                   event] so that lambda stays the per-instance rate. The paper's formulas do not cover it.
// Every event is independently hardware with probability hardware_fraction.
#include "models/config.hpp"

#include <cstdint>
#include <vector>

namespace gsim {

struct FailureEvent {
  double time_s = 0;          // from the start of the run
  std::vector<int> instances; // the instances that fail, sorted, distinct (0 .. N-1)
  bool hardware   = false;    // their CPU memory is lost and the machines are replaced
  bool correlated = false;    // a whole failure domain at once
};

struct FailureProcessSpec {
  int instances                = 0;
  double rate_per_instance_day = 0;
  double hardware_fraction     = 0;
  FailureModel model           = FailureModel::independent;
  int simultaneous             = 1; // k (simultaneous model)
  int domain_size              = 1; // g (correlated model)
  double correlated_fraction   = 0; // c (correlated model)
  double horizon_s             = 0;
  uint64_t seed                = 1;
};

/** The failure process `f` of `instances` instances over `horizon_s` seconds, drawn from `seed`. */
FailureProcessSpec failure_process_spec(const FailureSpec& f, int instances, uint64_t seed, double horizon_s);

/** Mean number of instances one event takes down. */
double instances_per_event(const FailureProcessSpec& s);

/** Mean number of failure events per second. */
double events_per_s(const FailureProcessSpec& s);

/** The events in [0, horizon_s), sorted by time; deterministic for a seed (std::mt19937_64 with
 *  portable draws, no std:: distributions). */
std::vector<FailureEvent> generate_failures(const FailureProcessSpec& s);

} // namespace gsim
