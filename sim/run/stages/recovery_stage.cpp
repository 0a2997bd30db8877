// Stage: the share of failure events that GEMINI recovers from CPU memory, estimated by the failure
// simulation (sim/engine/failure_sim.hpp simulated_recovery_probability) over
// failures.recovery_simulation_events events of the configured failure process, every one hardware. It
// checks the placement stage's closed forms and covers what they do not (correlated failures, Fig 9).
// Off by default (0 events): a run reports nothing here unless asked.
#include "sim/engine/failure_sim.hpp"
#include "sim/run/stages/stages.hpp"

namespace gsim {

void recovery_simulation_stage(RunContext& ctx)
{
  const Experiment& e = ctx.experiment;
  const int events    = e.failures.recovery_simulation_events;
  if (events == 0)
    return;
  const auto m = simulated_recovery_probability(e, events);
  ctx.report.section("Recovery from CPU memory (simulated)");
  ctx.report.set("simulated_recovery_probability", m.probability, "P(recover from CPU), simulated",
                 fmt("%.4f", m.probability) + fmt(" +- %.4f", m.standard_error) + " (" + std::to_string(events) +
                     " events, " + to_string(e.failures.model) + ")");
  ctx.report.set("simulated_recovery_probability_stderr", m.standard_error);
}

} // namespace gsim
