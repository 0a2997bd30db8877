#pragma once
// Failures placed by hand rather than drawn from a process (failures.spaced): `events` failures of
// `replaced` instances each (0: a software failure of one instance), one every spacing_s at a uniformly
// random phase, on uniformly random instances. With replaced = 2 the two instances are of different
// placement groups (recoverable from CPU memory), or of the same group when same_group (everyone reads
// remote storage). Paper Fig 10's bars: the mean wasted time per failure by replaced instances.
#include "models/failure_process.hpp"
#include "models/placement.hpp"

#include <cstdint>
#include <vector>

namespace gsim {

/** The events of `s` on placement `p`, seeded. Throws std::invalid_argument on replaced outside 0..2, or
 *  same_group without replaced = 2 or with a group of one. */
std::vector<FailureEvent> spaced_failures(const Placement& p, const SpacedFailures& s, uint64_t seed);

} // namespace gsim
