#pragma once
// Link efficiencies and latencies the H200 machine cannot measure (the inter-instance network; NVLink
// while only one GPU has been lent): published numbers with their citations, kept in
// traces/calibration/published/*.json (data, not code). Each cluster file names the one it is priced with
// (nic.efficiency_file, intra_node.efficiency_file; docs/engine.md "Network efficiency per cluster").
//
// A file may also hold published nccl-tests points of its cluster ("ring"): the ring alpha-beta model the
// engine prices collectives with, t = ring_steps * alpha + bytes * bus_factor / (line_rate * efficiency(nodes)),
// is fitted to them when the file is read: alpha from small messages, the efficiency per node count from large
// ones (the efficiency falls with the node count on EFA beyond what the ring's steps explain; docs/engine.md §7).
#include <string>
#include <utility>
#include <vector>

namespace gsim {

/** One published nccl-tests measurement and what the fit made of it. */
struct RingPoint {
  std::string file;   // the published file that holds it (a transfer names another file)
  std::string source; // citation: repository + issue, or URL, and date
  std::string op;     // all_reduce, all_gather, reduce_scatter
  int nodes         = 0;
  int ranks         = 0; // nodes x the measured instance's GPUs
  double size_bytes = 0;
  double time_s     = 0; // measured
  std::string fit;       // latency, bandwidth or none (kept as a check, `why` says why)
  double predicted_s = 0;
  double residual    = 0; // (predicted - measured) / measured
};

struct RingFit {
  bool fitted    = false;
  double alpha_s = 0;                               // one ring step's start-up latency
  std::vector<std::pair<int, double>> efficiencies; // (nodes, fraction of the line rate), ascending nodes
  double max_rel_residual = 0;                      // the bar the fitted points must hold (the file states it)
  double worst_residual   = 0;                      // worst |residual| over the fitted points
  std::string alpha_file, alpha_source;             // where the latency points came from
  std::string efficiency_file, efficiency_source;   // where the bandwidth points came from
  std::vector<RingPoint> points;                    // every point read, own and transferred, with residuals

  /** Fraction of the line rate at `nodes` instances: linear between measured node counts, held outside. */
  double efficiency(int nodes) const;
};

struct PublishedNetwork {
  std::string file;      // "" when the cluster names none (a cluster without NICs)
  double efficiency = 0; // achieved fraction of the instance's NIC bandwidth for point-to-point traffic
  std::string efficiency_source;
  double latency_s = 0; // start-up latency of one point-to-point message
  std::string latency_source;
  RingFit ring; // NCCL ring collectives, when the file holds nccl-tests points

  /** The efficiency a ring collective over `instances` instances reaches: the fit's, else `efficiency`. */
  double ring_efficiency(int instances) const { return ring.fitted ? ring.efficiency(instances) : efficiency; }
  /** One ring step's start-up latency: the fit's, else `latency_s`. */
  double ring_alpha_s() const { return ring.fitted ? ring.alpha_s : latency_s; }
};

/** Reads `file` (a JSON file of traces/calibration/published) and fits its "ring" points. Throws ConfigError
 *  naming the file and the key: a malformed point, a busbw that disagrees with its size and time, or a fit that
 *  misses a fitted point by more than the file's max_rel_residual. */
PublishedNetwork load_published_network(const std::string& file);

} // namespace gsim
