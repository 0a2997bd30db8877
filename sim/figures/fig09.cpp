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
#include "models/placement.hpp"
#include "sim/registry.hpp"

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
}

const RegisterFigure reg({"9", "recovery probability from CPU memory vs instances (closed form)", make_fig09});

} // namespace
} // namespace gsim
