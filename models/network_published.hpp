#pragma once
// The inter-instance network's efficiency and latency, which the H200 machine cannot measure: published
// numbers with their citations, kept in traces/calibration/published/efa.json (data, not code).
#include <string>

namespace gsim {

struct PublishedNetwork {
  std::string file;
  double efficiency = 0; // achieved fraction of the instance's NIC bandwidth for large messages
  std::string efficiency_source;
  double latency_s = 0; // start-up latency of one message
  std::string latency_source;
};

/** Reads `file` (default: the repo's traces/calibration/published/efa.json, read once). Throws ConfigError. */
PublishedNetwork load_published_network(const std::string& file);
const PublishedNetwork& published_efa();

} // namespace gsim
