// GPU <-> CPU copies (cudaMemcpyAsync over PCIe), chunks of 64 KiB to 4 GiB (x4 steps): the path of a
// checkpoint from GPU memory into CPU memory (GEMINI's local replica) and back on recovery.
//   copy_d2h_pinned, copy_h2d_pinned       host memory from cudaHostAlloc (what GEMINI's agent uses)
//   copy_d2h_pageable, copy_h2d_pageable   host memory from malloc (the driver stages it through pinned
//                                          buffers; e.g. a torch.save() of a GPU tensor)
//   copy_d2h_pinned_concurrent             GPUs 0 and 1 copying to their own pinned buffers at once
//                                          (2 GPUs needed; skipped with a reason otherwise)
// Counters: bytes = bytes each GPU copies per call, GBps = bytes / time per call (for the concurrent
// family, per GPU: the aggregate is GBps x concurrent_gpus), concurrent_gpus.
#include "bench/gpu/gpu_common.hpp"

#include <memory>

namespace gsim::gpubench {

namespace {

constexpr int64_t kMaxChunk = 4 * GiB;
constexpr uint64_t kSeed    = 200;

/** Per GPU: a device buffer of random data, a pinned host buffer, a stream, an event timer. */
struct CopyEnd {
  explicit CopyEnd(int device)
      : gpu(device, static_cast<size_t>(kMaxChunk)), pinned(HostMemory::pinned, static_cast<size_t>(kMaxChunk)),
        stream(device), timer(device)
  {
    fill_random(gpu.get(), static_cast<size_t>(kMaxChunk) / 4, Elem::f32, kSeed + static_cast<uint64_t>(device),
                stream.get());
    GSIM_CUDA(cudaStreamSynchronize(stream.get()));
  }
  DeviceBuffer gpu;
  HostBuffer pinned;
  Stream stream;
  EventTimer timer;
};

std::unique_ptr<CopyEnd> g_ends[2];
std::unique_ptr<HostBuffer> g_pageable; // one, for GPU 0

CopyEnd& end(int device)
{
  if (not g_ends[device]) {
    require_free_memory(device, static_cast<double>(kMaxChunk));
    g_ends[device] = std::make_unique<CopyEnd>(device);
    at_cleanup([device] { g_ends[device].reset(); });
  }
  return *g_ends[device];
}

void* pageable()
{
  if (not g_pageable) {
    g_pageable = std::make_unique<HostBuffer>(HostMemory::pageable, static_cast<size_t>(kMaxChunk));
    at_cleanup([] { g_pageable.reset(); });
  }
  return g_pageable->get();
}

struct CopyCase {
  bool d2h    = true;
  bool pinned = true;
  int gpus    = 1; // GPUs copying at once
};

void issue(const CopyCase& c, int device, int64_t bytes)
{
  CopyEnd& e = end(device);
  void* host = c.pinned ? e.pinned.get() : pageable();
  if (c.d2h)
    GSIM_CUDA(cudaMemcpyAsync(host, e.gpu.get(), static_cast<size_t>(bytes), cudaMemcpyDeviceToHost, e.stream.get()));
  else
    GSIM_CUDA(cudaMemcpyAsync(e.gpu.get(), host, static_cast<size_t>(bytes), cudaMemcpyHostToDevice, e.stream.get()));
}

// The copy's destination equals its source at a few elements.
void check(const CopyCase& c, int device, int64_t bytes)
{
  CopyEnd& e       = end(device);
  const void* host = c.pinned ? e.pinned.get() : pageable();
  const size_t n   = static_cast<size_t>(bytes) / 4;
  for (size_t i : {size_t(0), n / 2, n - 1}) {
    const float h = static_cast<const float*>(host)[i];
    const float d = read_element(e.gpu.get(), i, Elem::f32);
    expect_near("GPU " + std::to_string(device) + (c.d2h ? " host copy[" : " device copy[") + std::to_string(i) + "]",
                c.d2h ? h : d, c.d2h ? d : h, 0);
  }
}

void bm_copy(benchmark::State& st, CopyCase c)
{
  const int64_t bytes = st.range(0);
  guarded(st, [&] {
    require_gpus(c.gpus);
    for (int d = 0; d < c.gpus; d++) { // warm-up (and allocation), then check
      issue(c, d, bytes);
      GSIM_CUDA(cudaStreamSynchronize(end(d).stream.get()));
      check(c, d, bytes);
    }
    ManualTime t(st);
    for (auto _ : st) {
      for (int d = 0; d < c.gpus; d++) {
        end(d).timer.start(end(d).stream.get());
        issue(c, d, bytes);
        end(d).timer.stop(end(d).stream.get());
      }
      double slowest = 0; // the concurrent copies are done when the last one is
      for (int d = 0; d < c.gpus; d++)
        slowest = std::max(slowest, end(d).timer.seconds());
      t.add(slowest);
    }
    set_bytes_counters(st, static_cast<double>(bytes), t);
    st.counters["concurrent_gpus"] = c.gpus;
  });
}

void register_copies()
{
  const std::pair<const char*, CopyCase> cases[] = {
      {"copy_d2h_pinned", {true, true, 1}},
      {"copy_h2d_pinned", {false, true, 1}},
      {"copy_d2h_pageable", {true, false, 1}},
      {"copy_h2d_pageable", {false, false, 1}},
      {"copy_d2h_pinned_concurrent", {true, true, 2}},
  };
  for (const auto& [name, c] : cases) {
    auto* b = benchmark::RegisterBenchmark(name, bm_copy, c);
    for (int64_t s : pow4_sizes(64 * KiB, kMaxChunk))
      b->Arg(s);
    b->ArgName("bytes")->UseManualTime()->Unit(benchmark::kMicrosecond);
  }
}

} // namespace

} // namespace gsim::gpubench

int main(int argc, char** argv)
{
  return gsim::gpubench::bench_main(argc, argv, gsim::gpubench::register_copies);
}
