#pragma once
// The SimGrid platform of a cluster, built in C++ from a PlatformSpec (models/topology.hpp has the wiring
// and its picture). Zones: a star root (the non-blocking spine: no link between instances beyond their
// NICs) holding one full zone per instance (its GPUs, CPU and a gateway router) and the storage host.
#include "models/topology.hpp"

#include <simgrid/s4u.hpp>

#include <map>
#include <string>
#include <vector>

namespace gsim {

namespace sg4 = simgrid::s4u;

/** Sets SimGrid's network model for GPU fabrics. Must run after the Engine exists and before any
 *  zone is created (the model cannot change once the platform exists). */
void configure_network_model();

class Platform {
 public:
  /** Builds the zones, hosts, links and routes of `spec` in the running Engine. */
  explicit Platform(const PlatformSpec& spec);

  const PlatformSpec& spec() const { return spec_; }
  /** GPU of global rank `rank` (instance * gpus_per_instance + gpu). */
  sg4::Host* gpu(int rank) const { return gpus_.at(size_t(rank)); }
  sg4::Host* cpu(int instance) const { return cpus_.at(size_t(instance)); }
  sg4::Host* storage() const { return storage_; }
  /** The SimGrid link that carries `l` (for a split-duplex link, the direction `l.up` names). */
  sg4::Link* link(const LinkRef& l) const;

 private:
  void create_instance_links(sg4::NetZone* zone, int instance);
  void build_instance(sg4::NetZone* root, int instance);
  sg4::Link* create_link(sg4::NetZone* zone, const LinkRef& l);
  std::vector<sg4::LinkInRoute> links_in_route(const Route& r) const;

  PlatformSpec spec_;
  std::vector<sg4::Host*> gpus_;
  std::vector<sg4::Host*> cpus_;
  sg4::Host* storage_ = nullptr;
  std::map<std::string, sg4::SplitDuplexLink*> duplex_;
  std::map<std::string, sg4::Link*> simple_;
};

} // namespace gsim
