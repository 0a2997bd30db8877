#include "sim/engine/collectives.hpp"

#include "sim/engine/flow_batch.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

XBT_LOG_NEW_DEFAULT_CATEGORY(gsim_collectives, "gemini-sim ring collectives");

namespace gsim {

RingCollectives::RingCollectives(const PlatformSpec& spec, const Platform* platform, CollectiveMode mode,
                                 RingFidelity fidelity)
    : spec_(spec), platform_(platform), mode_(mode), fidelity_(fidelity), rings_(make_rings(spec))
{
  if (mode_ != CollectiveMode::analytic && platform_ == nullptr)
    throw std::logic_error("RingCollectives: the flow and hierarchical modes need a platform");
  // Distinct ring edges; channels sharing an edge send their shares as one flow (same route, same share).
  std::map<std::pair<int, int>, int> count;
  for (const auto& ring : rings_.channels)
    for (size_t p = 0; p < ring.size() && ring.size() > 1; p++)
      count[{ring[p], ring[(p + 1) % ring.size()]}]++;
  for (const auto& [edge, channels] : count)
    edges_.push_back({edge.first, edge.second, channels});

  // Load of every link direction, in channel-edge shares, and its capacity: the analytic bottleneck.
  // An edge across a NIC moves its share x ring_nic_stretch on its route: the NIC's capacity is the
  // point-to-point one, and a ring reaches only the published ring efficiency there (models/topology.hpp).
  std::map<std::pair<std::string, bool>, std::pair<double, double>> load; // (name, up) -> (shares, bandwidth)
  std::map<std::pair<std::string, bool>, LinkKind> kind;
  for (auto& e : edges_) {
    const Route r        = gpu_route(spec_, e.src, e.dst);
    max_route_latency_s_ = std::max(max_route_latency_s_, route_latency_s(spec_, r));
    e.shared             = std::any_of(r.begin(), r.end(), [](const LinkRef& l) { return l.kind != LinkKind::nvlink; });
    if (not e.shared)
      nvlink_latency_s_ = std::max(nvlink_latency_s_, route_latency_s(spec_, r));
    else
      crossing_latency_s_ = std::max(crossing_latency_s_, route_latency_s(spec_, r));
    if (std::any_of(r.begin(), r.end(), [](const LinkRef& l) { return l.kind == LinkKind::nic; }))
      e.bytes_factor = spec_.ring_nic_stretch;
    for (const auto& l : r) {
      auto& slot = load[{link_name(l), is_split_duplex(l.kind) ? l.up : true}];
      slot.first += e.channels * e.bytes_factor;
      slot.second                                                 = link_params(spec_, l).bandwidth_Bps;
      kind[{link_name(l), is_split_duplex(l.kind) ? l.up : true}] = l.kind;
    }
  }
  // An NVLink link carries NVLink-only edges alone (no route mixes NVLink with other links), so its load is
  // the one the hierarchical mode prices analytically.
  for (const auto& [link, shares_bw] : load) {
    const double s_per_byte = shares_bw.first / shares_bw.second;
    if (s_per_byte > bottleneck_s_per_byte_) {
      bottleneck_s_per_byte_ = s_per_byte;
      bottleneck_kind_       = kind.at(link);
    }
    if (kind.at(link) == LinkKind::nvlink)
      nvlink_s_per_byte_ = std::max(nvlink_s_per_byte_, s_per_byte);
    else
      crossing_s_per_byte_ = std::max(crossing_s_per_byte_, s_per_byte);
  }
}

size_t RingCollectives::flows_per_collective() const
{
  if (mode_ == CollectiveMode::analytic)
    return 0;
  return size_t(std::count_if(edges_.begin(), edges_.end(), [this](const Edge& e) { return as_flow(e); }));
}

double RingCollectives::edge_bytes(CollOp op, double bytes) const
{
  if (op != CollOp::all_gather && op != CollOp::reduce_scatter)
    throw std::invalid_argument("RingCollectives: only all-gather and reduce-scatter are modelled");
  return bytes * bus_factor(op, spec_.gpus()) / double(rings_.channels.size());
}

double RingCollectives::analytic_time_s(CollOp op, double bytes) const
{
  const int n = spec_.gpus();
  if (n < 2 || bytes <= 0)
    return 0;
  return ring_steps(op, n) * spec_.ring_latency_s + edge_bytes(op, bytes) * bottleneck_s_per_byte_;
}

void RingCollectives::run(CollOp op, double bytes) const
{
  if (spec_.gpus() < 2 || bytes <= 0)
    return;
  if (mode_ == CollectiveMode::analytic) {
    sg4::this_actor::sleep_for(analytic_time_s(op, bytes));
    return;
  }
  const NetworkActivity::Use on_network(network_);
  const bool lazy = mode_ == CollectiveMode::hierarchical && network_ != nullptr && network_->users() == 1 &&
                    fidelity_ == RingFidelity::edge_flows;
  if (lazy)
    run_lazy(op, bytes);
  else
    run_flows(op, bytes, sg4::Engine::get_clock(), 1.0);
}

void RingCollectives::run_lazy(CollOp op, double bytes) const
{
  const double t0  = sg4::Engine::get_clock();
  const double end = t0 + analytic_time_s(op, bytes);
  if (not network_->wait_for_company(end))
    return; // alone to the end: the analytic answer
  // Company: the flow edges would have paid their latency, then moved their shares at their bottleneck's rate
  // (every edge the same share, so they progress together); what is left of them goes on as flows and shares
  // the links from now on. The NVLink-only edges' analytic part is unaffected (nothing else crosses NVLink).
  const double s_per_byte = nvlink_shared_ ? bottleneck_s_per_byte_ : crossing_s_per_byte_;
  const double latency    = nvlink_shared_ ? max_route_latency_s_ : crossing_latency_s_;
  const double transfer   = edge_bytes(op, bytes) * s_per_byte;
  const double moved      = transfer > 0 ? (sg4::Engine::get_clock() - t0 - latency) / transfer : 1.0;
  const double remaining  = 1.0 - std::clamp(moved, 0.0, 1.0);
  if (remaining <= 0) { // the flows would be done: only the NVLink edges and the steps' latency are left
    sg4::this_actor::sleep_until(end);
    return;
  }
  run_flows(op, bytes, t0, remaining);
}

void RingCollectives::run_flows(CollOp op, double bytes, double t0, double remaining) const
{
  const int steps       = ring_steps(op, spec_.gpus());
  const double per_edge = edge_bytes(op, bytes);
  const int rounds      = fidelity_ == RingFidelity::step_flows ? steps : 1;
  for (int round = 0; round < rounds; round++) {
    if (round > 0)
      t0 = sg4::Engine::get_clock();
    std::vector<Flow> flows;
    flows.reserve(edges_.size());
    for (const auto& e : edges_) {
      const double b = per_edge * e.channels * e.bytes_factor / rounds * remaining;
      if (as_flow(e))
        flows.push_back({platform_->gpu(e.src), platform_->gpu(e.dst), uint64_t(b + 0.5)});
    }
    send_all(flows);
    // Hierarchical: the NVLink-only edges ran beside the flows, each as long as its flow would have taken
    // alone on the most loaded NVLink link (nothing else crosses NVLink, so that is the flow mode's time).
    const double nvlink_done = t0 + nvlink_latency_s_ + per_edge / rounds * nvlink_s_per_byte_;
    if (mode_ == CollectiveMode::hierarchical && not nvlink_shared_ && nvlink_done > sg4::Engine::get_clock())
      sg4::this_actor::sleep_until(nvlink_done);
  }
  // Each flow paid its route's latency once per round; a ring step costs the slowest link class's alpha.
  const double paid = rounds * max_route_latency_s_;
  const double owed = steps * spec_.ring_latency_s;
  if (owed > paid)
    sg4::this_actor::sleep_for(owed - paid);
  XBT_DEBUG("%s of %g bytes over %d ranks: %zu flows x %d rounds", to_string(op).c_str(), bytes, spec_.gpus(),
            edges_.size(), rounds);
}

} // namespace gsim
