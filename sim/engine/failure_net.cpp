// Builds the failure simulation's platform (sim/engine/failure_net.hpp for why it is a file of its own).
#include "sim/engine/failure_net.hpp"

namespace gsim::failure_sim_detail {

namespace {
// Hosts only source and sink bytes; SimGrid needs a positive speed.
constexpr double kUnusedHostSpeed = 1.0;
} // namespace

NetLinks create_links(sg4::NetZone* root, const std::string& prefix, const FailureSimSetup& s)
{
  NetLinks l;
  l.storage = root->create_link(prefix + "storage", s.econ.storage_Bps)->seal();
  for (int i = 0; i < s.econ.instances; i++) {
    const std::string id = prefix + "i" + std::to_string(i);
    auto* nic            = root->create_split_duplex_link(id + "-nic", s.econ.instance_Bps);
    nic->set_latency(s.nic_latency_s)->seal();
    l.nic.push_back(nic);
    l.pcie.push_back(root->create_link(id + "-pcie", s.econ.local_restore_Bps)->set_latency(s.pcie_latency_s)->seal());
  }
  return l;
}

Net build_net(sg4::NetZone* root, const std::string& prefix, const NetLinks& l, const FailureSimSetup& s)
{
  using Dir = sg4::LinkInRoute::Direction;
  Net net;
  auto* sys = sg4::create_star_zone(prefix + "spine");
  sys->set_parent(root);
  for (int i = 0; i < s.econ.instances; i++) {
    auto* zone = sg4::create_full_zone(prefix + "i" + std::to_string(i));
    zone->set_parent(sys);
    const std::string id = prefix + "i" + std::to_string(i);
    sg4::Host* gpu       = zone->create_host(id + "-gpu", kUnusedHostSpeed)->seal();
    sg4::Host* cpu       = zone->create_host(id + "-cpu", kUnusedHostSpeed)->seal();
    zone->add_route(cpu->get_netpoint(), gpu->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(l.pcie[size_t(i)])},
                    true);
    zone->seal();
    sys->add_route(zone->get_netpoint(), nullptr, gpu->get_netpoint(), nullptr,
                   {sg4::LinkInRoute(l.nic[size_t(i)], Dir::UP)}, false);
    sys->add_route(nullptr, zone->get_netpoint(), nullptr, gpu->get_netpoint(),
                   {sg4::LinkInRoute(l.nic[size_t(i)], Dir::DOWN)}, false);
    net.cpu.push_back(cpu);
    net.gpu.push_back(gpu);
  }
  auto* store = sg4::create_full_zone(prefix + "storage");
  store->set_parent(sys);
  net.storage = store->create_host(prefix + "storage", kUnusedHostSpeed)->seal();
  store->seal();
  sys->add_route(store->get_netpoint(), nullptr, net.storage->get_netpoint(), nullptr, {sg4::LinkInRoute(l.storage)},
                 true);
  sys->seal();
  return net;
}

} // namespace gsim::failure_sim_detail
