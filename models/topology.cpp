#include "models/topology.hpp"

#include "models/config_error.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace gsim {

namespace {

// DGX-1V hybrid cube-mesh, NVLink bricks per GPU pair (NVIDIA "DGX-1 with Tesla V100 System
// Architecture" white paper WP-08437-002, Fig. 1; `nvidia-smi topo -m` on p3dn.24xlarge prints the same
// NV1/NV2 table). Every row sums to 6 bricks, the V100's NVLink count. 0 = no NVLink (traffic goes
// through PCIe and the CPUs).
constexpr std::array<std::array<int, 8>, 8> kCubeMeshBricks = {{
    {0, 1, 1, 2, 2, 0, 0, 0},
    {1, 0, 2, 1, 0, 2, 0, 0},
    {1, 2, 0, 2, 0, 0, 1, 0},
    {2, 1, 2, 0, 0, 0, 0, 1},
    {2, 0, 0, 0, 0, 1, 1, 2},
    {0, 2, 0, 0, 1, 0, 2, 1},
    {0, 0, 1, 0, 1, 2, 0, 2},
    {0, 0, 0, 1, 2, 1, 2, 0},
}};
constexpr int kCubeMeshGpus                                 = 8;
constexpr int kCubeMeshBricksPerGpu                         = 6;

LinkRef link(LinkKind k, int instance, int a, bool up, int b = -1)
{
  return LinkRef{k, instance, a, b, up};
}

// The best Hamiltonian path over the cube-mesh from `entry`: the largest bottleneck (fewest bricks on its
// weakest edge), then an exit GPU that `exit_ok` accepts, then lexicographic order. `closed`: the path
// must also close into a cycle (a ring inside one instance). 7! candidates: cheap.
std::vector<int> best_cube_mesh_path(int entry, bool closed, const std::vector<bool>& exit_ok)
{
  std::vector<int> others;
  for (int g = 0; g < kCubeMeshGpus; g++)
    if (g != entry)
      others.push_back(g);
  std::vector<int> best;
  int best_score = -1;
  do {
    int bottleneck = kCubeMeshBricksPerGpu;
    int prev       = entry;
    for (int g : others) {
      bottleneck = std::min(bottleneck, kCubeMeshBricks[prev][g]);
      prev       = g;
    }
    if (closed)
      bottleneck = std::min(bottleneck, kCubeMeshBricks[prev][entry]);
    const int score = 2 * bottleneck + (exit_ok[prev] ? 1 : 0);
    if (score > best_score) {
      best_score = score;
      best       = others;
    }
  } while (std::next_permutation(others.begin(), others.end()));
  best.insert(best.begin(), entry);
  return best;
}

// The order of an instance's GPUs in channel c: from the GPU the ring enters by, through all others, to
// the GPU it leaves by. Entry and exit sit on the channel's NIC (NCCL puts one channel on each NIC).
std::vector<int> instance_path(const PlatformSpec& s, int channel, bool single_instance)
{
  const int g_count = s.gpus_per_instance;
  std::vector<int> group;
  for (int g = 0; g < g_count; g++)
    if (single_instance || s.nic_of(g) == channel)
      group.push_back(g);
  const int entry = group.front();
  if (s.intra == IntraNode::nvlink_cube_mesh) {
    std::vector<bool> exit_ok(kCubeMeshGpus, false);
    for (int g : group)
      exit_ok[g] = g != entry || group.size() == 1;
    return best_cube_mesh_path(entry, single_instance, exit_ok);
  }
  // NVSwitch and the pair: every GPU pair is equally connected; the exit is the group's last GPU. A port
  // of one GPU cannot be both entry and exit: the ring then runs entry, entry + 1, ... and leaves from
  // entry - 1 (cyclic), so every port carries one channel out and one in (not all out of the last GPU).
  if (group.size() == 1) {
    std::vector<int> path;
    for (int d = 0; d < g_count; d++)
      path.push_back((entry + d) % g_count);
    return path;
  }
  const int exit = group.back();
  std::vector<int> path{entry};
  for (int g = 0; g < g_count; g++)
    if (g != entry && g != exit)
      path.push_back(g);
  path.push_back(exit);
  return path;
}

} // namespace

int cube_mesh_bricks(int a, int b)
{
  return kCubeMeshBricks.at(size_t(a)).at(size_t(b));
}

void check_topology(const PlatformSpec& s, const std::string& file)
{
  if (s.intra == IntraNode::nvlink_cube_mesh && s.gpus_per_instance != kCubeMeshGpus)
    throw ConfigError(file, "intra_node.kind",
                      "nvlink_cube_mesh is the DGX-1V wiring of 8 GPUs, not " + std::to_string(s.gpus_per_instance));
  if (s.intra == IntraNode::nvlink_pair && s.gpus_per_instance > 2)
    throw ConfigError(file, "intra_node.kind", "nvlink_pair links 2 GPUs, not " + std::to_string(s.gpus_per_instance));
  if (s.instances > 1 && s.nics < 1)
    throw ConfigError(file, "nic.count", "several instances need at least one NIC");
  if (s.nics > s.gpus_per_instance && s.nics % s.gpus_per_instance != 0)
    throw ConfigError(file, "nic.count",
                      std::to_string(s.nics) + " NICs above the " + std::to_string(s.gpus_per_instance) +
                          " GPUs must be a multiple of them (each GPU drives an equal share, as p5's 4 EFA per GPU)");
}

PlatformSpec platform_spec(const Experiment& e, const CostModel& cost, double message_bytes)
{
  const ClusterSpec& c = e.cluster;
  PlatformSpec s;
  s.instances            = e.instances;
  s.gpus_per_instance    = c.gpus_per_instance;
  s.intra                = c.intra_kind;
  s.gpu_flops            = c.gpu.peak_flops(e.training.precision);
  s.gpus_per_pcie_switch = c.gpus_per_pcie_switch;
  s.nics                 = c.nics;
  check_topology(s, c.file);

  // Capacities: datasheet x the calibrated efficiency. Latencies: the calibrated start-up latency of one
  // message on the fabric, split over the links a message of that fabric crosses, so that a route's
  // summed latency is the fabric's alpha.
  const double nv_eff = s.gpus_per_instance > 1 ? cost.link_efficiency(Fabric::nvlink, message_bytes) : 1.0;
  const double nv_lat = s.gpus_per_instance > 1 ? cost.link_latency_s(Fabric::nvlink) : 0.0;
  switch (s.intra) {
  case IntraNode::nvswitch: // a -> b crosses port a and port b
    s.nvlink = {c.intra_Bps * nv_eff, nv_lat / 2};
    break;
  case IntraNode::nvlink_cube_mesh: // intra_Bps is all 6 bricks of a GPU; a pair link has 1 or 2 bricks
    s.nvlink = {c.intra_Bps / kCubeMeshBricksPerGpu * nv_eff, nv_lat};
    break;
  case IntraNode::nvlink_pair:
    s.nvlink = {c.intra_Bps * nv_eff, nv_lat};
    break;
  }
  const double pcie_eff = cost.link_efficiency(Fabric::pcie, message_bytes);
  const double pcie_lat = cost.link_latency_s(Fabric::pcie);
  // The PCIe alpha sits on the switch uplink: GPU -> CPU pays it once, and GPU -> NIC on the GPU's own
  // switch (p4d) pays only the network's alpha, which nccl-tests measures end to end, PCIe included.
  s.pcie        = {c.pcie_Bps * pcie_eff, 0};
  s.pcie_uplink = {c.pcie_switch_Bps * pcie_eff, pcie_lat};
  // The NICs carry point-to-point traffic at its published efficiency. Where the cluster's published file fits
  // NCCL rings (network_published.hpp), a ring reaches its own efficiency at this run's instance count: its
  // bytes hold the NIC longer by the ratio (ring_nic_stretch), in every mode alike (sim/engine/collectives).
  const auto& net = c.network;
  if (s.nics > 0) {
    // A route across instances pays the network's alpha (two NIC links): the fitted ring step's where there is a
    // fit, so that a ring step moved as flows costs what the fit says; a checkpoint chunk of MBs then pays the
    // same few microseconds instead of the point-to-point 12.9 (it is bandwidth-bound either way).
    const double p2p_efficiency = cost.link_efficiency(Fabric::network, message_bytes);
    s.nic                       = {c.nic_Bps * p2p_efficiency,
                                   (net.ring.fitted ? net.ring_alpha_s() : cost.link_latency_s(Fabric::network)) / 2};
    if (net.ring.fitted)
      s.ring_nic_stretch = p2p_efficiency / net.ring_efficiency(s.instances);
  }
  if (s.nics > 0 && not(s.nic.bandwidth_Bps > 0)) // config validation refuses it; the engine must not divide by it
    throw ConfigError(c.file, "nic.bandwidth_Gbps", "must be positive when the cluster has NICs");
  // No published latency for the remote storage: checkpoints of GBs are bandwidth-bound there.
  s.storage = {e.storage.bandwidth_Bps, 0};
  if (s.gpus_per_instance > 1)
    s.ring_latency_s = nv_lat;
  // The fitted alpha is measured per step of whole rings across instances, NVLink hops included.
  if (s.instances > 1)
    s.ring_latency_s =
        net.ring.fitted ? net.ring_alpha_s() : std::max(s.ring_latency_s, cost.link_latency_s(Fabric::network));
  return s;
}

std::string link_name(const LinkRef& l)
{
  std::string i = "i"; // appended, not "i" + to_string(): GCC 12 warns falsely (-Wrestrict) on the latter
  i += std::to_string(l.instance);
  i += '-';
  switch (l.kind) {
  case LinkKind::nvlink:
    return l.b < 0 ? i + "gpu" + std::to_string(l.a) + "-nvl"
                   : i + "nvl" + std::to_string(l.a) + "-" + std::to_string(l.b);
  case LinkKind::pcie:
    return i + "gpu" + std::to_string(l.a) + "-pcie";
  case LinkKind::pcie_uplink:
    return i + "sw" + std::to_string(l.a) + "-uplink";
  case LinkKind::nic:
    return i + "nic" + std::to_string(l.a);
  case LinkKind::storage:
    return "storage";
  }
  throw std::logic_error("unknown LinkKind");
}

LinkParams link_params(const PlatformSpec& s, const LinkRef& l)
{
  switch (l.kind) {
  case LinkKind::nvlink:
    if (l.b >= 0) // cube-mesh pair: its bricks
      return {s.nvlink.bandwidth_Bps * cube_mesh_bricks(l.a, l.b), s.nvlink.latency_s};
    return s.nvlink;
  case LinkKind::pcie:
    return s.pcie;
  case LinkKind::pcie_uplink:
    return s.pcie_uplink;
  case LinkKind::nic: // a port: the NICs one GPU drives (nics_per_port), NCCL's channels spread over them
    return {s.nic.bandwidth_Bps * s.nics_per_port(), s.nic.latency_s};
  case LinkKind::storage:
    return s.storage;
  }
  throw std::logic_error("unknown LinkKind");
}

bool is_split_duplex(LinkKind kind)
{
  return kind != LinkKind::storage;
}

Route reversed(const Route& r)
{
  Route out(r.rbegin(), r.rend());
  for (auto& l : out)
    l.up = not l.up;
  return out;
}

Route gpu_to_cpu(const PlatformSpec& s, int instance, int gpu)
{
  return {link(LinkKind::pcie, instance, gpu, true), link(LinkKind::pcie_uplink, instance, s.switch_of(gpu), true)};
}

Route gpu_to_gpu(const PlatformSpec& s, int instance, int a, int b)
{
  if (a == b)
    return {};
  switch (s.intra) {
  case IntraNode::nvswitch:
    return {link(LinkKind::nvlink, instance, a, true), link(LinkKind::nvlink, instance, b, false)};
  case IntraNode::nvlink_pair:
    return {link(LinkKind::nvlink, instance, std::min(a, b), a < b, std::max(a, b))};
  case IntraNode::nvlink_cube_mesh:
    if (cube_mesh_bricks(a, b) > 0)
      return {link(LinkKind::nvlink, instance, std::min(a, b), a < b, std::max(a, b))};
    break; // no NVLink between them: PCIe
  }
  if (s.switch_of(a) == s.switch_of(b)) // peer-to-peer through the shared PCIe switch
    return {link(LinkKind::pcie, instance, a, true), link(LinkKind::pcie, instance, b, false)};
  Route r = gpu_to_cpu(s, instance, a);
  for (const auto& l : reversed(gpu_to_cpu(s, instance, b)))
    r.push_back(l);
  return r;
}

Route gpu_to_network(const PlatformSpec& s, int instance, int gpu)
{
  if (s.nics < 1)
    throw std::logic_error("gpu_to_network: the instance has no NIC");
  Route r{link(LinkKind::pcie, instance, gpu, true)};
  if (not s.nic_on_gpu_switch())
    r.push_back(link(LinkKind::pcie_uplink, instance, s.switch_of(gpu), true));
  r.push_back(link(LinkKind::nic, instance, s.nic_of(gpu), true));
  return r;
}

Route cpu_to_network(const PlatformSpec& s, int instance)
{
  if (s.nics < 1)
    throw std::logic_error("cpu_to_network: the instance has no NIC");
  // The CPU reaches NIC 0; when it sits on a PCIe switch, through that switch's uplink (downwards).
  Route r;
  if (s.nic_on_gpu_switch())
    r.push_back(link(LinkKind::pcie_uplink, instance, 0, false));
  r.push_back(link(LinkKind::nic, instance, 0, true));
  return r;
}

Route gpu_route(const PlatformSpec& s, int src_rank, int dst_rank)
{
  const int g  = s.gpus_per_instance;
  const int si = src_rank / g, di = dst_rank / g;
  if (si == di)
    return gpu_to_gpu(s, si, src_rank % g, dst_rank % g);
  Route r = gpu_to_network(s, si, src_rank % g);
  for (const auto& l : reversed(gpu_to_network(s, di, dst_rank % g)))
    r.push_back(l);
  return r;
}

double route_latency_s(const PlatformSpec& s, const Route& r)
{
  double t = 0;
  for (const auto& l : r)
    t += link_params(s, l).latency_s;
  return t;
}

Rings make_rings(const PlatformSpec& s)
{
  const bool single   = s.instances == 1;
  const int n_channel = single ? 1 : std::max(1, s.nic_ports());
  Rings rings;
  for (int c = 0; c < n_channel; c++) {
    const auto path = instance_path(s, c, single);
    std::vector<int> ring;
    ring.reserve(size_t(s.gpus()));
    for (int i = 0; i < s.instances; i++)
      for (int g : path)
        ring.push_back(i * s.gpus_per_instance + g);
    rings.channels.push_back(std::move(ring));
  }
  return rings;
}

} // namespace gsim
