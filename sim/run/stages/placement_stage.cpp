// Stage: where each instance's checkpoint replicas live (Algorithm 1) and the probability that
// failures.simultaneous instances failing at once can all be recovered from CPU memory.
#include "models/placement.hpp"
#include "sim/run/stages/stages.hpp"

namespace gsim {
namespace {

std::string groups_text(const Placement& p)
{
  // Readable with the paper's 1-based numbering; long lists are cut after a few groups.
  std::string s;
  const size_t shown = std::min<size_t>(p.groups.size(), 6);
  for (size_t g = 0; g < shown; g++) {
    s += "{";
    for (size_t j = 0; j < p.groups[g].size(); j++) {
      if (j > 0)
        s += ',';
      s += std::to_string(p.groups[g][j] + 1);
    }
    s += "} ";
  }
  if (shown < p.groups.size())
    s += "... (" + std::to_string(p.groups.size()) + " groups)";
  return s;
}

} // namespace

void placement_stage(RunContext& ctx)
{
  const Experiment& e = ctx.experiment;
  RunResult& r        = ctx.report;
  const auto p        = make_placement(e.instances, e.checkpoint.instance_replicas(), e.checkpoint.placement);
  const int k         = e.failures.simultaneous;
  const auto pr       = recovery_probability(p, k, e.run.seed);
  r.section("Checkpoint placement");
  r.set("placement_strategy", to_string(p.used), "strategy (Algorithm 1)",
        to_string(p.used) + (p.used != p.asked ? " (asked: " + to_string(p.asked) + ")" : "") +
            ", m = " + std::to_string(p.replicas));
  r.set("checkpoint_peers", to_string(e.checkpoint.peers), "peers",
        e.checkpoint.peers == PeerScope::same_instance
            ? "GPUs of the same instance over NVLink (m = " + std::to_string(e.checkpoint.replicas) +
                  " copies per GPU, all in one instance's CPU memory: an instance failure takes them all)"
            : "the GPU of the same local index on each peer instance");
  // JSON lists instance ids from 0, as the simulator names instances.
  r.set("placement_groups", p.groups, "groups (instances from 1)", groups_text(p));
  r.set("recovery_probability", pr.probability, "P(recover " + std::to_string(k) + " failures from CPU)",
        fmt("%.4f", pr.probability) +
            (pr.method == "monte_carlo" ? fmt(" +- %.4f", pr.standard_error) : std::string()) + " (" + pr.method + ")");
  r.set("recovery_probability_method", pr.method);
  if (pr.method == "monte_carlo")
    r.set("recovery_probability_stderr", pr.standard_error);
  // The artifact's ring formula at the same N, m and k (the paper's ring series in Fig 9): exact for k <= m,
  // else a lower bound of the ring's true probability (models/placement.hpp).
  const auto ring = ring_recovery_closed_form(e.instances, e.checkpoint.instance_replicas(), k);
  r.set("ring_formula_recovery_probability", ring.probability);
  r.set("ring_formula_method", ring.exact ? "closed_form" : "bound");
}

} // namespace gsim
