#pragma once
// Many SimGrid flows started at one instant and waited for together (a collective's edges, a checkpoint leg's
// one flow per GPU). SimGrid 3.32 keeps every actor's ongoing activities in a list that each completed wait
// scans whole (ActorImpl::activities_, CommImpl::finish), so one actor waiting for n flows costs n^2 / 2 list
// steps: at 16,384 GPUs, 1.3e8 per checkpoint leg. The flows are therefore posted and waited in slices, each by
// an actor of its own, so that every list stays short; they start at the same simulated instant as from the
// caller, on the same routes, and the caller returns when the last one has arrived.
#include <simgrid/s4u.hpp>

#include <cstdint>
#include <vector>

namespace gsim {

struct Flow {
  simgrid::s4u::Host* src = nullptr;
  simgrid::s4u::Host* dst = nullptr;
  uint64_t bytes          = 0;
};

/** Sends every flow at once and returns when all have arrived (from a SimGrid actor). */
void send_all(const std::vector<Flow>& flows);

} // namespace gsim
