// The one table of defaults as results show them: every value load_experiment applied for an absent key,
// echoed into the effective config, so that a run's summary names every input it used.
#include "models/calibration_paths.hpp"
#include "models/config_detail.hpp"

namespace gsim::config_detail {

void echo_defaults(nlohmann::json& j, const Experiment& e)
{
  const auto fill = [](nlohmann::json& obj, const char* key, const nlohmann::json& value) {
    if (not obj.contains(key))
      obj[key] = value;
  };
  fill(j, "description", e.description);
  fill(j["model"], "kv_heads", e.model.kv());
  fill(j["model"], "tie_embeddings", e.model.tie_embeddings);
  const auto& t = e.training;
  fill(j["training"], "gradient_accumulation_steps", t.gradient_accumulation_steps);
  fill(j["training"], "param_persistence_threshold", t.param_persistence_threshold);
  fill(j["training"], "max_live_elements", t.max_live_elements);
  fill(j["training"], "max_reuse_distance_elements", t.max_reuse_distance_elements);
  fill(j["training"], "sub_group_elements", t.sub_group_elements);
  fill(j["training"], "framework", to_string(t.framework));
  fill(j["training"], "attention", to_string(t.attention));
  fill(j["training"], "activation", to_string(t.activation));
  fill(j["training"], "norm", to_string(t.norm));
  fill(j["checkpoint"], "profile_warmup_lines", e.checkpoint.profile_warmup_lines);
  fill(j["checkpoint"], "peers", to_string(e.checkpoint.peers));
  fill(j["checkpoint"], "leftovers", to_string(e.checkpoint.leftovers));
  fill(j["checkpoint"], "span_source", to_string(e.checkpoint.span_source));
  fill(j["checkpoint"], "artifact_network_Gbps", e.checkpoint.artifact_network_Gbps);
  fill(j["failures"], "iteration_time_s", e.failures.iteration_time_s);
  fill(j["failures"], "model", to_string(e.failures.model));
  fill(j["failures"], "correlated_group_size", e.failures.correlated_group_size);
  fill(j["failures"], "correlated_fraction", e.failures.correlated_fraction);
  fill(j["failures"], "recovery_simulation_events", e.failures.recovery_simulation_events);
  fill(j["failures"], "counted_instances", e.failures.counted_instances);
  fill(j["run"], "stages", e.run.stages);
  // Relative to the experiment file, as the key is read: no absolute path of the checkout in results.
  if (not e.run.calibration.empty())
    fill(j["run"], "calibration", relative_to_file(e.run.calibration, e.file));
}

} // namespace gsim::config_detail
