#pragma once
// The optional failures.* keys that shape a run for one figure rather than model a cluster, read (validated,
// listed by `gemini-sim keys`) into FailureSpec with the rest of the experiment:
//   recovery_simulation_events (default 0): the recovery_simulation stage's events (Fig 9);
//   counted_instances (default 0 = the run's): the instances whose failures the closed forms count (Fig 15b);
//   script {at_iterations, instances, hardware}: one failure instead of the process (Fig 14);
//   spaced {events, spacing_s, replaced, same_group}: models/spaced_failures.hpp (Fig 10).
#include "models/config.hpp"
#include "models/json_reader.hpp"

namespace gsim {

/** Reads the keys above from the experiment's `failures` object into `out`; `instances` bounds the instance ids.
 *  ConfigError naming the key. */
void read_figure_failure_keys(JsonReader& f, int instances, FailureSpec& out);

} // namespace gsim
