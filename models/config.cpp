// The experiment file: --set overrides, the cluster and model files it names (read in
// models/config_hardware.cpp), every section validated and converted to SI units, the bounds on the work of
// one run, and the defaults echoed into the effective config. The choices' names: models/choice.hpp.
#include "models/config.hpp"

#include "models/calibration_paths.hpp"
#include "models/config_detail.hpp"
#include "models/figure_failure_keys.hpp"
#include "models/json_reader.hpp"
#include "models/zero3_memory.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

namespace gsim {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace config_detail;

namespace {
constexpr double kBig = std::numeric_limits<double>::max();
// The largest value of a key that is multiplied into SI units (GB/s x 1e9, hours x 3600): kBig would
// overflow to infinity there; 1e15 of any of these units is far beyond any real machine or run.
constexpr double kBigUnits = 1e15;
constexpr int64_t kMaxInt  = std::numeric_limits<int>::max();
// Work per run is bounded by validated ranges derived from its cost (below; each refusal names the bound), so
// that no accepted config runs for more than about a minute: the replay's cost grows with the micro-batch
// steps it simulates ((profile_iterations + iterations) x gradient_accumulation_steps) and with the
// checkpoint chunks it sends (run.iterations x checkpoint bytes x (m - 1) / sub-buffer size). Measured on this
// 2-core machine under load (p4d16): 48 analytic micro-steps 18 s; 4096 chunks 8 s analytic, 42 s in flow mode.
constexpr int64_t kMaxIterations = 32;    // run.iterations and checkpoint.profile_iterations, each
constexpr int64_t kMaxMicroSteps = 48;    // (profile_iterations + iterations) x gradient_accumulation_steps
constexpr double kMaxChunks      = 32768; // checkpoint chunks over all checkpointed iterations, analytic
constexpr double kMaxChunksFlow  = 4096;  // the same in flow mode (a SimGrid flow per GPU and chunk)
constexpr int64_t kMaxSubBuffers = 1024;  // checkpoint.sub_buffers

// ---- --set: "dotted.key=value"; the value is JSON when it parses as JSON, a string otherwise.
struct Override {
  std::vector<std::string> path;
  json value;
  std::string text;
};

// A --set (or grid) value: JSON when it parses as JSON, else a string; ConfigError naming `key` for invalid
// UTF-8, 1e400 or nesting beyond kMaxJsonDepth.
json parse_value(const std::string& text, const std::string& key)
{
  try {
    (void)json(text).dump(); // nlohmann refuses to print invalid UTF-8: find it here, not in a result file
  } catch (const json::type_error&) {
    throw ConfigError("--set", key, "the value is not valid UTF-8");
  }
  const bool looks_json = json::accept(text, /*ignore_comments=*/false);
  return looks_json ? parse_json_text(text, "--set", key) : json(text);
}

Override parse_set(const std::string& arg)
{
  if (arg.empty())
    throw ConfigError("--set", "(empty)", "an empty --set names no key; expected key=value");
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set", arg, "expected key=value (for example checkpoint.scheme=none)");
  Override o;
  o.text          = arg.substr(0, eq);
  std::string val = arg.substr(eq + 1);
  std::string key = o.text;
  size_t start    = 0;
  for (size_t dot; (dot = key.find('.', start)) != std::string::npos; start = dot + 1)
    o.path.push_back(key.substr(start, dot - start));
  o.path.push_back(key.substr(start));
  for (const auto& p : o.path)
    if (p.empty())
      throw ConfigError("--set", o.text, "empty key segment");
  o.value = parse_value(val, o.text);
  return o;
}

// The objects beside a missing one, for a "did you mean".
std::string near_object(const json& node, const std::string& name)
{
  std::vector<std::string> objects;
  if (node.is_object())
    for (const auto& [k, v] : node.items())
      if (v.is_object())
        objects.push_back(k);
  const std::string near = nearest_key(name, objects);
  return near.empty() ? "" : " (did you mean \"" + near + "\"?)";
}

void apply(json& root, const Override& o, const std::string& file)
{
  json* node = &root;
  for (size_t i = 0; i + 1 < o.path.size(); i++) {
    if (not node->is_object() || not node->contains(o.path[i]) || not(*node)[o.path[i]].is_object())
      throw ConfigError(file, o.text,
                        "--set names a key that is not in the config (no object '" + o.path[i] + "')" +
                            near_object(*node, o.path[i]));
    node = &(*node)[o.path[i]];
  }
  // A new leaf is allowed here; if it is not a known key, validation reports it as unknown.
  (*node)[o.path.back()] = o.value;
}

// The experiment names its cluster and model by path, relative to the experiment file.
std::string resolve_path(const std::string& experiment_file, const json& root, const std::string& key, KeyLog* log)
{
  if (not root.contains(key))
    throw ConfigError(experiment_file, key, "missing key");
  if (not root[key].is_string())
    throw ConfigError(experiment_file, key, "must be a path to a JSON file, got " + root[key].dump());
  if (root[key].get<std::string>().empty())
    throw ConfigError(experiment_file, key, "an empty path names no file");
  fs::path p = fs::path(experiment_file).parent_path() / root[key].get<std::string>();
  if (const auto problem = file_problem(p.string()); not problem.empty())
    throw ConfigError(experiment_file, key,
                      "file " + p.string() + (problem == "file does not exist" ? " does not exist" : ": " + problem));
  if (log != nullptr) // listed as the file it names; its keys are listed under `key.`
    log->push_back({key, "path", nullptr, nullptr, {}, true, root[key], nullptr});
  return p.lexically_normal().string();
}
} // namespace

json parse_set_value(const std::string& text)
{
  return parse_value(text, "(value)");
}

namespace {
Experiment load_experiment_unchecked(const std::string& file, const std::vector<Override>& overrides,
                                     KeyLog* log = nullptr);
}

std::vector<KeySpec> experiment_keys(const std::string& file)
{
  KeyLog log;
  (void)load_experiment_unchecked(file, {}, &log);
  std::sort(log.begin(), log.end(), [](const KeySpec& a, const KeySpec& b) { return a.key < b.key; });
  return log;
}

Experiment load_experiment(const std::string& file, const std::vector<std::string>& sets)
{
  std::vector<Override> overrides;
  for (const auto& s : sets)
    overrides.push_back(parse_set(s));
  try {
    return load_experiment_unchecked(file, overrides);
  } catch (const ConfigError& e) {
    // A problem in a value given with --set is the flag's, not the file's.
    for (const auto& o : overrides)
      if (e.key() == o.text || e.key().rfind(o.text + ".", 0) == 0)
        throw ConfigError(file + " (--set)", e.key(), e.problem());
    throw;
  }
}

namespace {
// The checkpoint travels in chunks of one sub-buffer (R / p): a tiny buffer or many sub-buffers cut it into
// so many that the replay would run for hours. Bounded here, with the numbers that decide it.
void check_chunk_count(const Experiment& e, const JsonReader& r)
{
  if (e.checkpoint.scheme == Scheme::none)
    return;
  const double sub = e.checkpoint.gpu_buffer_bytes / e.checkpoint.sub_buffers;
  // Every checkpointed iteration (run.iterations) sends them all; in flow and hierarchical mode each is one SimGrid
  // flow per GPU.
  const double chunks =
      std::ceil(checkpoint_bytes_per_gpu(e) / sub) * std::max(1, e.checkpoint.replicas - 1) * e.run.iterations;
  const double most = e.run.collectives != CollectiveMode::analytic ? kMaxChunksFlow : kMaxChunks;
  if (chunks > most)
    throw ConfigError(r.file(), "checkpoint.gpu_buffer_MiB",
                      "sub-buffers of " + std::to_string(sub / kMiB) + " MiB (gpu_buffer_MiB / sub_buffers) cut each " +
                          "checkpoint into chunks, " + std::to_string(int64_t(chunks)) +
                          " over run.iterations; at most " + std::to_string(int64_t(most)) + " in run.collectives " +
                          to_string(e.run.collectives) + " (a bound on the work of one run): raise " +
                          "gpu_buffer_MiB or lower sub_buffers");
}

// run.calibration: a directory relative to the experiment file; when absent, the shipped one found by the
// rule of models/calibration_paths.hpp ("" when none is found: the simulation stage then says so).
std::string read_calibration_dir(JsonReader& u, const std::string& file)
{
  // Read through string_or even when absent, so that `gemini-sim keys` lists the key with what absence means.
  const std::string name = u.string_or("calibration", std::string(kShippedCalibration) + " of the data root");
  if (not u.has("calibration"))
    return default_calibration_dir(file);
  const fs::path dir = (fs::path(file).parent_path() / name).lexically_normal();
  std::error_code ec;
  if (name.empty() || not fs::is_directory(dir, ec))
    u.fail("calibration", "\"" + name + "\" (relative to the experiment file): " +
                              (name.empty() ? "an empty path names no directory" : "no such directory"));
  return dir.string();
}

// training: the step's shape, precision, ZeRO-3 buckets and kernel variants (defaults per family: TrainingSpec).
void read_training(JsonReader& r, Experiment& e)
{
  auto t                     = r.object("training");
  e.training.micro_batch     = int(t.integer("micro_batch", 1, 1 << 20));
  e.training.sequence_length = int(t.integer("sequence_length", 1, 1 << 24));
  e.training.precision       = read_enum<Dtype>(t, "precision");
  // Refused, not simulated (issue 14): traces/calibration has no fp32 GEMM or kernel measurement
  // (models/kernel_cost.cpp), so an fp32 step would be priced from nothing.
  if (e.training.precision == Dtype::fp32)
    t.fail("precision", "fp32 is not simulated: traces/calibration has no fp32 GEMM or kernel measurement; use "
                        "fp16 or bf16");
  e.training.activation_recomputation    = t.boolean("activation_recomputation");
  e.training.gradient_accumulation_steps = int(t.integer_or("gradient_accumulation_steps", 1, 1, kMaxMicroSteps));
  e.training.reduce_bucket_elements      = t.number("reduce_bucket_elements", 1, kBig);
  e.training.prefetch_bucket_elements    = t.number("prefetch_bucket_elements", 1, kBig);
  e.training.param_persistence_threshold = t.number_or("param_persistence_threshold", 1e5, 0, kBig);
  // DeepSpeed 0.7.3 defaults (deepspeed/runtime/zero/config.py): they bound the gathered parameters and the
  // optimizer step's gradient copies (models/zero3_memory.hpp) and the coordinator's prefetch and release.
  e.training.max_live_elements           = t.number_or("max_live_elements", kMaxLiveParameters, 0, kBig);
  e.training.max_reuse_distance_elements = t.number_or("max_reuse_distance_elements", kMaxReuseDistance, 0, kBig);
  e.training.sub_group_elements          = t.number_or("sub_group_elements", kSubGroupSize, 1, kBig);
  // Optional, default deepspeed (upstream 0.7.3, the schedule of the former blocking_allgather = false).
  if (t.has("blocking_allgather"))
    t.fail("blocking_allgather", "replaced by training.framework (gemini-interleave | gemini-none | deepspeed | "
                                 "fsdp2 | ddp; docs/engine.md \"Framework schedules\")");
  // Its names are the artifact's hyphenated ones (models/framework_schedule.cpp), so they come from its table.
  std::vector<std::string> frameworks;
  for (const auto& [name, framework] : framework_names())
    frameworks.push_back(name);
  const auto framework = t.choice_or("framework", to_string(Framework::deepspeed), frameworks);
  for (const auto& [name, value] : framework_names())
    if (name == framework)
      e.training.framework = value;
  // Optional kernel variants, defaults per family: what HF runs (TrainingSpec).
  const bool llama = e.model.is_llama(), gpt2 = e.model.family == "gpt2";
  e.training.attention  = read_enum_or(t, "attention", AttentionKernel::eager);
  e.training.activation = read_enum_or(t, "activation",
                                       llama  ? Activation::swiglu
                                       : gpt2 ? Activation::gelu_new
                                              : Activation::gelu);
  e.training.norm       = read_enum_or(t, "norm", llama ? NormKernel::unfused : NormKernel::fused);
  const auto act        = e.training.activation;
  const bool swiglu     = act == Activation::swiglu || act == Activation::swiglu_fused;
  if (llama != swiglu || (not gpt2 && act == Activation::gelu_new))
    t.fail("activation", "\"" + to_string(act) + "\" is not an activation of family " + e.model.family + " (" +
                             e.model.file + "); it has " +
                             (llama  ? "swiglu (eager) or swiglu_fused"
                              : gpt2 ? "gelu_new (eager, HF's default) or gelu (one fused kernel)"
                                     : "gelu (fused erf GELU) only"));
  t.finish();
  if (e.training.sequence_length > e.model.max_positions)
    t.fail("sequence_length", "exceeds the model's max_positions (" + std::to_string(e.model.max_positions) + ")");
}

// checkpoint: the scheme, m, placement and GPU buffer, checked against the instances and the GPU's memory.
void read_checkpoint(JsonReader& r, Experiment& e)
{
  auto c                          = r.object("checkpoint");
  e.checkpoint.scheme             = read_enum<Scheme>(c, "scheme");
  e.checkpoint.replicas           = int(c.integer("replicas", 1, kMaxInt));
  e.checkpoint.placement          = read_enum<PlacementKind>(c, "placement");
  e.checkpoint.peers              = read_enum_or(c, "peers", PeerScope::other_instances);
  e.checkpoint.gpu_buffer_bytes   = c.number("gpu_buffer_MiB", 1e-3, kBig) * kMiB;
  e.checkpoint.sub_buffers        = int(c.integer("sub_buffers", 1, kMaxSubBuffers));
  e.checkpoint.mu                 = c.number("mu", 1e-6, 1.0);
  e.checkpoint.span_threshold_s   = c.number("span_threshold_ms", 0, kBig) * 1e-3;
  e.checkpoint.profile_iterations = int(c.integer("profile_iterations", 1, kMaxIterations));
  e.checkpoint.storage_interval_s = c.number("storage_interval_h", 1e-6, kBigUnits) * 3600;
  e.checkpoint.idle_profile       = c.string_or("idle_profile", "");
  // Optional; default 8 = --jump_profile_lines of the artifact's examples/BERT/launch.sh, which recorded
  // the one real profile we have (shared/traces/gemini-ae/README.md). The artifact reader's own default is 6.
  e.checkpoint.profile_warmup_lines = int(c.integer_or("profile_warmup_lines", 8, 0, 1 << 20));
  e.checkpoint.leftovers            = read_enum_or(c, "leftovers", Leftovers::delay_update);
  e.checkpoint.span_source          = read_enum_or(c, "span_source", SpanSource::physical);
  // Default 80 = --network_bandwidth of the artifact's examples/GPT/launch.sh and examples/BERT/launch.sh
  // (both clusters), the value its extract_results.py also hard-codes for Fig 8's checkpoint time.
  e.checkpoint.artifact_network_Gbps = c.number_or("artifact_network_Gbps", 80, 1e-6, kBigUnits);
  if (not e.checkpoint.idle_profile.empty())
    if (const auto problem = file_problem(e.checkpoint.idle_profile); not problem.empty())
      c.fail("idle_profile", e.checkpoint.idle_profile + ": " + problem);
  c.finish();
  const int m = e.checkpoint.replicas;
  if (e.checkpoint.peers == PeerScope::same_instance) {
    if (m > e.cluster.gpus_per_instance)
      c.fail("replicas", "m = " + std::to_string(m) + " exceeds the " + std::to_string(e.cluster.gpus_per_instance) +
                             " GPUs of an instance (checkpoint.peers = same_instance)");
  } else {
    if (m > e.instances)
      c.fail("replicas", "m = " + std::to_string(m) + " exceeds the " + std::to_string(e.instances) + " instances" +
                             (e.instances == 1 ? " (checkpoint.peers = same_instance puts the peers on this "
                                                 "instance's other GPUs)"
                                               : ""));
    if (e.checkpoint.placement == PlacementKind::group && e.instances % m != 0)
      c.fail("placement", "group placement needs replicas to divide instances; use mixed");
  }
  if (e.checkpoint.gpu_buffer_bytes >= e.cluster.gpu.hbm_bytes - e.cluster.framework_reserve_bytes)
    c.fail("gpu_buffer_MiB", "the buffer does not fit in the GPU's memory (" + e.cluster.gpu.name + ")");
}

// storage: the remote storage's bandwidth and the strawman's checkpoint interval.
void read_storage(JsonReader& r, Experiment& e)
{
  auto s                        = r.object("storage");
  e.storage.bandwidth_Bps       = s.number("bandwidth_Gbps", 1e-6, kBigUnits) * 1e9 / 8;
  e.storage.strawman_interval_s = s.number("strawman_interval_h", 1e-6, kBigUnits) * 3600;
  s.finish();
}

// failures: the failure process and the recovery phases' durations.
void read_failures(JsonReader& r, Experiment& e)
{
  auto f                           = r.object("failures");
  e.failures.simultaneous          = int(f.integer("simultaneous", 1, kMaxInt));
  e.failures.rate_per_instance_day = f.number("rate_per_instance_day", 0, 1e6);
  e.failures.hardware_fraction     = f.number("hardware_fraction", 0, 1);
  e.failures.detection_s           = f.number("detection_s", 0, kBig);
  e.failures.serialization_Bps     = f.number("serialization_GBps", 1e-9, kBigUnits) * 1e9;
  e.failures.replacement_s         = f.number("replacement_s", 0, kBig);
  e.failures.standby               = f.boolean("standby");
  e.failures.warmup_s              = f.number("warmup_s", 0, kBig);
  e.failures.iteration_time_s      = f.number_or("iteration_time_s", 0, 0, kBig);
  // Optional (the failure simulation); defaults documented on FailureSpec.
  e.failures.model                 = read_enum_or(f, "model", FailureModel::independent);
  e.failures.correlated_group_size = int(f.integer_or("correlated_group_size", 4, 1, kMaxInt));
  e.failures.correlated_fraction   = f.number_or("correlated_fraction", 0.084, 0, 1);
  read_figure_failure_keys(f, e.instances, e.failures); // models/figure_failure_keys.hpp
  f.finish();
  if (e.failures.simultaneous > e.instances)
    f.fail("simultaneous", "k = " + std::to_string(e.failures.simultaneous) + " exceeds the " +
                               std::to_string(e.instances) + " instances");
}

// run: seed, horizon, collectives and iterations, with the bound on the micro-batch steps of one run.
void read_run(JsonReader& r, Experiment& e)
{
  auto u            = r.object("run");
  e.run.seed        = uint64_t(u.integer("seed", 0, std::numeric_limits<int64_t>::max())); // exact (JsonReader)
  e.run.days        = u.number("days", 1e-9, 1e6);
  e.run.collectives = read_enum<CollectiveMode>(u, "collectives");
  e.run.iterations  = int(u.integer("iterations", 1, kMaxIterations));
  e.run.calibration = read_calibration_dir(u, e.file);
  // The stages to run, comma-separated ("all": every one); the pipeline checks the names
  // (sim/run/pipeline.cpp selected_stages).
  e.run.stages = u.string_or("stages", "all");
  u.finish();
  const int64_t steps =
      int64_t(e.checkpoint.profile_iterations + e.run.iterations) * e.training.gradient_accumulation_steps;
  if (steps > kMaxMicroSteps)
    u.fail("iterations", "(checkpoint.profile_iterations + run.iterations) x training.gradient_accumulation_steps = " +
                             std::to_string(steps) + " micro-batch steps; at most " + std::to_string(kMaxMicroSteps) +
                             " (a bound on the work of one run)");
}

Experiment load_experiment_unchecked(const std::string& file, const std::vector<Override>& overrides, KeyLog* log)
{
  json root = read_json_file(file);
  if (not root.is_object())
    throw ConfigError(file, "(root)", "must be a JSON object");

  // Top-level overrides first (they may swap the cluster or model file), then the nested ones.
  for (const auto& o : overrides)
    if (o.path.size() == 1)
      apply(root, o, file);

  const std::string cluster_file = resolve_path(file, root, "cluster", log);
  const std::string model_file   = resolve_path(file, root, "model", log);
  json resolved                  = root;
  resolved["cluster"]            = read_json_file(cluster_file);
  resolved["model"]              = read_json_file(model_file);
  for (const auto& o : overrides)
    if (o.path.size() > 1)
      apply(resolved, o, file);

  Experiment e;
  e.file = file;
  JsonReader r(resolved, file, "", log);
  e.description = r.string_or("description", "");
  // The inlined cluster and model report errors against their own files.
  r.object("cluster");
  r.object("model");
  e.cluster   = read_cluster(resolved["cluster"], cluster_file, "cluster", log);
  e.model     = read_model(resolved["model"], model_file, "model", log);
  e.instances = int(r.integer("instances", 1, 1000000));

  read_training(r, e);
  read_checkpoint(r, e);
  read_storage(r, e);
  read_failures(r, e);
  read_run(r, e);
  r.finish();
  if (e.instances > 1 && e.cluster.nics == 0)
    throw ConfigError(cluster_file, "nic.count",
                      "the cluster has no NIC, so it cannot span " + std::to_string(e.instances) + " instances");
  check_chunk_count(e, r);
  echo_defaults(resolved, e);
  e.effective = resolved;
  return e;
}
} // namespace

} // namespace gsim
