#include "sim/engine/checkpoint_traffic.hpp"

#include "models/placement.hpp"
#include "models/zero3_memory.hpp"
#include "sim/engine/flow_batch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

XBT_LOG_NEW_DEFAULT_CATEGORY(gsim_ckpt, "gemini-sim checkpoint traffic");

namespace gsim {

PartitionCosts checkpoint_partition_inputs(const Experiment& e, const CostModel& cost, bool calibrated,
                                           const std::string& calibration_dir)
{
  const auto& ck = e.checkpoint;
  const auto& c  = e.cluster;
  PartitionCosts k;
  PartitionInputs& in = k.inputs;
  in.checkpoint_bytes = int64_t(std::ceil(checkpoint_bytes_per_gpu(e)));
  in.replicas         = ck.replicas;
  in.buffer_bytes     = int64_t(std::llround(ck.gpu_buffer_bytes));
  in.sub_buffers      = ck.sub_buffers;
  in.mu               = ck.mu;
  const double chunk  = double(in.buffer_bytes) / in.sub_buffers;
  // Every GPU of an instance sends its own shard at the same time through the instance's NICs (the
  // artifact, too, divides the network bandwidth by the GPUs per instance: snapshot_strategy.py).
  // With m = 1 nothing leaves the GPU's own machine (the artifact's world-size-1 checkpoint: local copies
  // only), so a machine without a network (the one-GPU validation box) can still checkpoint.
  // Peers inside the instance: each GPU sends to another GPU over its own NVLink ports (NVSwitch or a direct
  // link), at the measured point-to-point efficiency (models/cost_model.cpp: send_recv over NVLink).
  if (ck.replicas > 1 && ck.peers == PeerScope::same_instance) {
    in.bandwidth_Bps = cost.link_bandwidth_Bps(Fabric::nvlink) * cost.link_efficiency(Fabric::nvlink, chunk);
    in.alpha_s       = cost.link_latency_s(Fabric::nvlink);
  } else if (ck.replicas > 1 || c.nics > 0) {
    in.bandwidth_Bps =
        cost.link_bandwidth_Bps(Fabric::network) / c.gpus_per_instance * cost.link_efficiency(Fabric::network, chunk);
    in.alpha_s = cost.link_latency_s(Fabric::network);
  }
  // Every GPU also receives a peer's chunk and copies it to the CPU at the same time, so GPUs that share a
  // PCIe switch share its uplink.
  double pcie = c.pcie_Bps;
  if (c.gpus_per_pcie_switch > 0 && c.pcie_switch_Bps > 0)
    pcie = std::min(pcie, c.pcie_switch_Bps / c.gpus_per_pcie_switch);
  if (calibrated) {
    in.copy_Bps       = pcie * cost.link_efficiency(Fabric::pcie, chunk);
    in.copy_latency_s = cost.link_latency_s(Fabric::pcie);
    k.copy_source     = "calibration " + source_relative(calibration_dir);
  } else {
    in.copy_Bps       = pcie;
    in.copy_latency_s = 0;
    k.copy_source     = "datasheet PCIe bandwidth (" + source_relative(c.file) + "), no calibration committed";
  }
  return k;
}

std::vector<std::vector<int>> checkpoint_peers(const PlatformSpec& spec, int replicas, PeerPolicy policy)
{
  const int g_count = spec.gpus_per_instance;
  std::vector<std::vector<int>> peers(size_t(std::max(replicas - 1, 0)), std::vector<int>(size_t(spec.gpus())));
  if (policy.scope == PeerScope::same_instance) { // GPU g's k-th peer: GPU g + k + 1 of its instance, cyclic
    for (int r = 0; r < spec.gpus(); r++)
      for (int k = 0; k + 1 < replicas; k++)
        peers[size_t(k)][size_t(r)] = r - r % g_count + (r % g_count + k + 1) % g_count;
    return peers;
  }
  const Placement p = make_placement(spec.instances, replicas, policy.placement);
  for (int i = 0; i < spec.instances; i++)
    for (int k = 0; k + 1 < replicas; k++)
      for (int g = 0; g < g_count; g++) // GPU g pairs with GPU g of the peer (the artifact's GroupPolicy)
        peers[size_t(k)][size_t(i * g_count + g)] = p.holders[size_t(i)][size_t(k + 1)] * g_count + g;
  return peers;
}

std::string checkpoint_status(const CheckpointReplay& c)
{
  if (not c.schedule.memory.ok)
    return "oom";
  for (const auto& it : c.iterations)
    if (not it.complete())
      return "incomplete";
  return "ok";
}

CheckpointTraffic::CheckpointTraffic(const Platform& platform, CollectiveMode mode, PeerPolicy peers,
                                     CheckpointReplay* out)
    : platform_(platform), mode_(mode), peer_policy_(peers), out_(out), mutex_(sg4::Mutex::create()),
      changed_(sg4::ConditionVariable::create())
{
}

void CheckpointTraffic::start(const CheckpointSchedule& schedule, int first_iteration, const std::vector<CollOp>& ops)
{
  ops_                     = ops;
  out_->schedule           = schedule;
  out_->profile_iterations = first_iteration;
  first_                   = first_iteration;
  if (not schedule.runs())
    return;
  const PlatformSpec& spec = platform_.spec();
  out_->peers              = checkpoint_peers(spec, schedule.inputs.replicas, peer_policy_);
  spans_after_.assign(ops.size() + 1, {});
  for (size_t i = 0; i < schedule.after_op.size(); i++) // a span after a collective the iteration lacks: never
    if (schedule.after_op[i] < int(ops.size()) && schedule.sent[i] > 0)
      spans_after_[size_t(schedule.after_op[i] + 1)].push_back(i);
  buffer_busy_.assign(size_t(schedule.buffers), 0);
  local_per_iteration_ = 0;
  for (size_t i = 0; i < schedule.plan.spans.size(); i++)
    for (size_t k = 0; k < size_t(schedule.sent[i]); k++)
      local_per_iteration_ += schedule.plan.spans[i].chunks[k].replica == 0 ? 1 : 0;
  for (size_t i = 0; i < spans_after_.size(); i++)
    for (size_t span : spans_after_[i])
      expected_sends_ += schedule.sent[span];
  sg4::Actor::create("ckpt-stream", platform_.gpu(0), [this] { checkpoint_stream(); });
  sg4::Actor::create("ckpt-remote-copy", platform_.gpu(0),
                     [this] { copier(out_->chunks, remote_queue_, remote_head_, Leg::copy_received); });
  sg4::Actor::create("ckpt-local-copy", platform_.gpu(0),
                     [this] { copier(out_->local, local_queue_, local_head_, Leg::copy_local); });
}

bool CheckpointTraffic::active(int it) const
{
  return it >= first_ && out_->schedule.runs();
}

CheckpointIteration& CheckpointTraffic::iteration(int it)
{
  return out_->iterations.at(size_t(it - first_));
}

void CheckpointTraffic::begin_iteration(int it)
{
  if (not active(it))
    return;
  CheckpointIteration rec;
  rec.iteration = it;
  rec.start     = sg4::Engine::get_clock();
  rec.span_busy_s.assign(out_->schedule.plan.spans.size(), 0.0);
  rec.dropped_bytes = out_->schedule.dropped_bytes;
  out_->iterations.push_back(rec);
  sent_.push_back(0);
  local_done_.push_back(0);
  if (out_->schedule.inputs.replicas == 1) {
    // No remote copy to follow: the local copy goes at the start, in chunks of R / p.
    const auto& in    = out_->schedule.inputs;
    const int64_t sub = in.buffer_bytes / in.sub_buffers;
    for (int64_t off = 0; off < in.checkpoint_bytes; off += sub) {
      out_->local.push_back({it, off, std::min(sub, in.checkpoint_bytes - off), rec.start, -1});
      local_queue_.push_back(out_->local.size() - 1);
    }
    local_per_iteration_ = int(out_->local.size() / out_->iterations.size());
    changed_->notify_all();
  }
}

void CheckpointTraffic::transfer(Leg leg, int replica, int64_t bytes) const
{
  const auto& in = out_->schedule.inputs;
  // A send is an NCCL kernel beside the compute stream's (sim/engine/gpu_contention.hpp); the GPU->CPU copies
  // are DMA, with no interference measured against kernels.
  const bool shares_gpu = leg == Leg::send && contention_ != nullptr && contention_->active();
  if (mode_ == CollectiveMode::analytic) { // the plan's own cost model
    if (shares_gpu) // a send to a peer instance: the network sets its time (sim/engine/gpu_contention.hpp)
      contention_->comm_network_bound(in.alpha_s + double(bytes) / in.bandwidth_Bps);
    else
      sg4::this_actor::sleep_for(leg == Leg::send ? in.alpha_s + double(bytes) / in.bandwidth_Bps
                                                  : in.copy_latency_s + double(bytes) / in.copy_Bps);
    return;
  }
  // Every rank moves its chunk at once (the ranks run in lockstep): a send goes to the rank's peer, a copy
  // of a received chunk from the peer's GPU to the peer's CPU, a local copy from the rank to its own CPU.
  const int n       = platform_.spec().gpus();
  const int g_count = platform_.spec().gpus_per_instance;
  const NetworkActivity::Use on_network(network_); // before the flows: a lazy collective turns into flows now
  std::vector<Flow> flows;
  flows.reserve(size_t(n));
  for (int r = 0; r < n; r++) {
    const int q    = leg == Leg::copy_local ? r : out_->peers.at(size_t(replica)).at(size_t(r));
    sg4::Host* dst = leg == Leg::send ? platform_.gpu(q) : platform_.cpu(q / g_count);
    flows.push_back({platform_.gpu(leg == Leg::send ? r : q), dst, uint64_t(bytes)});
  }
  if (shares_gpu)
    contention_->comm_flows([&flows] { send_all(flows); });
  else
    send_all(flows);
}

void CheckpointTraffic::after_op(int it, int op)
{
  if (not active(it) || size_t(op + 1) >= spans_after_.size())
    return;
  const auto& spans = spans_after_[size_t(op + 1)];
  if (spans.empty())
    return;
  std::unique_lock lock(*mutex_);
  bool beside = true;
  for (size_t span : spans) {
    jobs_.emplace_back(it, span);
    beside = beside && out_->schedule.beside[span] != 0;
  }
  changed_->notify_all();
  const size_t queued = jobs_.size();
  if (beside) { // after a reduce-scatter: only the next one waits (the reduce stream's wait_stream)
    rs_gate_ = queued;
    return;
  }
  // After an all-gather (or blocking): the all-gather stream waits for the checkpoint stream.
  changed_->wait(lock, [this, queued] { return jobs_done_ >= queued; });
}

void CheckpointTraffic::before_op(int it, int op)
{
  if (not active(it) || ops_.at(size_t(op)) == CollOp::all_gather || ops_.at(size_t(op)) == CollOp::send_recv)
    return;
  std::unique_lock lock(*mutex_);
  changed_->wait(lock, [this] { return jobs_done_ >= rs_gate_; });
}

void CheckpointTraffic::checkpoint_stream()
{
  for (size_t next = 0;; next++) {
    std::pair<int, size_t> job;
    {
      std::unique_lock lock(*mutex_);
      changed_->wait(lock, [&] { return next < jobs_.size() || finished_; });
      if (next >= jobs_.size())
        return;
      job = jobs_[next];
    }
    send_span(job.first, job.second);
    const std::unique_lock lock(*mutex_);
    jobs_done_ = next + 1;
    changed_->notify_all();
  }
}

void CheckpointTraffic::send_span(int it, size_t span)
{
  const auto& chunks = out_->schedule.plan.spans[span].chunks;
  const double t0    = sg4::Engine::get_clock();
  for (size_t k = 0; k < size_t(out_->schedule.sent[span]); k++) {
    const Chunk& c = chunks[k];
    ChunkRecord rec;
    rec.iteration    = it;
    rec.plan_span    = int(span);
    rec.replica      = c.replica;
    rec.offset_bytes = c.offset_bytes;
    rec.bytes        = c.bytes;
    rec.buffer       = int(next_buffer_);
    rec.queued       = sg4::Engine::get_clock();
    next_buffer_     = (next_buffer_ + 1) % buffer_busy_.size();
    {
      // The receiver's sub-buffer must have been copied out (Fig 5c's bubble when there is only one).
      std::unique_lock lock(*mutex_);
      changed_->wait(lock, [this, &rec] { return buffer_busy_[size_t(rec.buffer)] == 0; });
      buffer_busy_[size_t(rec.buffer)] = 1;
    }
    rec.sent_start = sg4::Engine::get_clock();
    if (c.replica == 0) { // the local twin starts with it, on its own stream
      const std::unique_lock lock(*mutex_);
      out_->local.push_back({it, c.offset_bytes, c.bytes, rec.sent_start, -1});
      local_queue_.push_back(out_->local.size() - 1);
      changed_->notify_all();
    }
    transfer(Leg::send, rec.replica, rec.bytes);
    rec.sent_end = sg4::Engine::get_clock();
    const std::unique_lock lock(*mutex_);
    out_->chunks.push_back(rec);
    remote_queue_.push_back(out_->chunks.size() - 1);
    sent_[size_t(it - first_)]++;
    changed_->notify_all();
  }
  iteration(it).network_s += sg4::Engine::get_clock() - t0;
  iteration(it).span_busy_s[span] += sg4::Engine::get_clock() - t0;
}

namespace {
int replica_of(const ChunkRecord& c)
{
  return c.replica;
}
int replica_of(const LocalCopyRecord&)
{
  return 0; // the own CPU
}
} // namespace

template <class Record>
void CheckpointTraffic::copier(std::vector<Record>& records, const std::vector<size_t>& queue, size_t& head, Leg leg)
{
  for (;;) {
    size_t idx = 0;
    {
      std::unique_lock lock(*mutex_);
      changed_->wait(lock, [&] { return head < queue.size() || finished_; });
      if (head >= queue.size())
        return;
      idx = queue[head++];
    }
    // By index, not by reference: the sender appends to `records` while this copy runs.
    records[idx].copy_start = sg4::Engine::get_clock();
    const Record rec        = records[idx];
    transfer(leg, replica_of(rec), rec.bytes);
    records[idx].in_cpu = sg4::Engine::get_clock();
    const std::unique_lock lock(*mutex_);
    copied(rec);
    changed_->notify_all();
  }
}

void CheckpointTraffic::copied(const ChunkRecord& c)
{
  buffer_busy_[size_t(c.buffer)] = 0;
}

void CheckpointTraffic::copied(const LocalCopyRecord& l)
{
  local_done_[size_t(l.iteration - first_)]++;
}

void CheckpointTraffic::wait_update(int it)
{
  if (not active(it))
    return;
  const double t0     = sg4::Engine::get_clock();
  const size_t k      = size_t(it - first_);
  const int all_sends = expected_sends_;
  {
    std::unique_lock lock(*mutex_);
    changed_->wait(lock, [&] { return sent_[k] == all_sends && local_done_[k] == local_per_iteration_; });
  }
  auto& rec         = iteration(it);
  rec.update_wait_s = sg4::Engine::get_clock() - t0;
}

void CheckpointTraffic::end_iteration(int it)
{
  if (active(it))
    iteration(it).end = sg4::Engine::get_clock();
}

void CheckpointTraffic::finish()
{
  const std::unique_lock lock(*mutex_);
  finished_ = true;
  changed_->notify_all();
}

void CheckpointTraffic::summarize()
{
  for (auto& it : out_->iterations) {
    it.sends_done = it.start;
    it.in_cpu     = it.start;
  }
  auto land = [this](int iteration, double t) -> double& {
    auto& rec = out_->iterations.at(size_t(iteration - first_));
    return t < 0 ? (rec.in_cpu = std::numeric_limits<double>::infinity()) : (rec.in_cpu = std::max(rec.in_cpu, t));
  };
  for (const auto& c : out_->chunks) {
    auto& rec      = out_->iterations.at(size_t(c.iteration - first_));
    rec.sends_done = std::max(rec.sends_done, c.sent_end);
    land(c.iteration, c.in_cpu);
  }
  for (const auto& l : out_->local)
    land(l.iteration, l.in_cpu);
  XBT_DEBUG("%zu chunks, %zu local copies over %zu checkpointed iterations", out_->chunks.size(), out_->local.size(),
            out_->iterations.size());
}

} // namespace gsim
