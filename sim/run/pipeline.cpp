#include "sim/run/pipeline.hpp"

#include "models/calibration_paths.hpp"
#include "models/config_error.hpp"
#include "sim/run/stages/stages.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace gsim {

const std::vector<Stage>& pipeline()
{
  // The order is the data flow: the simulation needs the calibration; the checkpoint plan reads the
  // simulated idle spans; the failure models read the simulated iteration time.
  static const std::vector<Stage> stages{
      {"model", model_stage},
      {"placement", placement_stage},
      {"recovery_simulation", recovery_simulation_stage, true},
      {"calibration", calibration_stage},
      {"simulation", simulation_stage, true, {"model", "calibration"}},
      {"checkpoint_plan", checkpoint_plan_stage, false, {"simulation"}},
      {"economics", economics_stage},
      {"failures", failure_stage, true},
  };
  return stages;
}

std::vector<Stage> selected_stages(const Experiment& e)
{
  const std::string& list = e.run.stages;
  if (list == "all")
    return pipeline();
  std::string known;
  for (const auto& s : pipeline())
    known += (known.empty() ? "" : ", ") + s.name;
  std::set<std::string> wanted;
  for (size_t from = 0; from <= list.size();) {
    const size_t comma = std::min(list.find(',', from), list.size());
    const auto name    = list.substr(from, comma - from);
    const bool exists =
        std::any_of(pipeline().begin(), pipeline().end(), [&](const Stage& s) { return s.name == name; });
    if (not exists)
      throw ConfigError(e.file, "run.stages",
                        "unknown stage \"" + name + "\"; expected \"all\" or a comma-separated list of " + known);
    if (not wanted.insert(name).second)
      throw ConfigError(e.file, "run.stages", "stage \"" + name + "\" is named twice");
    from = comma + 1;
  }
  std::vector<Stage> out;
  for (const auto& s : pipeline())
    if (wanted.count(s.name)) {
      for (const auto& need : s.needs)
        if (not wanted.count(need))
          throw ConfigError(e.file, "run.stages",
                            "stage \"" + s.name + "\" reads the results of \"" + need +
                                "\", which the list leaves out");
      out.push_back(s);
    }
  return out;
}

bool without_simgrid(const std::vector<Stage>& stages)
{
  return std::none_of(stages.begin(), stages.end(), [](const Stage& s) { return s.simgrid; });
}

nlohmann::json summary_document(const RunContext& ctx)
{
  const Experiment& e = ctx.experiment;
  nlohmann::json doc  = ctx.report.summary();
  // schema_version counts incompatible changes of summary.json's keys (docs/architecture.md).
  doc["schema_version"] = kSummarySchemaVersion;
  doc["config"]         = e.effective;
  doc["config_file"]    = source_relative(e.file); // no absolute path of the checkout in results
  doc["seed"]           = e.run.seed;
  return doc;
}

namespace {

// The path of the first non-finite number under `j` ("" when every number is finite). JSON has no NaN:
// nlohmann writes one as null, which a reader would take for "not applicable".
std::string first_non_finite(const nlohmann::json& j, const std::string& path)
{
  if (j.is_number_float())
    return std::isfinite(j.get<double>()) ? "" : path;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items())
      if (auto p = first_non_finite(v, path.empty() ? k : path + "." + k); not p.empty())
        return p;
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); i++)
      if (auto p = first_non_finite(j[i], path + "[" + std::to_string(i) + "]"); not p.empty())
        return p;
  }
  return "";
}

} // namespace

std::optional<double> RunContext::failure_iteration_s() const
{
  if (failure_iteration_configured())
    return experiment.failures.iteration_time_s;
  if (simulated)
    return simulated->steady().time_s;
  return std::nullopt;
}

std::string RunContext::cannot_train() const
{
  if (memory.fits())
    return "";
  return fmt("the model does not fit in GPU memory (peak estimate %.2f GB", memory.total() / 1e9) +
         fmt(" of %.2f GB)", memory.capacity / 1e9);
}

std::string RunContext::gemini_cannot_run() const
{
  // GEMINI's peer copies live in other instances' CPU memory and come back over the network; without one
  // such a recovery has no finite cost. Copies that stay in the instance (m = 1, or peers on its own GPUs)
  // need none: a software failure restores them locally, a hardware failure goes back to storage.
  if (experiment.checkpoint.instance_replicas() >= 2 && not(experiment.cluster.instance_Bps() > 0))
    return "the cluster has no inter-instance network to reach a peer's CPU memory";
  // With scheme none no schedule is made (its memory check stays unset): nothing is known against GEMINI.
  if (simulated && experiment.checkpoint.scheme != Scheme::none && not simulated->replay.checkpoint.schedule.memory.ok)
    return "GEMINI's GPU buffer does not fit beside training";
  return "";
}

std::vector<System> RunContext::systems_that_run() const
{
  const bool gemini = gemini_cannot_run().empty();
  std::vector<System> out;
  for (System s : all_systems())
    if (gemini || s != System::gemini)
      out.push_back(s);
  return out;
}

void RunContext::note(const std::string& key, const std::string& text)
{
  report.set(key, text, "note", text);
}

bool RunContext::skip_untrainable(const std::string& key, const std::string& verb)
{
  const std::string why = cannot_train();
  if (not why.empty())
    note(key, verb + ": " + why);
  return not why.empty();
}

void RunContext::note_gemini_left_out(const std::string& key)
{
  if (const std::string why = gemini_cannot_run(); not why.empty())
    report.set(key, "GEMINI left out: " + why, "GEMINI", "left out: " + why);
}

void run_stages(RunContext& ctx, const std::vector<Stage>& stages)
{
  for (const auto& stage : stages) {
    stage.run(ctx);
    if (auto key = first_non_finite(ctx.report.summary(), ""); not key.empty())
      throw ConfigError(ctx.experiment.file, key,
                        "the " + stage.name + " stage computed a non-finite value: these inputs have no finite answer");
  }
}

} // namespace gsim
