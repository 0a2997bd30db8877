#include "sim/figures/no_checkpoint_runs.hpp"

#include "models/config_error.hpp"
#include "sim/child_process.hpp"

namespace gsim {

namespace {
// The paper's three 100B models (Figs 7 and 8, Table 2), as configs/models/ names them.
const std::vector<std::string> kModels = {"gpt2-100b", "roberta-100b", "bert-100b"};
} // namespace

std::vector<NoCheckpointRun> run_no_checkpoint_100b(const FigureContext& ctx)
{
  std::vector<std::vector<std::string>> jobs;
  for (const auto& m : kModels)
    jobs.push_back({ctx.self_exe, "run", "--config", ctx.configs_dir + "/p4d16.json", "--set",
                    "model=models/" + m + ".json", "--set", "checkpoint.scheme=none", "--json"});
  const auto results = run_children(jobs, ctx.jobs);
  std::vector<NoCheckpointRun> out;
  for (size_t i = 0; i < results.size(); i++) {
    const auto& r = results[i];
    if (r.exit_code != 0)
      throw ConfigError("figure", kModels[i],
                        "the run failed (exit " + std::to_string(r.exit_code) + "): " + r.err.substr(0, 400));
    const auto doc = nlohmann::json::parse(r.out, nullptr, false);
    if (doc.is_discarded() || not doc.is_object())
      throw ConfigError("figure", kModels[i], "the run printed no JSON summary");
    if (not doc.contains("iteration_time_s"))
      throw ConfigError("figure", kModels[i],
                        doc.contains("simulation_note") ? doc["simulation_note"].get<std::string>()
                                                        : "the run reported no simulated iteration time");
    out.push_back({doc["model"].get<std::string>(), doc["iteration_time_s"].get<double>(),
                   doc["network_idle_time_s"].get<double>()});
  }
  return out;
}

} // namespace gsim
