#pragma once
// Compute and communication slowing each other down on one GPU, as the calibration measured it
// (models/interference.hpp: a GEMM beside an NCCL collective runs slowdown_other times longer, the collective
// slowdown_comm times longer). Priced by SimGrid's own sharing, not by a home-made event loop: kernels and
// NCCL work are executions on the replayed GPU's host, each bounded at the speed it has alone, S, and the host's
// capacity C = S (1/so + 1/sc) is split between the two in proportion to their priorities 1/so and 1/sc.
// Alone, each runs at its bound S (its unchanged time); together, each gets exactly its measured share
// (S/so and S/sc). SimGrid's solver re-shares whenever one of them starts or ends, so a kernel that overlaps a
// collective for a fraction f of its time is stretched by so on that fraction only, and the collective by sc on
// the part of it that overlaps kernels.
// Approximations, stated: the whole compute step is priced as the measured GEMM (its attention and
// elementwise kernels have no interference measurement); every collective and checkpoint send is priced as the
// measured NVLink all-gather where NVLink bounds it; the ratios transfer unchanged to other GPUs. Where a NIC or
// PCIe bounds the transfer (every ring across instances, every checkpoint send to a peer instance), and in the
// flow mode, the NCCL kernel holds its share of the GPU for as long as the transfer runs (the kernels slow
// down by so) but its own time is the network's: the measured x sc is an SM-starved NVLink kernel, and a ring
// paced at a fraction of NVLink's rate by a NIC was not measured beside a GEMM (that measurement would settle
// it: a GEMM beside a two-node all-gather).
#include "models/interference.hpp"
#include "sim/engine/platform.hpp"

#include <functional>
#include <optional>

namespace gsim {

class GpuContention {
 public:
  /** Inactive (every call a plain timed wait, as without interference) when `m` has no GEMM pair. */
  GpuContention(const std::optional<Interference>& m, sg4::Host* gpu);
  bool active() const { return speed_ > 0; }
  /** The calling actor runs `seconds` of compute-stream kernels (their time alone). */
  void compute(double seconds) const;
  /** The calling actor runs NCCL work that takes `seconds` alone (an analytic collective or send). */
  void comm(double seconds) const;
  /** The calling actor runs `flows` (NCCL work priced by SimGrid flows); the GPU share is held meanwhile. */
  void comm_flows(const std::function<void()>& flows) const;
  /** NCCL work whose time, `seconds`, the network sets: the GPU share is held for that long, unstretched. */
  void comm_network_bound(double seconds) const;

 private:
  void run(double seconds, double priority) const;
  double speed_            = 0; // S: flop/s of the host that an execution gets alone
  double compute_priority_ = 1; // 1 / so
  double comm_priority_    = 1; // 1 / sc
};

} // namespace gsim
