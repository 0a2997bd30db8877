#pragma once
// All-gather and reduce-scatter as NCCL runs them between instances: rings, one channel per NIC
// (models/topology.cpp's make_rings), each channel carrying 1/C of the data. In a ring all-gather or
// reduce-scatter of S bytes (nccl-tests' S: the whole gathered array) over N ranks, every rank sends
// S (N-1)/N / C bytes to its successor in each channel, in N-1 steps.
//
// Three fidelities, selectable per run (run.collectives):
//  * analytic: alpha-beta over the same rings and routes, without SimGrid flows:
//      t = steps x alpha_ring + S (N-1)/N / C x max over links (channel edges crossing it / its bandwidth),
//    i.e. each link class contributes its term and the slowest bounds the ring (NVLink ports inside an
//    instance, PCIe and NICs between instances). Nothing else on the network is seen.
//  * flow: the bytes move as SimGrid communications between the GPU hosts, so they share links with
//    everything else in flight (checkpoint traffic, other collectives). One flow per ring edge carries
//    that edge's whole share (its N-1 steps at once: the same link loads at 1/(N-1) of the events;
//    shared/simgrid-notes.md), then the steps' remaining latency elapses. A per-step variant (N-1 rounds
//    of flows) exists to validate the edge model; tests hold all three against each other.
//  * hierarchical: the flow mode's edges split by what can share their links. An edge whose route holds a link
//    other traffic uses (PCIe, a switch uplink, a NIC: checkpoint sends and copies, storage) is a SimGrid flow,
//    as in the flow mode; an edge on NVLink only (inside an instance: nothing but the ring's own edges ever
//    crosses NVLink) is priced as the analytic mode prices it, edge share x the most loaded NVLink link's load
//    / bandwidth plus its route latency, and overlaps the flows (the ring pipelines its hops). The collective
//    ends when both are done, then the steps' latency as in the flow mode. Flows: the crossing edges, one per
//    NIC port and instance (4 per p4d) instead of every GPU's edge of every channel (28 per p4d).
#include "models/calibration.hpp"
#include "models/topology.hpp"
#include "sim/engine/network_activity.hpp"
#include "sim/engine/platform.hpp"

#include <vector>

namespace gsim {

enum class RingFidelity { edge_flows, step_flows };

class RingCollectives {
 public:
  /** `platform` is needed for the flow mode only (may be null in the analytic mode). */
  RingCollectives(const PlatformSpec& spec, const Platform* platform, CollectiveMode mode,
                  RingFidelity fidelity = RingFidelity::edge_flows);

  /** Seconds for an uncontended ring `op` of `bytes` (the whole array, as nccl-tests counts it). */
  double analytic_time_s(CollOp op, double bytes) const;
  /** Runs one collective over all GPUs from the calling SimGrid actor; returns when every rank is done. */
  void run(CollOp op, double bytes) const;

  const Rings& rings() const { return rings_; }
  CollectiveMode mode() const { return mode_; }
  /** Seconds per byte of one channel edge's share on the most loaded link (the ring's bottleneck). */
  double bottleneck_s_per_byte() const { return bottleneck_s_per_byte_; }
  /** Whether NVLink is the ring's bottleneck (all of it inside instances), not PCIe or a NIC. */
  bool nvlink_bound() const { return bottleneck_kind_ == LinkKind::nvlink; }
  /** Hierarchical mode: who else is on the network (sim/engine/network_activity.hpp). A collective that starts
   *  with the network to itself is priced as the analytic mode prices it, without posting flows (they would
   *  contend with nothing but each other; flow mode's answer to within the route latency: tests hold them), and
   *  when another party starts moving bytes before it ends, its bytes not yet moved at the analytic rate go on
   *  as flows from that instant. Null (the default): every collective posts its flows. */
  void set_network(NetworkActivity* network) { network_ = network; }
  /** Checkpoint sends cross NVLink too (peers inside the instance): the hierarchical mode then moves the
   *  NVLink-only edges as flows as well, since its analytic pricing assumes the ring is alone on NVLink. */
  void set_nvlink_shared(bool shared) { nvlink_shared_ = shared; }
  /** SimGrid flows one collective posts (the flow mode's edges, or the hierarchical mode's shared ones). */
  size_t flows_per_collective() const;

 private:
  struct Edge {
    int src             = 0;
    int dst             = 0;
    int channels        = 0;     // channels whose ring has this edge (their shares travel as one flow)
    bool shared         = false; // its route holds a link other traffic uses (not NVLink only)
    double bytes_factor = 1;     // crossing a NIC: PlatformSpec::ring_nic_stretch (the ring's efficiency there)
  };
  /** Whether edge `e` moves as a SimGrid flow in this mode. */
  bool as_flow(const Edge& e) const { return mode_ == CollectiveMode::flow || e.shared || nvlink_shared_; }
  double edge_bytes(CollOp op, double bytes) const;
  /** Posts the flow edges' shares, each `remaining` (0..1] of it, and waits for them, the NVLink-only edges and
   *  the steps' latency; `t0`: when the collective started. */
  void run_flows(CollOp op, double bytes, double t0, double remaining) const;
  /** Hierarchical mode with the network to itself: analytic until the end or until company arrives. */
  void run_lazy(CollOp op, double bytes) const;

  PlatformSpec spec_;
  const Platform* platform_;
  CollectiveMode mode_;
  RingFidelity fidelity_;
  Rings rings_;
  std::vector<Edge> edges_;
  double bottleneck_s_per_byte_ = 0;
  LinkKind bottleneck_kind_     = LinkKind::nvlink;
  double max_route_latency_s_   = 0;
  // Hierarchical mode: the NVLink-only edges' analytic part (most loaded NVLink link, their longest route).
  double nvlink_s_per_byte_ = 0;
  double nvlink_latency_s_  = 0;
  bool nvlink_shared_       = false;
  // Hierarchical mode: the flow edges' own bottleneck (seconds per byte of an edge's share) and latency, which
  // give how much of their share a lazily priced collective has moved when it turns into flows.
  double crossing_s_per_byte_ = 0;
  double crossing_latency_s_  = 0;
  NetworkActivity* network_   = nullptr; // a state of the run, not of the rings: owned by the replay
};

} // namespace gsim
