#pragma once
// Link efficiencies and latencies the H200 machine cannot measure (the inter-instance network; NVLink
// while only one GPU has been lent): published numbers with their citations, kept in
// traces/calibration/published/*.json (data, not code). Each cluster file names the one it is priced with
// (nic.efficiency_file, intra_node.efficiency_file; docs/engine.md "Network efficiency per cluster").
#include <string>

namespace gsim {

struct PublishedNetwork {
  std::string file;      // "" when the cluster names none (a cluster without NICs)
  double efficiency = 0; // achieved fraction of the instance's NIC bandwidth for large messages
  std::string efficiency_source;
  double latency_s = 0; // start-up latency of one message
  std::string latency_source;
};

/** Reads `file` (a JSON file of traces/calibration/published). Throws ConfigError naming the file and the key. */
PublishedNetwork load_published_network(const std::string& file);

} // namespace gsim
