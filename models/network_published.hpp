#pragma once
// Link efficiencies and latencies the H200 machine cannot measure (the inter-instance network; NVLink
// while only one GPU has been lent): published numbers with their citations, kept in
// traces/calibration/published/*.json (data, not code).
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
/** traces/calibration/published/nvlink.json: NCCL's ring efficiency and per-step latency over NVLink. */
const PublishedNetwork& published_nvlink();

} // namespace gsim
