#pragma once
// NCCL in one process (nccl-tests' -g mode): communicators over GPUs 0..n-1 from ncclCommInitAll, one
// stream and event timer per rank, per-rank buffers, and the four collectives the calibration measures,
// launched for all ranks in one group call. Shared by nccl_bench.cu and interference_bench.cu.
#include "bench/gpu/gpu_common.hpp"

#include <memory>
#include <string>
#include <vector>

namespace gsim::gpubench {

enum class Coll { all_gather, reduce_scatter, all_reduce, send_recv };
/** "all_gather", "reduce_scatter", "all_reduce", "send_recv": the benchmark family names. */
std::string coll_name(Coll c);

class NcclWorld {
 public:
  /** The world of `ranks` GPUs (0..ranks-1), created on first use and destroyed at cleanup; throws GpuError
   *  when there are fewer GPUs. NCCL_NVLS_ENABLE=0 is already set by bench_main. */
  static NcclWorld& get(int ranks);
  ~NcclWorld();
  NcclWorld(const NcclWorld&)            = delete;
  NcclWorld& operator=(const NcclWorld&) = delete;

  int ranks() const { return static_cast<int>(comms_.size()); }
  cudaStream_t stream(int r) const { return streams_[r]->get(); }
  /** Grows every rank's send and receive buffer to at least `bytes` (send filled with random_value(i, rank)). */
  void reserve(int64_t bytes);
  /** One collective over the whole array of `bytes` (nccl-tests' S; fp32 elements, sum), all ranks, one group. */
  void launch(Coll c, int64_t bytes);
  /** Throws GpuError unless a few received elements of every rank are what `c` must produce. */
  void check(Coll c, int64_t bytes) const;
  /** GPU seconds of `launch(c, bytes)`: per-rank CUDA events around the group call, the slowest rank. */
  double time(Coll c, int64_t bytes);
  /** Start / stop the per-rank timers on the ranks' streams (for timing other work with the collective). */
  void start_timers();
  void stop_timers();
  double slowest_timer();

 private:
  explicit NcclWorld(int ranks);
  std::vector<ncclComm_t> comms_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::vector<std::unique_ptr<EventTimer>> timers_;
  std::vector<DeviceBuffer> send_, recv_;
  int64_t capacity_ = 0;
};

} // namespace gsim::gpubench
