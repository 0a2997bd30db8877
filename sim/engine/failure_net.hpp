#pragma once
// The failure simulation's platform (sim/engine/failure_sim.hpp describes it): one copy per group of
// systems that recover alike. Its own file so that building the SimGrid zones reads apart from the actors
// that use them (issue 10: files under ~400 lines).
#include "sim/engine/failure_sim.hpp"
#include "sim/engine/platform.hpp" // sg4

#include <simgrid/s4u.hpp>

#include <string>
#include <vector>

namespace gsim::failure_sim_detail {

// One system's copy of the platform.
struct Net {
  std::vector<sg4::Host*> cpu; // CPU memory of instance i
  std::vector<sg4::Host*> gpu; // the GPUs of instance i
  sg4::Host* storage = nullptr;
};

// The links of one system, created in the root zone before any child zone exists (SimGrid 3.32 checks a
// new link's name against every zone of the tree: quadratic otherwise, sim/engine/platform.cpp).
struct NetLinks {
  sg4::Link* storage = nullptr;
  std::vector<sg4::SplitDuplexLink*> nic;
  std::vector<sg4::Link*> pcie;
};

NetLinks create_links(sg4::NetZone* root, const std::string& prefix, const FailureSimSetup& s);

// A star zone per system (routes through the non-blocking spine are each end's link: O(1) to resolve),
// holding a full zone per instance (CPU and GPU hosts, the PCIe link between them; the GPU host is the
// gateway, so network traffic lands in GPU memory) and one for the storage.
Net build_net(sg4::NetZone* root, const std::string& prefix, const NetLinks& l, const FailureSimSetup& s);

} // namespace gsim::failure_sim_detail
