#include "models/framework_schedule.hpp"

#include "models/calibration.hpp"
#include "models/config.hpp"
#include "models/zero3_schedule.hpp"

#include <set>
#include <stdexcept>

namespace gsim {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::vector<FrameworkSchedule> make_table()
{
  std::vector<FrameworkSchedule> t(5);
  t[0] = {Framework::gemini_interleave,
          "gemini-interleave",
          true,
          false,
          false,
          true,
          0,
          2,
          0,
          0,
          "Gemini_SOSP23@9b551dd^ deepspeed/runtime/zero/partitioned_param_coordinator.py:112,264-281,402-410,433; "
          "zero/partition_parameters.py:41-45; zero/stage3.py:1098,1151,1175 (snapshot_mode interleave)"};
  t[1] = {Framework::gemini_none,
          "gemini-none",
          true,
          false,
          true,
          true,
          0,
          2,
          0,
          0,
          "Gemini_SOSP23@9b551dd^ partitioned_param_coordinator.py:280-281,433-434; stage3.py:1151-1152 "
          "(snapshot_mode none: torch.cuda.synchronize() in every hook)"};
  t[2] = {Framework::deepspeed,
          "deepspeed",
          true,
          false,
          false,
          false,
          0,
          2,
          0,
          0,
          "DeepSpeed 0.7.3 ZeRO-3 (partitioned_param_coordinator.py fetch_sub_module: asynchronous prefetch, "
          "__max_ongoing_fetch_events = 2)"};
  // The three run DeepSpeed's coordinator in every module hook on the host. The fork's hooks wait on the
  // all-gather stream (:273-279) and, in mode none, synchronise the device (:280-281); upstream's wait only
  // makes the compute stream wait (AllGatherCoalescedHandle.wait), the host runs on.
  for (int i : {0, 1, 2})
    t[size_t(i)].hook_host_cost = true;
  t[0].host_waits_gather = t[1].host_waits_gather = true;
  t[1].host_syncs_device                          = true;
  t[3]                                            = {
                                                 Framework::fsdp2,
                                                 "fsdp2",
                                                 true,
                                                 true,
                                                 false,
                                                 false,
                                                 1,
                                                 0,
                                                 0,
                                                 0,
                                                 "PyTorch FSDP2 fully_shard (docs.pytorch.org/docs/stable/distributed.fsdp.fully_shard.html): per-block "
                                                                                            "all-gather, reshard_after_forward=True (root: False), implicit one-block prefetch, per-block reduce-scatter"};
  t[4] = {Framework::ddp,
          "ddp",
          false,
          false,
          false,
          false,
          0,
          0,
          25 * kMiB,
          1 * kMiB,
          "PyTorch DistributedDataParallel (docs.pytorch.org/docs/stable/generated/"
          "torch.nn.parallel.DistributedDataParallel.html): bucket_cap_mb=25, first bucket 1 MiB "
          "(torch.distributed._DEFAULT_FIRST_BUCKET_BYTES); one GPU: no DDP, no collective"};
  return t;
}

// FSDP2's copies around its collectives (torch/distributed/fsdp/_fully_shard/_fsdp_collectives.py):
// foreach_all_gather_copy_out splits the gathered flat buffer into the unsharded parameters on the
// compute stream (a read and a write of the gathered bytes), and foreach_reduce's torch._chunk_cat
// copies the block's gradients into the reduce-scatter input (a read and a write of the gradient bytes;
// it runs on the reduce-scatter stream, charged here to the step that produces the last gradient, an
// overestimate where it would overlap the next block's kernels).
constexpr double kCopyPasses = 2;

// DDP copies each gradient into its bucket before the all-reduce and the averaged bucket back into the
// gradients after it (gradient_as_bucket_view=False, the default): two read+write passes.
constexpr double kDdpBucketPasses = 4;

// torch.autocast (fp16 / bf16 mixed precision, as HF Trainer and DDP run it) keeps parameters and their
// gradients in fp32: DDP all-reduces 4-byte gradients.
constexpr double kDdpGradBytes = 4;

// The parameters of fully_shard unit `layer` (-1: the root: embeddings, final norm, head), each once (a
// tied embedding belongs to two modules).
std::vector<int> unit_params(const ScheduleModel& m, int layer)
{
  std::set<int> ps;
  for (const auto& mod : m.modules)
    if (mod.layer == layer)
      ps.insert(mod.params.begin(), mod.params.end());
  return {ps.begin(), ps.end()};
}

class Fsdp2Builder {
 public:
  // Of the experiment, FSDP2's units need the model's depth and the step's precision and accumulation.
  Fsdp2Builder(const TrainingSpec& training, int layers, const CostModel& cost, const ScheduleModel& m, int index,
               Zero3Program& p)
      : cost_(cost), m_(m), p_(p), eb_(element_bytes(training.precision)),
        mb_(training.gradient_accumulation_steps > 1 ? "mb" + std::to_string(index) + " " : "")
  {
    layers_ = layers;
    fwd_ag_.assign(size_t(layers_) + 1, -1);
    bwd_ag_.assign(size_t(layers_), -1);
  }

  void build()
  {
    const auto& ev = m_.events;
    std::vector<size_t> last_bwd(size_t(layers_) + 1, 0); // per unit (root at index layers_)
    for (size_t i = 0; i < ev.size(); i++)
      if (ev[i].backward)
        last_bwd[unit(m_.modules[size_t(ev[i].module)].layer)] = i;
    int seen_fwd = -2, seen_bwd = layers_;
    for (size_t i = 0; i < ev.size(); i++) {
      const ScheduleModule& mod = m_.modules[size_t(ev[i].module)];
      ComputeStep step;
      step.label              = mb_ + (ev[i].backward ? "bwd " : ev[i].recompute ? "recompute " : "fwd ") + mod.name;
      step.seconds            = ev[i].backward ? mod.bwd_s : mod.fwd_s;
      const bool forward_pass = not ev[i].backward && not ev[i].recompute;
      if (forward_pass && mod.layer != seen_fwd && (mod.layer >= 0 || seen_fwd == -2)) {
        // Pre-forward of a unit (the root first): its own all-gather unless prefetched, then the next
        // block's as the one-block prefetch.
        seen_fwd    = mod.layer;
        const int u = mod.layer < 0 ? -1 : mod.layer;
        gather(step, fwd_ag_[unit(u)], u, "fwd");
        if (u + 1 < layers_)
          gather(step, fwd_ag_[unit(u + 1)], u + 1, "fwd prefetch");
        step.wait_for = fwd_ag_[unit(u)];
        copy_out(step, u);
      } else if (not forward_pass && mod.layer >= 0 && mod.layer < seen_bwd) {
        // Pre-backward of a block (its recomputation first): re-gathered, since it was resharded after
        // forward; the next block in backward order prefetched.
        seen_bwd = mod.layer;
        gather(step, bwd_ag_[size_t(mod.layer)], mod.layer, "bwd");
        if (mod.layer > 0)
          gather(step, bwd_ag_[size_t(mod.layer) - 1], mod.layer - 1, "bwd prefetch");
        step.wait_for = bwd_ag_[size_t(mod.layer)];
        copy_out(step, mod.layer);
      }
      if (ev[i].backward && last_bwd[unit(mod.layer)] == i)
        reduce(step, mod.layer);
      p_.steps.push_back(std::move(step));
    }
  }

 private:
  size_t unit(int layer) const { return layer < 0 ? size_t(layers_) : size_t(layer); }
  double numel(int layer) const
  {
    double n = 0;
    for (int q : unit_params(m_, layer))
      n += m_.params[size_t(q)].numel;
    return n;
  }
  std::string name(int layer) const { return layer < 0 ? "root" : "block " + std::to_string(layer); }

  void gather(ComputeStep& step, int& slot, int layer, const std::string& why)
  {
    if (slot >= 0)
      return;
    const double n = numel(layer);
    p_.comms.push_back({CollOp::all_gather, n * eb_, n, why + " " + name(layer), int(unit_params(m_, layer).size())});
    slot = int(p_.comms.size()) - 1;
    step.issue.push_back(slot);
  }
  void copy_out(ComputeStep& step, int layer)
  {
    const double s = cost_.memory_time_s(kCopyPasses * numel(layer) * eb_);
    step.seconds += s;
    p_.param_copy_s += s;
  }
  void reduce(ComputeStep& step, int layer)
  {
    const double n = numel(layer);
    const double s = cost_.memory_time_s(kCopyPasses * n * eb_);
    step.seconds += s;
    p_.gradient_bucket_s += s;
    p_.comms.push_back(
        {CollOp::reduce_scatter, n * eb_, n, "grads " + name(layer), int(unit_params(m_, layer).size())});
    step.issue_after.push_back(int(p_.comms.size()) - 1);
  }

  const CostModel& cost_;
  const ScheduleModel& m_;
  Zero3Program& p_;
  double eb_;
  std::string mb_;
  int layers_ = 0;
  std::vector<int> fwd_ag_, bwd_ag_; // the all-gather of each unit in this pass, -1: not issued yet
};

} // namespace

const FrameworkSchedule& framework_schedule(Framework f)
{
  static const std::vector<FrameworkSchedule> table = make_table();
  for (const auto& s : table)
    if (s.framework == f)
      return s;
  throw std::logic_error("framework_schedule: unknown framework");
}

const std::vector<std::pair<std::string, Framework>>& framework_names()
{
  static const std::vector<std::pair<std::string, Framework>> names = {
      {"gemini-interleave", Framework::gemini_interleave},
      {"gemini-none", Framework::gemini_none},
      {"deepspeed", Framework::deepspeed},
      {"fsdp2", Framework::fsdp2},
      {"ddp", Framework::ddp}};
  return names;
}

std::string to_string(Framework f)
{
  return framework_schedule(f).name;
}

void fsdp2_micro_batch(const Experiment& e, const CostModel& cost, const ScheduleModel& m, int index, Zero3Program& p)
{
  Fsdp2Builder(e.training, e.model.layers, cost, m, index, p).build();
}

// DDP: the forward and backward kernels as they are; each gradient joins the current bucket once its last
// backward use is done, and a full bucket is all-reduced after that step. With gradient accumulation, HF
// Trainer runs the earlier micro-batches under no_sync(): only the last one all-reduces.
void ddp_micro_batch(const Experiment& e, const CostModel& cost, const ScheduleModel& m, int index, Zero3Program& p)
{
  const FrameworkSchedule& s = framework_schedule(Framework::ddp);
  const auto& ev             = m.events;
  const bool reduce          = e.gpus() > 1 && index + 1 == e.training.gradient_accumulation_steps;
  const std::string mb       = e.training.gradient_accumulation_steps > 1 ? "mb" + std::to_string(index) + " " : "";
  std::vector<size_t> last_bwd(m.params.size(), 0);
  for (size_t i = 0; i < ev.size(); i++)
    if (ev[i].backward)
      for (int q : m.modules[size_t(ev[i].module)].params)
        last_bwd[size_t(q)] = i;
  double bucket = 0, cap = s.allreduce_first_bucket_bytes;
  int tensors = 0;
  auto flush  = [&](ComputeStep& step) {
    const double sec = cost.memory_time_s(kDdpBucketPasses * bucket);
    step.seconds += sec;
    p.gradient_bucket_s += sec;
    p.comms.push_back(
         {CollOp::all_reduce, bucket, bucket / kDdpGradBytes, "grad bucket " + std::to_string(p.comms.size()), tensors});
    step.issue_after.push_back(int(p.comms.size()) - 1);
    bucket = 0, tensors = 0, cap = s.allreduce_bucket_bytes;
  };
  for (size_t i = 0; i < ev.size(); i++) {
    const ScheduleModule& mod = m.modules[size_t(ev[i].module)];
    ComputeStep step;
    step.label   = mb + (ev[i].backward ? "bwd " : ev[i].recompute ? "recompute " : "fwd ") + mod.name;
    step.seconds = ev[i].backward ? mod.bwd_s : mod.fwd_s;
    if (reduce && ev[i].backward)
      for (int q : mod.params)
        if (last_bwd[size_t(q)] == i) {
          bucket += m.params[size_t(q)].numel * kDdpGradBytes;
          tensors++;
          if (bucket >= cap)
            flush(step);
        }
    if (reduce && i + 1 == ev.size() && bucket > 0)
      flush(step);
    p.steps.push_back(std::move(step));
  }
}

} // namespace gsim
