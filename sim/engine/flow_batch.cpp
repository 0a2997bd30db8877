#include "sim/engine/flow_batch.hpp"

#include <algorithm>

namespace gsim {

namespace {

// Flows per waiting actor: short lists, and few actors (16,384 flows: 128 of them).
constexpr size_t kSlice = 128;

void send_slice(const Flow* first, size_t n)
{
  std::vector<simgrid::s4u::CommPtr> comms;
  comms.reserve(n);
  for (size_t i = 0; i < n; i++)
    comms.push_back(simgrid::s4u::Comm::sendto_async(first[i].src, first[i].dst, first[i].bytes));
  simgrid::s4u::Comm::wait_all(comms);
}

} // namespace

void send_all(const std::vector<Flow>& flows)
{
  if (flows.size() <= kSlice) {
    send_slice(flows.data(), flows.size());
    return;
  }
  // The caller's own host runs the helpers (actors cost no simulated time); `flows` outlives them (joined).
  std::vector<simgrid::s4u::ActorPtr> helpers;
  for (size_t at = 0; at < flows.size(); at += kSlice) {
    const Flow* first = flows.data() + at;
    const size_t n    = std::min(kSlice, flows.size() - at);
    helpers.push_back(simgrid::s4u::Actor::create("flows", simgrid::s4u::this_actor::get_host(),
                                                  [first, n] { send_slice(first, n); }));
  }
  for (const auto& h : helpers)
    h->join();
}

} // namespace gsim
