#pragma once
// The experiment a run simulates: cluster hardware, model, training, checkpoint and failure settings.
// Loaded from configs/*.json (which name a cluster file and a model file), validated strictly,
// converted to SI units (bytes, seconds, bytes/s, FLOP/s) once, here.
#include "models/choice.hpp"
#include "models/framework_schedule.hpp"
#include "models/json_reader.hpp"
#include "models/network_published.hpp"
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gsim {

GSIM_CHOICE(Dtype, fp16, bf16, fp32);
GSIM_CHOICE(IntraNode, nvswitch, nvlink_cube_mesh, nvlink_pair);
GSIM_CHOICE(Scheme, none, blocking, naive, no_pipeline, gemini);
GSIM_CHOICE(PlacementKind, group, ring, mixed);
// Where a GPU's m - 1 peer copies go: the GPU of the same local index on other instances (the paper), or
// other GPUs of its own instance over NVLink (a one-host box; the copies then share the instance's fate).
GSIM_CHOICE(PeerScope, other_instances, same_instance);
// What happens to checkpoint chunks past the last span (docs/checkpoint.md): GEMINI as published delays the
// update until they are sent; the artifact drops them and applies its plan one collective late.
GSIM_CHOICE(Leftovers, delay_update, artifact);
// Which idle spans the replay plans over: the network's physical idle spans, or the artifact profiler's
// values (models/artifact_profiler.hpp) reduced by its reader.
GSIM_CHOICE(SpanSource, physical, profiler);
GSIM_CHOICE(CollectiveMode, analytic, flow, hierarchical);
GSIM_CHOICE(FailureModel, independent, simultaneous, correlated); // models/failure_process.hpp
// Kernel variants of a training step (priced from kernels.json in models/zero3_schedule.cpp).
GSIM_CHOICE(AttentionKernel, eager, flash);                    // HF eager attention, or FlashAttention 2 (SDPA)
GSIM_CHOICE(Activation, gelu_new, gelu, swiglu, swiglu_fused); // gelu_new: eager tanh GELU; gelu: one fused kernel
GSIM_CHOICE(NormKernel, fused, unfused);                       // one norm kernel, or the eager formula's kernels

/** Bytes per element of `d` (fp16 and bf16: 2, fp32: 4). */
inline double element_bytes(Dtype d)
{
  return d == Dtype::fp32 ? 4 : 2;
}

struct GpuSpec {
  std::string name;
  double peak_flops_fp16 = 0; // dense tensor-core FLOP/s
  double peak_flops_bf16 = 0;
  double peak_flops_fp32 = 0; // non-tensor-core FLOP/s
  double hbm_bytes       = 0;
  double hbm_Bps         = 0; // HBM bandwidth, bytes/s
  // Published maximum achievable matmul FLOP/s (a brute-force shape search) as a fraction of the tensor-core
  // peak; 0 where none is published. The GEMM transfer carries the measured efficiency curve by the ratio of
  // the target's to the measuring GPU's ceiling (models/cost_model.cpp).
  double matmul_ceiling = 0;
  double peak_flops(Dtype d) const;
};

struct ClusterSpec {
  std::string name;
  std::string file;
  int gpus_per_instance = 0;
  GpuSpec gpu;
  IntraNode intra_kind           = IntraNode::nvswitch;
  double intra_Bps               = 0; // per GPU, per direction
  double intra_latency_s         = 0;
  double pcie_Bps                = 0; // GPU <-> CPU per GPU, per direction
  double pcie_latency_s          = 0;
  int gpus_per_pcie_switch       = 1; // GPUs that share one PCIe switch uplink to the CPU
  double pcie_switch_Bps         = 0; // switch uplink to the CPU root complex, per direction
  int nics                       = 0; // NICs per instance
  double nic_Bps                 = 0; // per NIC, per direction
  double nic_latency_s           = 0;
  double cpu_memory_bytes        = 0;
  double framework_reserve_bytes = 0; // GPU memory the CUDA context and the allocator keep per GPU
  // Published efficiencies this cluster is priced with (network_published.hpp): the inter-instance network
  // (nic.efficiency_file, required with NICs; nic.efficiency_note says whether it was measured on this
  // cluster or is a transfer) and NVLink for a calibration without a 2-GPU run (intra_node.efficiency_file).
  PublishedNetwork network;
  std::string network_note;
  PublishedNetwork nvlink;
  double instance_Bps() const { return nics * nic_Bps; }
};

struct ModelSpec {
  std::string name;
  std::string file;
  std::string family; // gpt2, bert, roberta (HF layouts with biases, LayerNorm, GELU), llama (see below)
  int layers        = 0;
  int hidden        = 0;
  int intermediate  = 0; // MLP width: up projection (gpt2/bert/roberta), or each of gate and up (llama's SwiGLU)
  int heads         = 0; // query heads
  int kv_heads      = 0; // key/value heads (grouped-query attention, llama only); 0 = heads
  int vocab         = 0;
  int max_positions = 0; // gpt2/bert/roberta: rows of the learned position table; llama (rotary): a limit only
  // The output head shares the token embedding's weight. File key `tie_embeddings`, default per family:
  // true for gpt2 (GPT2LMHeadModel ties lm_head), bert and roberta (the MLM decoder is tied), false for llama
  // (HF LlamaConfig.tie_word_embeddings = false; Llama 3 8B / 70B / 405B ship untied).
  bool tie_embeddings = true;
  /** llama: RMSNorm, SwiGLU MLP (gate, up, down), rotary positions (no position table), no biases. */
  bool is_llama() const { return family == "llama"; }
  int kv() const { return kv_heads > 0 ? kv_heads : heads; }
  double head_dim() const { return double(hidden) / heads; }
};

struct TrainingSpec {
  int micro_batch                    = 0;
  int sequence_length                = 0;
  Dtype precision                    = Dtype::fp16;
  bool activation_recomputation      = true;
  int gradient_accumulation_steps    = 1;
  double reduce_bucket_elements      = 0; // DeepSpeed reduce_bucket_size
  double prefetch_bucket_elements    = 0; // DeepSpeed stage3_prefetch_bucket_size
  double param_persistence_threshold = 0; // DeepSpeed stage3_param_persistence_threshold
  double max_live_elements           = 0; // DeepSpeed stage3_max_live_parameters (prefetch stops there)
  double max_reuse_distance_elements = 0; // DeepSpeed stage3_max_reuse_distance (gathered params kept)
  double sub_group_elements          = 0; // DeepSpeed sub_group_size (the optimizer step's unit)
  // The schedule that issues the iteration (models/framework_schedule.hpp).
  Framework framework = Framework::deepspeed;
  // Kernel variants; the defaults are what HF runs per family (set by load_experiment): eager
  // attention; gelu_new (gpt2), fused erf gelu (bert, roberta), eager swiglu (llama); fused LayerNorm
  // (gpt2, bert, roberta), unfused (eager) RMSNorm (llama).
  AttentionKernel attention = AttentionKernel::eager;
  Activation activation     = Activation::gelu_new;
  NormKernel norm           = NormKernel::fused;
};

struct CheckpointSpec {
  Scheme scheme             = Scheme::gemini;
  int replicas              = 2; // m: local copy + (m - 1) peers
  PlacementKind placement   = PlacementKind::mixed;
  PeerScope peers           = PeerScope::other_instances;
  double gpu_buffer_bytes   = 0; // R
  int sub_buffers           = 1; // p
  double mu                 = 0.8;
  double span_threshold_s   = 0; // idle spans shorter than this are not used
  int profile_iterations    = 1;
  double storage_interval_s = 0; // GEMINI also writes to remote storage this often
  int profile_warmup_lines  = 8; // first lines of idle_profile skipped as warm-up (artifact launch.sh: 8)
  std::string idle_profile;      // optional measured idle-span profile (artifact format) to plan over
  /** Instances holding a copy of an instance's checkpoint (the m of placement and recovery): m, or 1 when
   *  the peers are GPUs of the same instance (an instance failure then takes every copy with it). */
  int instance_replicas() const { return peers == PeerScope::same_instance ? 1 : replicas; }
  Leftovers leftovers          = Leftovers::delay_update;
  SpanSource span_source       = SpanSource::physical;
  double artifact_network_Gbps = 80; // the artifact's --network_bandwidth, for its Fig 8 checkpoint-time formula
};

struct StorageSpec {
  double bandwidth_Bps       = 0; // aggregate remote persistent storage
  double strawman_interval_s = 0;
};

// failures.spaced: evenly spaced failures on a placement (models/spaced_failures.hpp, Fig 10).
struct SpacedFailures {
  int events       = 0;
  double spacing_s = 0;
  int replaced     = 0; // 0, 1 or 2
  bool same_group  = false;
};

// failures.script: one failure instead of the failure process (Fig 14).
struct ScriptedFailure {
  double at_iterations = 0; // when, in iterations from the start
  std::vector<int> instances;
  bool hardware = false;
};

struct FailureSpec {
  int simultaneous             = 1; // k, for the recovery probability
  double rate_per_instance_day = 0;
  double hardware_fraction     = 0; // share of failures that need a replaced machine
  double detection_s           = 0;
  double serialization_Bps     = 0; // torch.save() throughput per instance
  double replacement_s         = 0; // getting a new machine from the cloud (no standby)
  bool standby                 = false;
  double warmup_s              = 0;
  double iteration_time_s      = 0; // measured iteration time to use in closed forms; 0 = simulate
  // Optional, for the failure simulation (models/failure_process.hpp). Defaults: independent failures;
  // a correlated event takes a domain of 4 instances down (illustrative: no source gives a p4d rack size)
  // in 8.4 % of events (Llama 3 report, Table 5: network switch/cable, 35 of 419 interruptions).
  FailureModel model         = FailureModel::independent;
  int correlated_group_size  = 4;
  double correlated_fraction = 0.084;
  // Optional keys that shape a run for one figure rather than model a cluster (models/figure_failure_keys.hpp).
  int recovery_simulation_events = 0; // the recovery_simulation stage's events (Fig 9); 0: the stage does nothing
  int counted_instances          = 0; // instances whose failures the closed forms count (Fig 15b); 0: the run's
  std::optional<ScriptedFailure> script;
  std::optional<SpacedFailures> spaced;
};

struct RunSpec {
  uint64_t seed              = 1;
  double days                = 1;
  CollectiveMode collectives = CollectiveMode::hierarchical;
  int iterations             = 1; // iterations simulated after the profiling ones
  // run.calibration: the calibration directory, relative to the experiment file; default: the shipped one
  // found by the rule of models/calibration_paths.hpp. "" when the default was not found.
  std::string calibration;
  // run.stages: the stages to run, comma-separated, or "all" (sim/run/pipeline.cpp checks the names).
  std::string stages = "all";
};

struct Experiment {
  std::string file;
  std::string description;
  ClusterSpec cluster;
  int instances = 0;
  ModelSpec model;
  TrainingSpec training;
  CheckpointSpec checkpoint;
  StorageSpec storage;
  FailureSpec failures;
  RunSpec run;
  nlohmann::json effective; // the resolved config (files inlined, --set applied), echoed in results
  int gpus() const { return instances * cluster.gpus_per_instance; }
};

/** Loads an experiment file, applies `sets` ("dotted.key=value"), validates. Throws ConfigError. */
Experiment load_experiment(const std::string& file, const std::vector<std::string>& sets = {});

/** Every key the experiment `file` accepts (its own, and its cluster's and model's under `cluster.` and
 *  `model.`), as the readers that validate it recorded them, sorted by key (`gemini-sim keys`). */
std::vector<KeySpec> experiment_keys(const std::string& file);

/** The value of a `--set key=value` (or a sweep's grid value): JSON when `text` parses as JSON, else a string. */
nlohmann::json parse_set_value(const std::string& text);

/** Loads a cluster or a model file on its own (also used by tests and tools). */
ClusterSpec load_cluster(const std::string& file);
ModelSpec load_model(const std::string& file);

} // namespace gsim
