#pragma once
// What DeepSpeed ZeRO-3 (0.7.3, the paper's engine) issues in one iteration, as a program for the
// replay: a sequence of module hooks on the compute stream, each with the collectives it issues before
// its kernels (parameter all-gathers: its own fetch, then prefetches), the collective it must wait for,
// its kernels' time (calibrated GEMMs + memory-bound elementwise work), and the reduce-scatters it
// issues after its kernels (gradient buckets). Pure: no SimGrid.
//
// The modules are HF's: GPT2LMHeadModel, BertForMaskedLM, RobertaForMaskedLM (transformers 4.2x, the paper's)
// and LlamaForCausalLM. The kernel variants of training.attention / activation / norm are priced from the
// calibration's kernels.json (CostModel::attention_time, rowwise_kernel_time, rope_time); without such an
// entry, eager attention, GELU and fused LayerNorm fall back to counted read+write passes over the HBM curve
// (the only pricing before kernels.json), and the other variants are a ConfigError.
//
// The decisions are DeepSpeed's PartitionedParameterCoordinator and stage3 gradient bucketing:
//  * every module's pre-forward / pre-backward hook fetches its own partitioned parameters (one
//    coalesced all-gather) and then prefetches the next not-yet-available parameters of the recorded
//    trace, up to stage3_prefetch_bucket_size elements and within stage3_max_live_parameters;
//  * after a module runs, its parameters are released unless the prefetcher has already scanned past
//    a later use of them, or they are used again within stage3_max_reuse_distance elements (so a
//    recomputed block's parameters stay for its backward);
//  * parameters smaller than stage3_param_persistence_threshold are never partitioned;
//  * a gradient joins the reduce bucket when it is final; a full bucket (reduce_bucket_size) is
//    reduce-scattered, the rest at the end of the backward pass.
// They depend on parameter states only, never on timing, so the schedule is computed once, up front.
// Hooks fire when the compute stream reaches the module (the host does not run ahead of the GPU).
//
// training.framework (models/framework_schedule.hpp) picks the schedule: DeepSpeed's coordinator above for
// gemini-interleave, gemini-none and deepspeed, with the host waits each of them has; one all-gather per
// block for fsdp2; bucketed all-reduces for ddp (models/framework_schedule.cpp). With one GPU no schedule
// issues a collective: a one-rank NCCL collective is a device-local copy (charged as HBM passes to the
// step that issues it, for the sharded schedules), not network traffic.
#include "models/calibration.hpp"
#include "models/config.hpp"

#include <string>
#include <vector>

namespace gsim {

struct CommOp {
  CollOp op    = CollOp::all_gather;
  double bytes = 0; // the whole array, as nccl-tests counts it
  double numel = 0;
  std::string label; // what it carries, e.g. "h12.mlp.c_fc" or "grad bucket 7"
  int tensors = 0;   // parameter tensors it carries
};

struct ComputeStep {
  std::string label;            // module and pass, e.g. "fwd h3.attn.c_attn"
  std::vector<int> issue;       // comm ops issued at the hook, before the kernels (indices into comms)
  int wait_for   = -1;          // the kernels need this comm op (and, FIFO, all before it) complete
  double seconds = 0;           // kernel time on the compute stream
  std::vector<int> issue_after; // comm ops issued once the kernels are done (gradient buckets)
  int wait_after = -1;          // the host waits for this comm op before the next hook (gemini-*'s reduce sync)
  double host_s  = 0;           // host time of the hook before its kernels are launched (models/host_cost.hpp)
};

/** One iteration: gradient_accumulation_steps x (forward + backward), then the optimizer step. */
struct Zero3Program {
  std::vector<CommOp> comms;               // in issue order (the communication stream runs them FIFO)
  std::vector<ComputeStep> steps;          // the compute stream, in order
  double optimizer_s       = 0;            // fused Adam step on the shard, after every comm op has completed
  double gradient_bucket_s = 0;            // of the steps' seconds: gradient bucket copies and pre-division
  double param_copy_s      = 0;            // of the steps' seconds: gathered-parameter copies (FSDP2 copy-out)
  double one_rank_copy_s   = 0;            // of the steps' seconds: one-rank "collectives" (device copies)
  std::vector<std::string> kernel_sources; // how each kernel variant was priced (kernels.json entry, or passes)
  double host_s = 0;                       // the steps' host_s summed: host work per iteration (0: not modelled)
  double compute_s() const;                // sum of kernel time, optimizer included
  double comm_bytes(CollOp op) const;
};

// ---- The model as the schedules see it (built by models/zero3_schedule.cpp from HF's modules).

struct ScheduleParam {
  std::string name;
  double numel     = 0;
  bool partitioned = true; // DeepSpeed: false below stage3_param_persistence_threshold (never gathered)
};

struct ScheduleModule {
  std::string name;
  std::vector<int> params; // owned directly (DeepSpeed fetches a module's own parameters, not its children's)
  double fwd_s = 0;        // its kernels in the forward pass
  double bwd_s = 0;        // and in the backward pass
  int layer    = -1;       // the transformer block it belongs to (checkpointing and fully_shard unit), -1: root
};

struct ScheduleEvent { // one module hook of a micro-batch, in execution order
  int module     = 0;
  bool backward  = false;
  bool recompute = false;
};

/** The model and one micro-batch's hooks, which a schedule turns into steps and collectives. */
struct ScheduleModel {
  std::vector<ScheduleParam> params;
  std::vector<ScheduleModule> modules;
  std::vector<ScheduleEvent> events;
};

/** HuggingFace's module tree of `e`'s model with kernel times from `cost`, and one micro-batch's hooks;
 *  appends how each kernel variant was priced to `kernel_sources` (models/hf_schedule_model.cpp). */
ScheduleModel hf_schedule_model(const Experiment& e, const CostModel& cost, std::vector<std::string>& kernel_sources);

/** Appends micro-batch `index` of DeepSpeed's coordinator (gemini-*, deepspeed) to `p`
 *  (models/zero3_coordinator.cpp). */
void deepspeed_micro_batch(const Experiment& e, const CostModel& cost, const ScheduleModel& m, int index,
                           Zero3Program& p);
/** Appends micro-batch `index` of the fsdp2 / ddp schedules to `p` (models/framework_schedule.cpp). */
void fsdp2_micro_batch(const Experiment& e, const CostModel& cost, const ScheduleModel& m, int index, Zero3Program& p);
void ddp_micro_batch(const Experiment& e, const CostModel& cost, const ScheduleModel& m, int index, Zero3Program& p);

/** Builds the program of `e` with kernel times from `cost`. Throws ConfigError for unsupported inputs. */
Zero3Program make_zero3_program(const Experiment& e, const CostModel& cost);

} // namespace gsim
