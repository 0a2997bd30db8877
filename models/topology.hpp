#pragma once
// The cluster as the simulator wires it, without SimGrid: which links exist, their capacities and
// latencies, the route between two endpoints, and the rings NCCL builds over them. sim/engine/platform.cpp
// turns this into SimGrid zones, links and routes; sim/engine/collectives.cpp prices rings with the same
// routes (the analytic mode) or posts flows on them (the flow mode). One routing, two users.
//
// One instance (p4d shown: 8 GPUs, 4 PCIe switches, 4 NICs; p3dn: cube-mesh, 1 NIC):
//
//          gpu0 ... gpu7            intra: NVSwitch = one port link per GPU (a -> b: port a UP, port b DOWN)
//           |  \     |                     cube-mesh = one link per NVLinked pair (DGX-1V brick table)
//        pcie0 ... pcie7                   pair = one link between the two GPUs
//           |   \    |
//         sw0 ... sw3 --- uplink ---> cpu    (GPU <-> CPU: pcie g, uplink of its switch)
//           |
//         nic0 ... nic3 ---> gateway ---> spine (non-blocking: no link) ---> other instances, storage
//
// GPU -> NIC: pcie g, then NIC port nic_of(g). When every PCIe switch holds its own NICs (nics a multiple
// of the switches) they sit on the GPU's switch (GPUDirect RDMA does not cross the uplink); otherwise the
// GPUs share the NICs through the CPU: pcie g, uplink, NIC. More NICs than GPUs (p5: 32 EFA, 8 GPUs) must
// be a multiple of the GPUs: each GPU then drives a port of nics / gpus NICs.
#include "models/calibration.hpp"
#include "models/config.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace gsim {

struct LinkParams {
  double bandwidth_Bps = 0; // per direction
  double latency_s     = 0;
};

/** Everything the platform needs, in SI units; capacities are datasheet x calibrated efficiency. */
struct PlatformSpec {
  int instances         = 0;
  int gpus_per_instance = 0;
  IntraNode intra       = IntraNode::nvswitch;
  double gpu_flops      = 0; // peak FLOP/s of one GPU at the run's precision (host speed)
  LinkParams nvlink;         // nvswitch: one GPU's port; cube_mesh: one NVLink brick; pair: the pair link
  LinkParams pcie;           // one GPU's x16 link to its PCIe switch
  int gpus_per_pcie_switch = 1;
  LinkParams pcie_uplink;    // one PCIe switch's uplink to the CPU root complex
  int nics = 0;              // per instance
  LinkParams nic;            // one NIC
  LinkParams storage;        // remote storage, aggregate; reads and writes share it
  double ring_latency_s = 0; // start-up latency of one ring step (the slowest link class a ring crosses)
  // How much longer a ring collective's bytes hold a NIC than point-to-point bytes do: the NIC's capacity is
  // the point-to-point efficiency (the checkpoint's sends), a ring reaches the published ring efficiency at
  // this instance count (network_published.hpp), so a ring edge crossing a NIC counts its bytes x this there.
  double ring_nic_stretch = 1;

  int gpus() const { return instances * gpus_per_instance; }
  int pcie_switches() const { return gpus_per_instance / gpus_per_pcie_switch; }
  int switch_of(int gpu) const { return gpu / gpus_per_pcie_switch; }
  /** NIC ports of an instance: a port is one NIC when GPUs share NICs (nics <= gpus_per_instance), else the
   *  nics / gpus_per_instance NICs one GPU drives (p5.48xlarge: 4 EFA per GPU). NCCL spreads a GPU's
   *  channels evenly over its NICs, so the port carries nics_per_port() NICs' bandwidth (link_params). */
  int nic_ports() const { return std::min(nics, gpus_per_instance); }
  int nics_per_port() const { return nics > gpus_per_instance ? nics / gpus_per_instance : 1; }
  /** The NIC port GPU `gpu` of an instance sends through (GPUs split evenly over the ports, in order). */
  int nic_of(int gpu) const { return nics > 0 ? gpu * nic_ports() / gpus_per_instance : -1; }
  /** Whether every PCIe switch holds its own NICs (GPUDirect RDMA then stays on the switch). */
  bool nic_on_gpu_switch() const { return nics > 0 && nics % pcie_switches() == 0; }
};

/** Builds the spec of an experiment: bandwidth = datasheet (ClusterSpec) x cost.link_efficiency(fabric,
 *  message_bytes), latency from cost.link_latency_s. `message_bytes`: the message size the efficiencies
 *  are read at (the run's typical collective). Throws ConfigError for a topology it cannot wire. */
PlatformSpec platform_spec(const Experiment& e, const CostModel& cost, double message_bytes);

/** Checks the topology rules (e.g. a cube-mesh has 8 GPUs); throws ConfigError naming `file`. */
void check_topology(const PlatformSpec& spec, const std::string& file);

enum class LinkKind { nvlink, pcie, pcie_uplink, nic, storage };

/** One direction of one link. `up`: out of the GPU (nvlink port, pcie), towards the CPU (uplink),
 *  out of the instance (nic), into the storage (storage); for a cube-mesh pair link a < b, from a to b. */
struct LinkRef {
  LinkKind kind                         = LinkKind::nvlink;
  int instance                          = 0;
  int a                                 = 0;  // GPU, switch or NIC index inside the instance
  int b                                 = -1; // the second GPU of a cube-mesh pair link, else -1
  bool up                               = true;
  bool operator==(const LinkRef&) const = default;
};

/** The link's name, without direction ("i3-gpu5-nvl", "i0-nvl2-6", "i1-sw0-uplink", "i2-nic3", "storage"). */
std::string link_name(const LinkRef& l);
/** Capacity and latency of a link of that kind. */
LinkParams link_params(const PlatformSpec& spec, const LinkRef& l);
/** True when the link has two independent directions (all but the storage link). */
bool is_split_duplex(LinkKind kind);

/** NVLink bricks between GPUs a and b of a DGX-1V hybrid cube-mesh (0, 1 or 2). */
int cube_mesh_bricks(int a, int b);

using Route = std::vector<LinkRef>;
/** The route reversed: links in reverse order, each in the other direction. */
Route reversed(const Route& r);
/** Inside one instance. */
Route gpu_to_gpu(const PlatformSpec& spec, int instance, int a, int b);
Route gpu_to_cpu(const PlatformSpec& spec, int instance, int gpu);
/** From a GPU or the CPU to the instance's gateway on the spine (and back: reversed). */
Route gpu_to_network(const PlatformSpec& spec, int instance, int gpu);
Route cpu_to_network(const PlatformSpec& spec, int instance);
/** Global GPU rank to global GPU rank (instance * gpus_per_instance + gpu), any two. */
Route gpu_route(const PlatformSpec& spec, int src_rank, int dst_rank);
/** Sum of the link latencies along a route, seconds. */
double route_latency_s(const PlatformSpec& spec, const Route& r);

/** NCCL's rings: one channel per NIC port across instances (one channel inside a single instance). Each
 *  channel lists every global GPU rank once, in ring order; rank p sends to rank p + 1 (cyclically). */
struct Rings {
  std::vector<std::vector<int>> channels;
};
Rings make_rings(const PlatformSpec& spec);

} // namespace gsim
