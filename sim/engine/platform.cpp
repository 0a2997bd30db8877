#include "sim/engine/platform.hpp"

#include <cmath>
#include <stdexcept>

XBT_LOG_NEW_DEFAULT_CATEGORY(gsim_platform, "gemini-sim cluster platform");

namespace gsim {

namespace {
// CPU and storage hosts only source and sink bytes (copies, checkpoints); nothing executes on them, so
// their speed is never used. SimGrid needs a positive one.
constexpr double kUnusedHostSpeed = 1.0;
} // namespace

void configure_network_model()
{
  // SimGrid's default network model (LV08) is calibrated for TCP over a WAN: a latency factor of 13.01,
  // a bandwidth factor of 0.97 and ACK cross-traffic on the reverse route. CM02 is the plain max-min
  // model (factors 1, no RTT-weighted sharing). Cross-traffic off: NVLink, PCIe and EFA (SRD) have no
  // TCP ACK stream sharing the reverse direction. TCP-gamma 0: the 4 MiB TCP window would cap every flow
  // at gamma / (2 x route latency), which halved a 128-GPU ring on NVLink-class links
  // (shared/simgrid-notes.md). Efficiencies come from the calibration instead (models/topology.cpp).
  xbt_log_control_set("xbt_cfg.thres:warning"); // no "Configuration change" chatter on stderr
  sg4::Engine::set_config("network/model:CM02");
  sg4::Engine::set_config("network/crosstraffic:0");
  sg4::Engine::set_config("network/TCP-gamma:0");
}

Platform::Platform(const PlatformSpec& spec) : spec_(spec)
{
  auto* root = sg4::create_star_zone("cluster");
  gpus_.resize(size_t(spec_.gpus()), nullptr);
  cpus_.resize(size_t(spec_.instances), nullptr);
  // Every link lives in the root zone and is created before any child zone exists: SimGrid 3.32 checks
  // each new link's name against every zone of the tree, which is quadratic in the instances otherwise
  // (8 s for 1000 instances; links are global, so routes in any zone can use them).
  for (int i = 0; i < spec_.instances; i++)
    create_instance_links(root, i);
  sg4::Link* store = create_link(root, LinkRef{LinkKind::storage, 0, 0, -1, true});
  for (int i = 0; i < spec_.instances; i++)
    build_instance(root, i);

  // The storage sits in a zone of its own (hierarchical routing needs every child of the root to be a
  // zone), and is that zone's gateway.
  auto* store_zone = sg4::create_full_zone("remote-storage");
  store_zone->set_parent(root);
  storage_ = store_zone->create_host("storage", kUnusedHostSpeed)->seal();
  store_zone->seal();
  root->add_route(store_zone->get_netpoint(), nullptr, storage_->get_netpoint(), nullptr, {sg4::LinkInRoute(store)},
                  true);
  root->seal();
  XBT_DEBUG("platform: %d instances x %d GPUs, %d NICs each", spec_.instances, spec_.gpus_per_instance, spec_.nics);
}

sg4::Link* Platform::create_link(sg4::NetZone* zone, const LinkRef& l)
{
  const std::string name = link_name(l);
  const LinkParams p     = link_params(spec_, l);
  // SimGrid aborts on a zero or non-finite capacity ("duration is not finite"); validation refuses such
  // configs, so this is a bug guard, not a user message.
  if (not(p.bandwidth_Bps > 0) || not std::isfinite(p.bandwidth_Bps) || not(p.latency_s >= 0))
    throw std::logic_error("link " + name + " has no usable capacity or latency");
  if (is_split_duplex(l.kind)) {
    auto* d = zone->create_split_duplex_link(name, p.bandwidth_Bps);
    d->set_latency(p.latency_s)->seal();
    duplex_[name] = d;
    return d;
  }
  auto* s = zone->create_link(name, p.bandwidth_Bps);
  s->set_latency(p.latency_s)->seal();
  simple_[name] = s;
  return s;
}

sg4::Link* Platform::link(const LinkRef& l) const
{
  const std::string name = link_name(l);
  if (auto it = duplex_.find(name); it != duplex_.end())
    return l.up ? it->second->get_link_up() : it->second->get_link_down();
  if (auto it = simple_.find(name); it != simple_.end())
    return it->second;
  throw std::out_of_range("no link " + name + " in the platform");
}

std::vector<sg4::LinkInRoute> Platform::links_in_route(const Route& r) const
{
  std::vector<sg4::LinkInRoute> out;
  for (const auto& l : r) {
    const auto name = link_name(l);
    if (auto it = duplex_.find(name); it != duplex_.end())
      out.emplace_back(it->second, l.up ? sg4::LinkInRoute::Direction::UP : sg4::LinkInRoute::Direction::DOWN);
    else
      out.emplace_back(simple_.at(name));
  }
  return out;
}

// Per GPU its NVLink port (NVSwitch) and PCIe link; per NVLinked pair its link (cube-mesh, pair); per PCIe
// switch its uplink; per NIC its link.
void Platform::create_instance_links(sg4::NetZone* zone, int i)
{
  const int g_count = spec_.gpus_per_instance;
  for (int g = 0; g < g_count; g++) {
    if (spec_.intra == IntraNode::nvswitch && g_count > 1)
      create_link(zone, LinkRef{LinkKind::nvlink, i, g, -1, true});
    create_link(zone, LinkRef{LinkKind::pcie, i, g, -1, true});
    for (int h = g + 1; h < g_count; h++) {
      const bool linked = spec_.intra == IntraNode::nvlink_pair ||
                          (spec_.intra == IntraNode::nvlink_cube_mesh && cube_mesh_bricks(g, h) > 0);
      if (linked)
        create_link(zone, LinkRef{LinkKind::nvlink, i, g, h, true});
    }
  }
  for (int s = 0; s < spec_.pcie_switches(); s++)
    create_link(zone, LinkRef{LinkKind::pcie_uplink, i, s, -1, true});
  for (int n = 0; n < spec_.nic_ports(); n++)
    create_link(zone, LinkRef{LinkKind::nic, i, n, -1, true});
}

void Platform::build_instance(sg4::NetZone* root, int i)
{
  const int g_count = spec_.gpus_per_instance;
  auto* zone        = sg4::create_full_zone("instance" + std::to_string(i));
  zone->set_parent(root);
  // append, not "i" + to_string(i) + "-": GCC 12 flags the latter with a false -Wrestrict (GCC bug 105329).
  const std::string prefix = std::string("i").append(std::to_string(i)).append("-");

  for (int g = 0; g < g_count; g++)
    gpus_[size_t(i * g_count + g)] = zone->create_host(prefix + "gpu" + std::to_string(g), spec_.gpu_flops)->seal();
  sg4::Host* cpu = cpus_[size_t(i)] = zone->create_host(prefix + "cpu", kUnusedHostSpeed)->seal();

  // Routes, each direction given explicitly (the reverse of a route is its links reversed, each in the
  // other direction: models/topology.cpp's reversed()).
  auto add = [&](sg4::Host* a, sg4::Host* b, const Route& r) {
    zone->add_route(a->get_netpoint(), b->get_netpoint(), nullptr, nullptr, links_in_route(r), false);
    zone->add_route(b->get_netpoint(), a->get_netpoint(), nullptr, nullptr, links_in_route(reversed(r)), false);
  };
  for (int a = 0; a < g_count; a++) {
    for (int b = a + 1; b < g_count; b++)
      add(gpus_[size_t(i * g_count + a)], gpus_[size_t(i * g_count + b)], gpu_to_gpu(spec_, i, a, b));
    add(gpus_[size_t(i * g_count + a)], cpu, gpu_to_cpu(spec_, i, a));
  }
  if (spec_.nics > 0) {
    auto* gw = zone->create_router(prefix + "gw");
    for (int g = 0; g < g_count; g++) {
      const auto r = gpu_to_network(spec_, i, g);
      zone->add_route(gpus_[size_t(i * g_count + g)]->get_netpoint(), gw, nullptr, nullptr, links_in_route(r), false);
      zone->add_route(gw, gpus_[size_t(i * g_count + g)]->get_netpoint(), nullptr, nullptr, links_in_route(reversed(r)),
                      false);
    }
    const auto r = cpu_to_network(spec_, i);
    zone->add_route(cpu->get_netpoint(), gw, nullptr, nullptr, links_in_route(r), false);
    zone->add_route(gw, cpu->get_netpoint(), nullptr, nullptr, links_in_route(reversed(r)), false);
    zone->seal();
    // The spine is non-blocking: between two instances nothing but their NICs (in the routes above).
    root->add_route(zone->get_netpoint(), nullptr, gw, nullptr, {}, true);
  } else {
    zone->seal();
  }
}

} // namespace gsim
