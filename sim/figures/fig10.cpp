// Fig 10: average wasted time of GPT-2 100B per failure by number of replaced instances (16 p4d), for
// Strawman, HighFreq and GEMINI: Expression (1), lost progress + retrieval (paper footnote 1: replacing
// machines is not counted), from the failure simulation (sim/engine/failure_sim.hpp) beside the closed form.
//
// fig10.csv: replaced_instances,system,wasted_time_min,source
//   source "simulated": the mean over kFailures failures, one every kSpacing_s at a uniformly random
//     phase of the checkpoint cycles, on random instances: 0 replaced = a software failure; 1 = one
//     hardware failure; 2 = two instances of different placement groups (recoverable from CPU memory,
//     the case the paper's bar shows).
//   source "simulated_unrecoverable" (GEMINI, 2 replaced): both instances of one placement group, so
//     everyone reads remote storage (the paper: GEMINI "degrades to Strawman", probability 6.7 % at N = 16).
//   source "closed_form": models/failure_economics.hpp.
// Every input from configs/reproduction/p4d16-paper-inputs.json (p4d16 with the paper's measured iteration time).
#include "models/config_error.hpp"
#include "sim/engine/failure_sim.hpp"
#include "sim/figures/paper_inputs.hpp"

#include <random>
#include <sstream>

namespace gsim {
namespace {

constexpr int kFailures     = 200;      // per bar: the mean's sampling error is period / sqrt(12 n), 0.3 % of it
constexpr double kSpacing_s = 6 * 3600; // far longer than any recovery, and than Strawman's 3 h cycle
constexpr int kMaxReplaced  = 2;        // the paper's x axis: 0, 1, 2
constexpr double kMinute    = 60;

double uniform01(std::mt19937_64& rng)
{
  return double(rng() >> 11) * 0x1.0p-53;
}

// kFailures events of `replaced` instances (software when 0), spaced kSpacing_s apart at random phases.
// same_group: the two instances share a placement group (else they never do).
std::vector<FailureEvent> events(const Placement& p, int replaced, bool same_group, uint64_t seed)
{
  std::mt19937_64 rng(seed);
  std::vector<FailureEvent> out;
  const int n = p.instances;
  for (int i = 0; i < kFailures; i++) {
    FailureEvent ev;
    ev.time_s   = (i + uniform01(rng)) * kSpacing_s;
    ev.hardware = replaced > 0;
    const int a = std::min(n - 1, int(uniform01(rng) * n));
    ev.instances.push_back(a);
    if (replaced == 2) {
      const auto& peers = p.holders[size_t(a)]; // a's group mates: a first
      int b             = a;
      while (b == a || (std::find(peers.begin(), peers.end(), b) != peers.end()) != same_group)
        b = same_group ? peers[1 + size_t(uniform01(rng) * double(peers.size() - 1))]
                       : std::min(n - 1, int(uniform01(rng) * n));
      ev.instances.push_back(b);
      std::sort(ev.instances.begin(), ev.instances.end());
    }
    out.push_back(ev);
  }
  return out;
}

void make_fig10(const FigureContext& ctx)
{
  const Experiment e = paper_inputs_experiment(ctx);
  if (not(e.failures.iteration_time_s > 0))
    throw ConfigError(e.file, "failures.iteration_time_s", "Fig 10 needs a measured iteration time");
  const auto setup = failure_sim_setup(e, e.failures.iteration_time_s);
  std::ostringstream csv;
  csv << "replaced_instances,system,wasted_time_min,source\n";
  FailureSimOptions opt;
  opt.horizon_s = (kFailures + 1) * kSpacing_s;
  for (int replaced = 0; replaced <= kMaxReplaced; replaced++) {
    std::vector<std::pair<std::string, FailureSimResult>> runs;
    runs.emplace_back("simulated", simulate_failures(setup, events(setup.placement, replaced, false, e.run.seed), opt));
    if (replaced == 2) {
      FailureSimOptions g = opt;
      g.systems           = {System::gemini};
      runs.emplace_back("simulated_unrecoverable",
                        simulate_failures(setup, events(setup.placement, replaced, true, e.run.seed), g));
    }
    for (const auto& [source, res] : runs)
      for (const auto& o : res.systems)
        csv << replaced << "," << to_string(o.system) << "," << fmt("%.4f", o.expression1_per_failure_s() / kMinute)
            << "," << source << "\n";
    for (System s : {System::strawman, System::highfreq, System::gemini}) {
      const auto cf = system_economics(s, setup.econ);
      csv << replaced << "," << to_string(s) << ","
          << fmt("%.4f", (replaced ? cf.hardware : cf.software).expression1_s() / kMinute) << ",closed_form\n";
    }
  }
  write_file_atomically(ctx.out_dir + "/fig10.csv", csv.str());
}

const RegisterFigure reg({"10", "wasted time per failure by replaced instances (simulated and closed form)",
                          make_fig10});

} // namespace
} // namespace gsim
