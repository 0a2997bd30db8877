#pragma once
// training.framework: which training framework issues the iteration, as the schedule the replay runs.
// Each value is a documented schedule with its source; models/zero3_schedule.cpp builds the program
// from it (DeepSpeed's coordinator for gemini-* and deepspeed, the per-block builders below for fsdp2
// and ddp). Artifact paths are inside zhuangwang93/Gemini_SOSP23 at 9b551dd^ (shared/artifact-notes.md).
//
//  gemini-interleave  the fork as Figs 7, 8 and 16 ran it (--snapshot_mode interleave).
//     AG: zero/partitioned_param_coordinator.py:402-410 launches each all-gather (async_op=True,
//     zero/partition_parameters.py:41-45: the NCCL kernel runs on ProcessGroupNCCL's stream) and then
//     synchronises the all-gather stream; that stream has waited (:273 handle.wait(), :279) for the
//     all-gathers of the parameters a hook needs, so the host blocks until the module's own parameters
//     have arrived, not until the prefetch it just launched has. No device-wide sync: :280 and :433 are
//     skipped because is_snapshot_mode() is true for the whole run. At most 2 fetch events in flight
//     (:112, :268-270). RS: zero/stage3.py:1098 makes the reduce stream wait for the default stream per
//     gradient; :1175 synchronises the reduce stream after every reduce-scatter (async_op=False): the
//     host waits for each reduce-scatter before it reaches the next hook.
//  gemini-none        the same fork with --snapshot_mode none: torch.cuda.synchronize() after every
//     all-gather launch (:433-434) and in every fetch (:280-281), and after every reduce-scatter bucket
//     (stage3.py:1151-1152): a device-wide sync waits for the NCCL kernels too, so a hook's kernels
//     start only once every all-gather launched at it (prefetches included) is done.
//  deepspeed          upstream DeepSpeed 0.7.3 ZeRO-3 (the fork without its synchronize() calls):
//     asynchronous prefetch, the compute stream waits only for the parameters a module needs; the
//     reduce-scatters run on the reduce stream without a host wait.
//  fsdp2              PyTorch FSDP2 fully_shard on every transformer block and on the root
//     (docs.pytorch.org/docs/stable/distributed.fsdp.fully_shard.html): one all-gather per block,
//     reshard_after_forward=True for the blocks (re-gathered in backward; the root keeps its parameters,
//     "set to False as a heuristic" there), implicit prefetch of one block in forward and backward, one
//     reduce-scatter per block after its backward, no host syncs.
//  ddp                no sharding: one GPU trains the whole model (no collective at all), or
//     DistributedDataParallel (docs.pytorch.org/docs/stable/generated/torch.nn.parallel.
//     DistributedDataParallel.html): gradients all-reduced in buckets of bucket_cap_mb = 25 MiB in
//     reverse parameter order (the first bucket 1 MiB, torch.distributed._DEFAULT_FIRST_BUCKET_BYTES),
//     each launched once its gradients are final, overlapping the rest of the backward pass.
// Pure: no SimGrid.
#include <string>
#include <utility>
#include <vector>

namespace gsim {

enum class Framework { gemini_interleave, gemini_none, deepspeed, fsdp2, ddp };

/** What a schedule does, as flags the program builder reads. */
struct FrameworkSchedule {
  Framework framework{};
  std::string name;
  bool sharded                        = true;  // parameters partitioned over the ranks and all-gathered (ZeRO-3, FSDP)
  bool per_block_gathers              = false; // one all-gather per transformer block (FSDP2), not per module hook
  bool kernels_wait_hook_ag           = false; // a hook's kernels wait for every all-gather launched at it
  bool host_waits_reduce              = false; // the host waits for each reduce-scatter before the next hook
  int prefetch_blocks                 = 0;     // FSDP2's prefetch depth in blocks; 0: DeepSpeed's prefetch bucket
  int max_ongoing_fetches             = 0;     // DeepSpeed's __max_ongoing_fetch_events; 0: not limited
  double allreduce_bucket_bytes       = 0;     // ddp: bucket_cap_mb
  double allreduce_first_bucket_bytes = 0;     // ddp: the first (last-layer) bucket
  std::string source;                          // where the schedule is documented
  // The host (bench/reference/fit_host_costs.py; docs/engine.md "The host"):
  bool hook_host_cost    = false; // every module hook costs the calibrated host time (DeepSpeed's coordinator)
  bool host_waits_gather = false; // the host blocks in the hook until the module's parameters have arrived
  bool host_syncs_device = false; // torch.cuda.synchronize() in every hook: the host waits for the GPU to drain
};

const FrameworkSchedule& framework_schedule(Framework f);
/** The config names, in documentation order ("gemini-interleave", ...). */
const std::vector<std::pair<std::string, Framework>>& framework_names();
std::string to_string(Framework f);

} // namespace gsim
