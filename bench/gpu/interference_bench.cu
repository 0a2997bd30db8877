// Interference between the "network" stream of training (collectives) and GEMINI's other traffic on one
// GPU: how much each side slows down when both run at once.
//   interference_d2h   the comm side while GPU 0 copies 256 MiB to pinned CPU memory (a checkpoint to CPU)
//   interference_gemm  the comm side while GPU 0 runs an 8192^3 fp16 GEMM (training compute)
// Comm side: ranks=2, an all_gather of 256 MiB (nccl-tests' S) over GPUs 0 and 1; ranks=1 (one GPU, no
// peer to talk to), a 256 MiB device-to-device copy on its own stream STANDS IN for the network stream:
// it competes for HBM and copy engines like NCCL's kernels, but it is not NCCL.
//
// Each iteration times the comm side alone, the other side alone, then both launched together on their
// own streams. The comm side is K back-to-back calls, K chosen once per case (first repetition, after the
// warm-up) so that it lasts about as long as the other side (so the two overlap throughout). real_time = the comm
// side's time together (K calls); counters ranks, slowdown_comm = comm together / comm alone, slowdown_other = other
// together / other alone (ratios of the sums over iterations); the label spells out the case, K and the mean times. The
// kernels themselves are checked for correct results in nccl_bench, copy_bench and gemm_bench.
#include "bench/gpu/gpu_common.hpp"
#include "bench/gpu/nccl_world.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace gsim::gpubench {

namespace {

constexpr int64_t kCommBytes = 256 * MiB;
constexpr int64_t kCopyBytes = 256 * MiB;
constexpr int kGemmSide      = 8192;

enum class Other { d2h, gemm };

/** GPU 0's side: the stand-in comm stream, the other stream and their buffers. */
struct Rig {
  Stream comm_stream{0}, other_stream{0};
  EventTimer comm_timer{0}, other_timer{0};
  DeviceBuffer copy_src{0, static_cast<size_t>(kCommBytes)}, copy_dst{0, static_cast<size_t>(kCommBytes)};
  DeviceBuffer d2h_src{0, static_cast<size_t>(kCopyBytes)};
  HostBuffer pinned{HostMemory::pinned, static_cast<size_t>(kCopyBytes)};
  DeviceBuffer a{0, size_t(kGemmSide) * kGemmSide * 2}, b{0, size_t(kGemmSide) * kGemmSide * 2},
      c{0, size_t(kGemmSide) * kGemmSide * 2};
  cublasHandle_t handle = nullptr;
  Rig()
  {
    GSIM_CUBLAS(cublasCreate(&handle));
    GSIM_CUBLAS(cublasSetStream(handle, other_stream.get()));
    const size_t n = size_t(kGemmSide) * kGemmSide;
    fill_random(a.get(), n, Elem::f16, 1, other_stream.get());
    fill_random(b.get(), n, Elem::f16, 2, other_stream.get());
    fill_random(copy_src.get(), static_cast<size_t>(kCommBytes) / 4, Elem::f32, 3, other_stream.get());
    fill_random(d2h_src.get(), static_cast<size_t>(kCopyBytes) / 4, Elem::f32, 4, other_stream.get());
    GSIM_CUDA(cudaStreamSynchronize(other_stream.get()));
  }
  ~Rig() { (void)cublasDestroy(handle); }
};
std::unique_ptr<Rig> g_rig;

Rig& rig()
{
  if (not g_rig) {
    require_free_memory(0, 4.0 * kCommBytes + 3.0 * kGemmSide * kGemmSide * 2);
    g_rig = std::make_unique<Rig>();
    at_cleanup([] { g_rig.reset(); });
  }
  return *g_rig;
}

/** The comm side: `calls` back-to-back collectives (or stand-in copies), timed per rank, slowest. */
class CommSide {
 public:
  explicit CommSide(int ranks) : ranks_(ranks)
  {
    if (ranks_ > 1) {
      world_ = &NcclWorld::get(ranks_);
      world_->reserve(kCommBytes);
    }
  }
  void start()
  {
    if (world_)
      world_->start_timers();
    else
      rig().comm_timer.start(rig().comm_stream.get());
  }
  void launch(int calls)
  {
    for (int i = 0; i < calls; i++) {
      if (world_)
        world_->launch(Coll::all_gather, kCommBytes);
      else
        GSIM_CUDA(cudaMemcpyAsync(rig().copy_dst.get(), rig().copy_src.get(), static_cast<size_t>(kCommBytes),
                                  cudaMemcpyDeviceToDevice, rig().comm_stream.get()));
    }
  }
  void stop()
  {
    if (world_)
      world_->stop_timers();
    else
      rig().comm_timer.stop(rig().comm_stream.get());
  }
  double seconds() { return world_ ? world_->slowest_timer() : rig().comm_timer.seconds(); }
  std::string text() const
  {
    return ranks_ > 1 ? "all_gather 256 MiB over " + std::to_string(ranks_) + " GPUs (NCCL)"
                      : "256 MiB device-to-device copy standing in for the network stream (1 GPU)";
  }

 private:
  int ranks_        = 1;
  NcclWorld* world_ = nullptr;
};

void launch_other(Other o)
{
  Rig& r = rig();
  if (o == Other::d2h) {
    GSIM_CUDA(cudaMemcpyAsync(r.pinned.get(), r.d2h_src.get(), static_cast<size_t>(kCopyBytes), cudaMemcpyDeviceToHost,
                              r.other_stream.get()));
  } else {
    const float alpha = 1, beta = 0;
    GSIM_CUBLAS(cublasGemmEx(r.handle, CUBLAS_OP_N, CUBLAS_OP_N, kGemmSide, kGemmSide, kGemmSide, &alpha, r.b.get(),
                             CUDA_R_16F, kGemmSide, r.a.get(), CUDA_R_16F, kGemmSide, &beta, r.c.get(), CUDA_R_16F,
                             kGemmSide, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  }
}

double time_other(Other o)
{
  Rig& r = rig();
  r.other_timer.start(r.other_stream.get());
  launch_other(o);
  r.other_timer.stop(r.other_stream.get());
  return r.other_timer.seconds();
}

double time_comm(CommSide& comm, int calls)
{
  comm.start();
  comm.launch(calls);
  comm.stop();
  return comm.seconds();
}

std::string us(double s)
{
  char b[32];
  std::snprintf(b, sizeof b, "%.1f us", s * 1e6);
  return b;
}

double median_of_5(const std::function<double()>& f)
{
  std::vector<double> v;
  for (int i = 0; i < 5; i++)
    v.push_back(f());
  std::sort(v.begin(), v.end());
  return v[2];
}

/** K: comm calls that last about as long as one run of the other side, from the median of 5 warm timings
 *  of each. Chosen once per case and kept for every repetition, so that their times are comparable. */
int comm_calls(CommSide& comm, Other o, int ranks)
{
  static std::map<std::pair<int, int>, int> chosen;
  const std::pair<int, int> key{static_cast<int>(o), ranks};
  if (not chosen.count(key)) {
    const double comm_one  = median_of_5([&] { return time_comm(comm, 1); });
    const double other_one = median_of_5([&] { return time_other(o); });
    chosen[key]            = std::max(1, static_cast<int>(std::lround(other_one / comm_one)));
  }
  return chosen[key];
}

void bm_interference(benchmark::State& st, Other o)
{
  const int ranks = static_cast<int>(st.range(0));
  guarded(st, [&] {
    require_gpus(ranks);
    Rig& r = rig();
    CommSide comm(ranks);
    time_comm(comm, 1); // warm-up of both sides (NCCL connections, cuBLAS heuristics)
    time_other(o);
    const int calls = comm_calls(comm, o, ranks);

    double comm_alone = 0, other_alone = 0, comm_both = 0, other_both = 0;
    for (auto _ : st) {
      const double ca = time_comm(comm, calls);
      const double oa = time_other(o);
      comm.start();
      r.other_timer.start(r.other_stream.get());
      comm.launch(calls);
      launch_other(o);
      r.other_timer.stop(r.other_stream.get());
      comm.stop();
      const double cb = comm.seconds(), ob = r.other_timer.seconds();
      st.SetIterationTime(cb);
      comm_alone += ca;
      other_alone += oa;
      comm_both += cb;
      other_both += ob;
    }
    const double it               = static_cast<double>(st.iterations());
    st.counters["ranks"]          = ranks;
    st.counters["slowdown_comm"]  = comm_both / comm_alone;
    st.counters["slowdown_other"] = other_both / other_alone;
    st.SetLabel("comm: " + std::to_string(calls) + " x " + comm.text() +
                "; other: " + (o == Other::d2h ? "256 MiB GPU->CPU pinned copy" : "8192^3 fp16 GEMM") +
                " on GPU 0; alone: comm " + us(comm_alone / it) + ", other " + us(other_alone / it) +
                "; together: comm " + us(comm_both / it) + ", other " + us(other_both / it));
  });
}

void register_interference()
{
  const std::pair<const char*, Other> cases[] = {{"interference_d2h", Other::d2h}, {"interference_gemm", Other::gemm}};
  for (const auto& [name, o] : cases)
    benchmark::RegisterBenchmark(name, bm_interference, o)
        ->Arg(1)
        ->Arg(2)
        ->ArgName("ranks")
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
}

} // namespace

} // namespace gsim::gpubench

int main(int argc, char** argv)
{
  return gsim::gpubench::bench_main(argc, argv, gsim::gpubench::register_interference);
}
