// Fig 9: probability of recovering from CPU memory against the number of instances, m = 2, for
// k = 1, 2, 3 simultaneous failures, GEMINI's placement and the ring. Closed form, in-process.
//
// fig09.csv: instances,m,k,strategy,probability,method
//   strategy "group" / "mixed": Algorithm 1's placement (the paper's "GEMINI" series; mixed for odd N)
//   strategy "ring":            the ring placement's true probability
//   strategy "ring_formula":    the artifact's ring formula, which the paper plots; a lower bound of
//                               the ring for k > m (models/placement.hpp)
//   method: closed_form where the closed form is exact, exact_enumeration otherwise, bound for the
//           ring formula where it is only a bound.
//
// fig09_simulated.csv: instances,m,failure_model,k,domain_size,strategy,probability,standard_error,reference
//   The same probability estimated by the failure simulation (sim/engine/failure_sim.hpp simulated_recovery_
//   probability: kSimulatedEvents hardware failure events of the process, GEMINI recovering each from CPU
//   memory or storage), beside `reference`, the exact value above (simultaneous model, k instances at
//   once). Correlated rows (k = 0): a share failures.correlated_fraction of events takes a whole domain
//   of domain_size consecutive instances; the paper's formulas do not cover them (reference empty).
#include "models/config.hpp"
#include "models/placement.hpp"
#include "sim/engine/failure_sim.hpp"
#include "sim/figures/generators.hpp"

#include <sstream>

namespace gsim {
namespace {

// The figure's own axes (paper Fig 9; artifact `nums = range(16, 128)`), not model inputs.
constexpr int kReplicas = 2;
constexpr int kFirstN   = 16;
constexpr int kLastN    = 127;
constexpr int kMaxK     = 3;

std::string row(int n, int k, const std::string& strategy, double probability, const std::string& method)
{
  return std::to_string(n) + "," + std::to_string(kReplicas) + "," + std::to_string(k) + "," + strategy + "," +
         fmt("%.6f", probability) + "," + method + "\n";
}

std::string exact_row(const Placement& p, int k)
{
  const auto pr = recovery_probability(p, k, 1, 1e9); // the budget keeps these exact (no Monte Carlo)
  return row(p.instances, k, to_string(p.used), pr.probability, pr.method);
}

constexpr int kSimulatedEvents            = 1000;
const std::vector<int> kSimulatedN        = {16, 32, 64, 127};
const std::vector<int> kCorrelatedDomains = {2, 4};

void make_fig09_simulated(const FigureContext& ctx)
{
  const std::string file = ctx.configs_dir + "/p4d16.json";
  std::ostringstream csv;
  csv << "instances,m,failure_model,k,domain_size,strategy,probability,standard_error,reference\n";
  for (int n : kSimulatedN)
    for (const auto kind : {PlacementKind::mixed, PlacementKind::ring}) {
      const std::vector<std::string> base = {"instances=" + std::to_string(n), "checkpoint.replicas=2",
                                             "checkpoint.placement=" + to_string(kind)};
      const auto placement                = make_placement(n, kReplicas, kind);
      const auto out                      = [&](const std::string& model, int k, int g, const MonteCarloEstimate& m,
                           const std::string& ref) {
        csv << n << "," << kReplicas << "," << model << "," << k << "," << g << "," << to_string(placement.used) << ","
            << fmt("%.6f", m.probability) << "," << fmt("%.6f", m.standard_error) << "," << ref << "\n";
      };
      for (int k = 2; k <= kMaxK; k++) {
        auto sets = base;
        sets.insert(sets.end(), {"failures.model=simultaneous", "failures.simultaneous=" + std::to_string(k)});
        const auto m = simulated_recovery_probability(load_experiment(file, sets), kSimulatedEvents);
        out("simultaneous", k, 1, m, fmt("%.6f", recovery_probability(placement, k, 1, 1e9).probability));
      }
      for (int g : kCorrelatedDomains) {
        auto sets = base;
        sets.insert(sets.end(), {"failures.model=correlated", "failures.correlated_group_size=" + std::to_string(g)});
        out("correlated", 0, g, simulated_recovery_probability(load_experiment(file, sets), kSimulatedEvents), "");
      }
    }
  write_file_atomically(ctx.out_dir + "/fig09_simulated.csv", csv.str());
}

void make_fig09(const FigureContext& ctx)
{
  std::ostringstream csv;
  csv << "instances,m,k,strategy,probability,method\n";
  for (int n = kFirstN; n <= kLastN; n++) {
    const auto gemini = make_placement(n, kReplicas, PlacementKind::mixed);
    const auto ring   = make_placement(n, kReplicas, PlacementKind::ring);
    for (int k = 1; k <= kMaxK; k++) {
      csv << exact_row(gemini, k) << exact_row(ring, k);
      const auto formula = ring_recovery_closed_form(n, kReplicas, k);
      csv << row(n, k, "ring_formula", formula.probability, formula.exact ? "closed_form" : "bound");
    }
  }
  write_file_atomically(ctx.out_dir + "/fig09.csv", csv.str());
  make_fig09_simulated(ctx);
}

const RegisterFigure reg({"9", "recovery probability from CPU memory vs instances (closed form and simulated)",
                          make_fig09});

} // namespace
} // namespace gsim
