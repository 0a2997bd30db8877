// Fig 12: checkpoints per hour of GPT-2 100B on 16 p4d, to remote persistent storage and to CPU memory, for
// GEMINI, Strawman and HighFreq. One simulated GEMINI run gives the iteration time with its checkpoint
// traffic (failures.iteration_time_s is set to 0 so that the economics use it); the storage intervals are the closed
// forms of models/failure_economics.hpp (Strawman every storage.strawman_interval, HighFreq every ceil(t_ckpt / T_iter)
// iterations, GEMINI every checkpoint.storage_interval to storage and every iteration to CPU memory), as the run's
// economics stage reports them in checkpoints_per_hour.
//
// fig12.csv: system,to_storage_per_hour,to_cpu_memory_per_hour
//   GEMINI's CPU-memory rate is 0 when its checkpoint cannot run (checkpoint_status oom).
#include "models/config_error.hpp"
#include "sim/figures/no_checkpoint_runs.hpp"

#include <sstream>

namespace gsim {
namespace {

void make_fig12(const FigureContext& ctx)
{
  // failures.iteration_time_s=0: the economics then take the simulated (checkpointed) iteration time
  // instead of the configured measured one (the paper's 62 s), so the figure is the simulation's.
  const auto docs = run_summaries(
      ctx, {{"gpt2-100b gemini", "p4d16.json", {"checkpoint.scheme=gemini", "failures.iteration_time_s=0"}}});
  const auto& doc = docs.front();
  if (not doc.contains("checkpoints_per_hour"))
    throw ConfigError("figure", "gpt2-100b gemini", "the run reported no checkpoints_per_hour");
  const auto& per_hour = doc["checkpoints_per_hour"];
  const bool gemini_ok = doc.value("checkpoint_status", std::string("oom")) != "oom";
  std::ostringstream csv;
  csv << "system,to_storage_per_hour,to_cpu_memory_per_hour\n";
  for (const std::string system : {"gemini", "strawman", "highfreq"}) {
    const auto& s    = per_hour.at(system);
    const double cpu = system == "gemini" && not gemini_ok ? 0.0 : s.at("cpu_memory").get<double>();
    csv << system << "," << fmt("%.6f", s.at("storage").get<double>()) << "," << fmt("%.6f", cpu) << "\n";
  }
  write_file_atomically(ctx.out_dir + "/fig12.csv", csv.str());
}

const RegisterFigure reg({"12", "checkpoints per hour of GPT-2 100B on 16 p4d (simulated iteration time)", make_fig12});

} // namespace
} // namespace gsim
