// DeepSpeed 0.7.3's ZeRO-3 parameter coordinator and gradient bucketing (the gemini-* and deepspeed
// schedules), replayed over one micro-batch's module hooks. Pure: no SimGrid.
#include "models/zero3_schedule.hpp"

#include "models/framework_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace gsim {

namespace {

using Param  = ScheduleParam;
using Module = ScheduleModule;
using Event  = ScheduleEvent;

// Gradient buckets as DeepSpeed 0.7.3's stage3.py and runtime/comm/coalesced_collectives.py move them
// (the artifact's fork: zhuangwang93/Gemini_SOSP23): __add_grad_to_ipg_bucket copies each final gradient
// into the contiguous bucket buffer (contiguous_gradients, when it fits), and reduce_scatter_coalesced
// concatenates the bucket's per-rank chunks (torch.cat) and pre-divides it in place (div_) before the
// NCCL call: each a read and a write of the bytes. They run on DeepSpeed's reduce-and-partition stream;
// the model charges them to the compute step that produces the gradient or fills the bucket, which is
// where they land when every hook synchronises the device (gemini-none) and an
// overestimate of their cost otherwise (they would overlap the next kernels, sharing HBM bandwidth).
constexpr double kBucketCopyPasses = 2;

// ---- DeepSpeed's parameter coordinator and gradient bucketing, replayed over the events.

class Coordinator {
 public:
  // Of the experiment, the coordinator needs the training step's settings and the number of GPUs.
  Coordinator(const TrainingSpec& training, int gpus, const CostModel& cost, const std::vector<Param>& params,
              const std::vector<Module>& modules, Zero3Program& program)
      : training_(training), gpus_(gpus), cost_(cost), params_(params), modules_(modules), prog_(program),
        eb_(element_bytes(training.precision)), sched_(framework_schedule(training.framework))
  {
  }

  void micro_batch(const std::vector<Event>& ev, int index)
  {
    const std::string mb = training_.gradient_accumulation_steps > 1 ? "mb" + std::to_string(index) + " " : "";
    // The trace: every gathered parameter use, in order.
    std::vector<std::pair<size_t, int>> trace;
    for (size_t i = 0; i < ev.size(); i++)
      for (int p : modules_[size_t(ev[i].module)].params)
        if (params_[size_t(p)].partitioned)
          trace.push_back({i, p});
    std::vector<int> holder(params_.size(), -1); // the all-gather that made it available, -1: not available
    std::vector<size_t> last_backward(params_.size(), 0);
    for (size_t i = 0; i < ev.size(); i++)
      if (ev[i].backward)
        for (int p : modules_[size_t(ev[i].module)].params)
          last_backward[size_t(p)] = i;
    double available = 0, bucket = 0;
    std::vector<int> bucket_params;
    size_t queue = 0;
    // The latest trace use the prefetcher has already popped, per parameter (DeepSpeed's
    // __most_recent_step_id_param_fetched_for): a parameter whose later use was skipped is not released.
    std::vector<size_t> popped_use(params_.size(), 0);

    for (size_t i = 0; i < ev.size(); i++) {
      const Module& mod = modules_[size_t(ev[i].module)];
      ComputeStep step;
      step.label   = mb + (ev[i].backward ? "bwd " : ev[i].recompute ? "recompute " : "fwd ") + mod.name;
      step.seconds = ev[i].backward ? mod.bwd_s : mod.fwd_s;
      while (queue < trace.size() && trace[queue].first <= i) {
        popped_use[size_t(trace[queue].second)] = std::max(popped_use[size_t(trace[queue].second)], trace[queue].first);
        queue++;
      }
      std::vector<int> fetch;
      for (int p : mod.params)
        if (params_[size_t(p)].partitioned && holder[size_t(p)] < 0)
          fetch.push_back(p);
      if (not fetch.empty())
        step.issue.push_back(gather(fetch, holder, available, mod.name));
      // Prefetch: the next unavailable parameters of the trace, up to the prefetch bucket and the live cap.
      const double budget = std::min(training_.max_live_elements - available, training_.prefetch_bucket_elements);
      std::vector<int> pre;
      double numel = 0;
      while (queue < trace.size() && numel < budget) {
        const auto [use, p]   = trace[queue++];
        popped_use[size_t(p)] = std::max(popped_use[size_t(p)], use);
        if (holder[size_t(p)] < 0 && std::find(pre.begin(), pre.end(), p) == pre.end()) {
          pre.push_back(p);
          numel += params_[size_t(p)].numel;
        }
      }
      if (not pre.empty())
        step.issue.push_back(gather(pre, holder, available, "prefetch " + params_[size_t(pre.front())].name));
      for (int p : mod.params)
        if (params_[size_t(p)].partitioned)
          step.wait_for = std::max(step.wait_for, holder[size_t(p)]);
      if (sched_.kernels_wait_hook_ag) // a device-wide sync after each launch (gemini-none)
        for (int op : step.issue)
          step.wait_for = std::max(step.wait_for, op);
      // After the kernels: final gradients join the bucket; a full bucket is reduce-scattered.
      if (ev[i].backward)
        for (int p : mod.params)
          if (last_backward[size_t(p)] == i) {
            const double n = params_[size_t(p)].numel;
            if (bucket + n > training_.reduce_bucket_elements && bucket > 0)
              step.issue_after.push_back(reduce(bucket, bucket_params, step));
            if (bucket + n <= training_.reduce_bucket_elements) // contiguous_gradients: copy into the bucket
              charge(step, kBucketCopyPasses * n * eb_);
            bucket += n;
            bucket_params.push_back(p);
          }
      if (i + 1 == ev.size() && bucket > 0)
        step.issue_after.push_back(reduce(bucket, bucket_params, step));
      if (sched_.host_waits_reduce && not step.issue_after.empty()) // gemini-*: reduce_stream.synchronize()
        step.wait_after = step.issue_after.back();
      release(ev, i, holder, available, popped_use);
      prog_.steps.push_back(std::move(step));
    }
  }

 private:
  int gather(const std::vector<int>& ps, std::vector<int>& holder, double& available, const std::string& label)
  {
    CommOp op{CollOp::all_gather, 0, 0, label, int(ps.size())};
    for (int p : ps)
      op.numel += params_[size_t(p)].numel;
    op.bytes = op.numel * eb_;
    prog_.comms.push_back(op);
    const int id = int(prog_.comms.size()) - 1;
    for (int p : ps)
      holder[size_t(p)] = id;
    available += op.numel;
    return id;
  }

  // Memory-bound gradient work (see kBucketCopyPasses) charged to the step that does it.
  void charge(ComputeStep& step, double bytes)
  {
    const double s = cost_.memory_time_s(bytes);
    step.seconds += s;
    prog_.gradient_bucket_s += s;
  }

  int reduce(double& bucket, std::vector<int>& bucket_params, ComputeStep& step)
  {
    // reduce_scatter_coalesced: torch.cat of the bucket's per-rank chunks (skipped for one tensor that
    // splits evenly over the ranks), then the in-place pre-division by the world size.
    const bool one_even = bucket_params.size() == 1 && std::fmod(bucket, double(gpus_)) == 0;
    charge(step, (one_even ? 0 : kBucketCopyPasses) * bucket * eb_ + kBucketCopyPasses * bucket * eb_);
    const std::string label = "grads " + params_[size_t(bucket_params.front())].name +
                              (bucket_params.size() > 1 ? " .. " + params_[size_t(bucket_params.back())].name : "");
    prog_.comms.push_back({CollOp::reduce_scatter, bucket * eb_, bucket, label, int(bucket_params.size())});
    bucket = 0;
    bucket_params.clear();
    return int(prog_.comms.size()) - 1;
  }

  // Post-hook (DeepSpeed's __params_to_release): release the module's gathered parameters unless the
  // prefetcher has already skipped a later use of them, or a module within stage3_max_reuse_distance
  // elements of upcoming parameters uses them again.
  void release(const std::vector<Event>& ev, size_t i, std::vector<int>& holder, double& available,
               const std::vector<size_t>& popped_use) const
  {
    std::set<int> drop;
    for (int p : modules_[size_t(ev[i].module)].params)
      if (params_[size_t(p)].partitioned && holder[size_t(p)] >= 0 && popped_use[size_t(p)] <= i + 1)
        drop.insert(p);
    double distance = 0;
    for (size_t j = i + 1; j < ev.size() && not drop.empty() && distance < training_.max_reuse_distance_elements; j++)
      for (int p : modules_[size_t(ev[j].module)].params) {
        drop.erase(p);
        distance += params_[size_t(p)].numel;
      }
    for (int p : drop) {
      holder[size_t(p)] = -1;
      available -= params_[size_t(p)].numel;
    }
    if (i + 1 == ev.size()) // end of the step: everything is released
      for (size_t p = 0; p < holder.size(); p++)
        if (holder[p] >= 0) {
          holder[p] = -1;
          available -= params_[p].numel;
        }
  }

  const TrainingSpec& training_;
  int gpus_;
  const CostModel& cost_;
  const std::vector<Param>& params_;
  const std::vector<Module>& modules_;
  Zero3Program& prog_;
  double eb_;
  const FrameworkSchedule& sched_;
};

} // namespace

void deepspeed_micro_batch(const Experiment& e, const CostModel& cost, const ScheduleModel& m, int index,
                           Zero3Program& p)
{
  Coordinator(e.training, e.gpus(), cost, m.params, m.modules, p).micro_batch(m.events, index);
}

} // namespace gsim
