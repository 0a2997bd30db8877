#include "sim/engine/gpu_contention.hpp"

namespace {
// Longer than any replay: the share is cancelled when the flows end, long before.
constexpr double kHorizon_s = 1e7;
} // namespace

namespace gsim {

GpuContention::GpuContention(const std::optional<Interference>& m, sg4::Host* gpu)
{
  if (not m || not m->gemm)
    return;
  compute_priority_ = 1 / m->gemm->other;
  comm_priority_    = 1 / m->gemm->comm;
  speed_            = gpu->get_speed() / (compute_priority_ + comm_priority_);
}

void GpuContention::run(double seconds, double priority) const
{
  if (seconds <= 0)
    return;
  if (not active()) {
    sg4::this_actor::sleep_for(seconds);
    return;
  }
  sg4::this_actor::exec_init(seconds * speed_)->set_bound(speed_)->set_priority(priority)->wait();
}

void GpuContention::compute(double seconds) const
{
  run(seconds, compute_priority_);
}

void GpuContention::comm(double seconds) const
{
  run(seconds, comm_priority_);
}

void GpuContention::comm_network_bound(double seconds) const
{
  comm_flows([seconds] {
    if (seconds > 0)
      sg4::this_actor::sleep_for(seconds);
  });
}

void GpuContention::comm_flows(const std::function<void()>& flows) const
{
  if (not active()) {
    flows();
    return;
  }
  // The NCCL kernel's share of the GPU, for as long as its flows run: work it never finishes, cancelled after.
  const sg4::ExecPtr share =
      sg4::this_actor::exec_init(speed_ * kHorizon_s)->set_bound(speed_)->set_priority(comm_priority_)->start();
  flows();
  share->cancel();
}

} // namespace gsim
