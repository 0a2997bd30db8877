#include "sim/figures/no_checkpoint_runs.hpp"

#include "models/config_error.hpp"
#include "sim/sweep/child_process.hpp"

namespace gsim {

const std::vector<std::string>& models_100b()
{
  static const std::vector<std::string> m = {"gpt2-100b", "roberta-100b", "bert-100b"};
  return m;
}

std::vector<nlohmann::json> run_summaries(const FigureContext& ctx, const std::vector<SimRun>& runs)
{
  std::vector<std::vector<std::string>> jobs;
  for (const auto& run : runs) {
    std::vector<std::string> argv = {ctx.self_exe, "run", "--config", ctx.configs_dir + "/" + run.config};
    for (const auto& s : run.sets) {
      argv.push_back("--set");
      argv.push_back(s);
    }
    argv.push_back("--json");
    jobs.push_back(std::move(argv));
  }
  const auto results = run_children(jobs, ctx.jobs);
  std::vector<nlohmann::json> out;
  for (size_t i = 0; i < results.size(); i++) {
    const auto& r = results[i];
    if (r.exit_code != 0)
      throw ConfigError("figure", runs[i].label,
                        "the run failed (exit " + std::to_string(r.exit_code) + "): " + r.err.substr(0, 400));
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    if (doc.is_discarded() || not doc.is_object())
      throw ConfigError("figure", runs[i].label, "the run printed no JSON summary");
    if (not doc.contains("iteration_time_s"))
      throw ConfigError("figure", runs[i].label,
                        doc.contains("simulation_note") ? doc["simulation_note"].get<std::string>()
                                                        : "the run reported no simulated iteration time");
    out.push_back(std::move(doc));
  }
  return out;
}

std::string csv_number(const nlohmann::json& doc, const std::string& key)
{
  if (not doc.contains(key) || not doc[key].is_number())
    return "";
  return fmt("%.6f", doc[key].get<double>());
}

std::vector<SimRun> runs_100b_none_then_gemini()
{
  std::vector<SimRun> runs;
  for (const auto& m : models_100b())
    for (const std::string scheme : {"none", "gemini"})
      runs.push_back({m + " " + scheme, "p4d16.json", {"model=models/" + m + ".json", "checkpoint.scheme=" + scheme}});
  return runs;
}

} // namespace gsim
