#include "models/zero3_schedule.hpp"

#include "models/framework_schedule.hpp"
#include "models/host_cost.hpp"
#include "models/transformer.hpp"

namespace gsim {

namespace {

// Fused mixed-precision Adam on the shard, bytes per parameter (DeepSpeed stage3.py step with fp16
// and FusedAdam): fp16 gradient -> fp32 (read 2, write 4), gradient norm (read 4), Adam (read p, g, m, v,
// write p, m, v: 7 x 4), fp32 -> fp16 parameter copy (read 4, write 2).
constexpr double kOptimizerBytesPerParam = 2 + 4 + 4 + 28 + 4 + 2;

} // namespace

double Zero3Program::compute_s() const
{
  double s = optimizer_s;
  for (const auto& step : steps)
    s += step.seconds;
  return s;
}

double Zero3Program::comm_bytes(CollOp op) const
{
  double b = 0;
  for (const auto& c : comms)
    if (c.op == op)
      b += c.bytes;
  return b;
}

namespace {

// One rank is no collective: NCCL runs a one-rank all-gather or reduce-scatter as a device-local copy
// (enqueue.cc's nRanks == 1 path), which moves no byte over any link. The sharded schedules keep that
// copy, as a read and a write of its bytes on the step that issues it; ddp on one GPU is the plain model.
void drop_one_rank_collectives(Zero3Program& p, const CostModel& cost, bool sharded)
{
  for (auto& step : p.steps) {
    for (const auto* ops : {&step.issue, &step.issue_after})
      for (int op : *ops)
        if (sharded) {
          const double s = cost.memory_time_s(2 * p.comms[size_t(op)].bytes);
          step.seconds += s;
          p.one_rank_copy_s += s;
        }
    step.issue.clear();
    step.issue_after.clear();
    step.wait_for   = -1;
    step.wait_after = -1;
  }
  p.comms.clear();
}

} // namespace

Zero3Program make_zero3_program(const Experiment& e, const CostModel& cost)
{
  Zero3Program prog;
  const ScheduleModel m      = hf_schedule_model(e, cost, prog.kernel_sources);
  const FrameworkSchedule& s = framework_schedule(e.training.framework);
  for (int mb = 0; mb < e.training.gradient_accumulation_steps; mb++)
    if (s.framework == Framework::fsdp2)
      fsdp2_micro_batch(e, cost, m, mb, prog);
    else if (s.framework == Framework::ddp)
      ddp_micro_batch(e, cost, m, mb, prog);
    else
      deepspeed_micro_batch(e, cost, m, mb, prog);
  if (e.gpus() == 1)
    drop_one_rank_collectives(prog, cost, s.sharded);
  // The host: DeepSpeed's coordinator runs in every module hook, one step each (models/host_cost.hpp).
  if (const auto host = host_cost(cost.calibration()); host && s.hook_host_cost)
    for (auto& step : prog.steps) {
      step.host_s = host->zero3_hook_s;
      prog.host_s += step.host_s;
    }
  // The optimizer updates the shard (ZeRO-3, FSDP2) or, unsharded (ddp), every parameter on every GPU.
  const double shard = total_params(e.model) / (s.sharded ? e.gpus() : 1);
  prog.optimizer_s   = cost.memory_time_s(shard * kOptimizerBytesPerParam);
  return prog;
}

} // namespace gsim
