// NCCL collectives in one process (ncclCommInitAll, group calls), fp32 sum, 1 KiB to 4 GiB (x4 steps), on 1
// and 2 GPUs: all_gather, reduce_scatter, all_reduce and send_recv (each rank sends the whole array to the
// next and receives one from the previous: with 2 ranks, the paired exchange of a checkpoint chunk
// between two GPUs). With ranks=1 a collective is a local copy inside one GPU; it is still recorded, as
// the ranks=1 series. The 2-GPU runs are skipped, with the reason, on a 1-GPU machine.
//
// Accounting is nccl-tests' (doc/PERFORMANCE.md): bytes = S, the whole array (all-gather: per-rank count
// x element size x ranks); algbw = S / t; busbw = algbw x bus factor (2(n-1)/n all-reduce, (n-1)/n
// all-gather and reduce-scatter, 1 send/recv; models/collectives.cpp). The time is the slowest rank's,
// from CUDA events on each rank's stream around one group call.
#include "bench/gpu/gpu_common.hpp"
#include "bench/gpu/model_shapes.hpp"
#include "bench/gpu/nccl_world.hpp"

namespace gsim::gpubench {

namespace {

constexpr int64_t kMaxBytes = 4 * GiB;

void bm_collective(benchmark::State& st, Coll c)
{
  const int64_t bytes = st.range(0);
  const int ranks     = static_cast<int>(st.range(1));
  guarded(st, [&] {
    NcclWorld& w = NcclWorld::get(ranks);
    w.reserve(bytes);
    w.launch(c, bytes); // warm-up (NCCL connects its channels lazily), then check
    for (int r = 0; r < ranks; r++)
      GSIM_CUDA(cudaStreamSynchronize(w.stream(r)));
    w.check(c, bytes);
    ManualTime t(st);
    for (auto _ : st)
      t.add(w.time(c, bytes));
    const double algbw        = static_cast<double>(bytes) / t.mean_s() / 1e9;
    st.counters["bytes"]      = static_cast<double>(bytes);
    st.counters["ranks"]      = ranks;
    st.counters["algbw_GBps"] = algbw;
    st.counters["busbw_GBps"] = algbw * nccl_bus_factor(coll_name(c), ranks);
  });
}

void register_collectives()
{
  for (Coll c : {Coll::all_gather, Coll::reduce_scatter, Coll::all_reduce, Coll::send_recv}) {
    auto* b = benchmark::RegisterBenchmark(coll_name(c).c_str(), bm_collective, c);
    for (int ranks : {1, 2})
      for (int64_t s : pow4_sizes(KiB, kMaxBytes))
        b->Args({s, ranks});
    b->ArgNames({"bytes", "ranks"})->UseManualTime()->Unit(benchmark::kMicrosecond);
  }
}

} // namespace

} // namespace gsim::gpubench

int main(int argc, char** argv)
{
  return gsim::gpubench::bench_main(argc, argv, gsim::gpubench::register_collectives);
}
