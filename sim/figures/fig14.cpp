// Fig 14: timeline of one failure and its recovery with GEMINI (GPT-2 100B, 16 p4d), from the failure
// simulation (sim/engine/failure_sim.hpp): iterations 1..4 with the checkpoint of iteration i sent during
// iteration i + 1, a hardware failure of one instance halfway through iteration 4 (checkpoint 3 still in
// flight), then detection, serialisation, replacement, retrieval of checkpoint 2 (the new instance from
// its peer's CPU memory over the network, the others from their own), warm-up, and training again from
// iteration 3. Two variants: with a standby machine (the phases the paper's figure draws) and with a
// replacement from the cloud (failures.replacement_s).
//
// fig14.csv: variant,phase,start_s,duration_s (seconds from the start of iteration 1)
#include "models/config_error.hpp"
#include "sim/engine/failure_sim.hpp"
#include "sim/figures/paper_inputs.hpp"

#include <sstream>

namespace gsim {
namespace {

constexpr double kFailureInIteration = 3.5; // iterations before the failure: halfway through iteration 4
constexpr int kFailedInstance        = 1;   // any; instance 1's group mate is instance 0

void make_fig14(const FigureContext& ctx)
{
  std::ostringstream csv;
  csv << "variant,phase,start_s,duration_s\n";
  for (const bool standby : {true, false}) {
    const Experiment e =
        paper_inputs_experiment(ctx, {std::string("failures.standby=") + (standby ? "true" : "false")});
    const double t_iter = e.failures.iteration_time_s;
    if (not(t_iter > 0))
      throw ConfigError(e.file, "failures.iteration_time_s", "Fig 14 needs a measured iteration time");
    FailureSimOptions opt;
    opt.systems                        = {System::gemini};
    opt.record_phases                  = true;
    opt.horizon_s                      = 3600;
    const std::vector<FailureEvent> ev = {{kFailureInIteration * t_iter, {kFailedInstance}, true, false}};
    const auto res                     = simulate_failures(failure_sim_setup(e, t_iter), ev, opt);
    for (const auto& p : res.of(System::gemini).phases)
      csv << (standby ? "standby" : "cloud_replacement") << "," << p.phase << "," << fmt("%.3f", p.start_s) << ","
          << fmt("%.3f", p.duration_s) << "\n";
  }
  write_file_atomically(ctx.out_dir + "/fig14.csv", csv.str());
}

const RegisterFigure reg({"14", "timeline of one failure and its recovery with GEMINI (simulated)", make_fig14});

} // namespace
} // namespace gsim
