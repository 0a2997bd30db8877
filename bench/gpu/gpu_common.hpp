#pragma once
// Shared driver of the real-kernel microbenchmarks (bench/gpu/*_bench.cu): error checks, RAII buffers
// and streams, CUDA-event timing, deterministic random data, the counters of the calibration schema
// and main(). The JSON they write is read by models/calibration_loader.cpp; its schema is
// traces/calibration/README.md.
//
// Timing convention (all suites): Google Benchmark manual time. Each iteration is bracketed by CUDA
// events on the stream(s) doing the work and reports the GPU time of that one call through
// SetIterationTime; a warm-up call (also checked for correct results) runs before the timed loop.
#include <benchmark/benchmark.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <nccl.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gsim::gpubench {

/** A failed CUDA / cuBLAS / NCCL call or a wrong result; guarded() turns it into SkipWithError. */
struct GpuError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/** "file:line: call: message", the text of a GpuError. */
std::string where(const char* call, const char* file, int line, const std::string& message);

#define GSIM_CUDA(call)                                                                                                \
  do {                                                                                                                 \
    const cudaError_t gsim_e = (call);                                                                                 \
    if (gsim_e != cudaSuccess)                                                                                         \
      throw ::gsim::gpubench::GpuError(                                                                                \
          ::gsim::gpubench::where(#call, __FILE__, __LINE__, cudaGetErrorString(gsim_e)));                             \
  } while (0)

#define GSIM_CUBLAS(call)                                                                                              \
  do {                                                                                                                 \
    const cublasStatus_t gsim_s = (call);                                                                              \
    if (gsim_s != CUBLAS_STATUS_SUCCESS)                                                                               \
      throw ::gsim::gpubench::GpuError(                                                                                \
          ::gsim::gpubench::where(#call, __FILE__, __LINE__, cublasGetStatusString(gsim_s)));                          \
  } while (0)

#define GSIM_NCCL(call)                                                                                                \
  do {                                                                                                                 \
    const ncclResult_t gsim_r = (call);                                                                                \
    if (gsim_r != ncclSuccess)                                                                                         \
      throw ::gsim::gpubench::GpuError(                                                                                \
          ::gsim::gpubench::where(#call, __FILE__, __LINE__, ncclGetErrorString(gsim_r)));                             \
  } while (0)

inline constexpr int64_t KiB = 1024;
inline constexpr int64_t MiB = 1024 * KiB;
inline constexpr int64_t GiB = 1024 * MiB;

/** GPUs visible to this process; 0 when there is no GPU or no driver. */
int gpu_count();
/** Throws GpuError unless at least `n` GPUs are visible (the message says how many there are). */
void require_gpus(int n);
/** Free device memory on `device`, bytes; throws GpuError unless `bytes` plus a 1 GiB margin fit. */
void require_free_memory(int device, double bytes);
/** lo, 4 lo, 16 lo, ... up to and including hi (both powers of 4 apart), bytes. */
std::vector<int64_t> pow4_sizes(int64_t lo, int64_t hi);

/** Runs `body`; a GpuError (or any std::exception) becomes st.SkipWithError(message). */
void guarded(benchmark::State& st, const std::function<void()>& body);

// ---- RAII resources -------------------------------------------------------------------------------------

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  /** cudaMalloc of `bytes` on `device`. */
  DeviceBuffer(int device, size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& o) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  DeviceBuffer(const DeviceBuffer&)            = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const { return ptr_; }
  template <class T> T* as() const { return static_cast<T*>(ptr_); }
  size_t bytes() const { return bytes_; }
  int device() const { return device_; }

 private:
  void* ptr_    = nullptr;
  size_t bytes_ = 0;
  int device_   = 0;
};

enum class HostMemory { pinned, pageable };

class HostBuffer {
 public:
  HostBuffer() = default;
  /** Pinned: cudaHostAlloc (portable, for every GPU). Pageable: malloc, every page touched once so that
   *  first-touch page faults stay out of the timings. */
  HostBuffer(HostMemory kind, size_t bytes);
  ~HostBuffer();
  HostBuffer(HostBuffer&& o) noexcept;
  HostBuffer& operator=(HostBuffer&& o) noexcept;
  HostBuffer(const HostBuffer&)            = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;
  void* get() const { return ptr_; }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_       = nullptr;
  size_t bytes_    = 0;
  HostMemory kind_ = HostMemory::pinned;
};

/** A non-blocking stream on one device. */
class Stream {
 public:
  explicit Stream(int device);
  ~Stream();
  Stream(const Stream&)            = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  int device() const { return device_; }

 private:
  cudaStream_t stream_ = nullptr;
  int device_          = 0;
};

/** Two CUDA events on one device: GPU time of the work a stream does between start() and stop(). */
class EventTimer {
 public:
  explicit EventTimer(int device);
  ~EventTimer();
  EventTimer(const EventTimer&)            = delete;
  EventTimer& operator=(const EventTimer&) = delete;
  void start(cudaStream_t s);
  void stop(cudaStream_t s);
  /** Waits for the stop event; seconds between the two events. */
  double seconds();

 private:
  int device_        = 0;
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_  = nullptr;
};

// ---- Deterministic data ---------------------------------------------------------------------------------

enum class Elem { f32, f16, bf16 };
size_t elem_bytes(Elem e);

/** Element i of the random sequence `seed`: a multiple of 1/128 in [-1, 1), exact in fp16, bf16 and fp32
 *  (so a host reference can recompute any input without copying it back). Never all zeros (METHOD.md). */
float random_value(uint64_t i, uint64_t seed);
/** Writes random_value(i, seed) (or its absolute value) to elements [0, n) of `p`, on `stream`. */
void fill_random(void* p, size_t n, Elem e, uint64_t seed, cudaStream_t stream, bool absolute = false);
/** One element copied back to the host and widened to float. */
float read_element(const void* p, size_t i, Elem e);
/** Throws GpuError("wrong result ...") unless |got - want| <= tol. */
void expect_near(const std::string& what, double got, double want, double tol);

// ---- Counters (names fixed by the schema) ---------------------------------------------------------------

/** The manual time of one benchmark run: SetIterationTime for each iteration, and their total, from which
 *  the rate counters are computed here (not by the library), so they follow the GPU time by construction. */
class ManualTime {
 public:
  explicit ManualTime(benchmark::State& st) : st_(st) {}
  void add(double seconds);
  /** Mean GPU seconds per iteration (0 before the first). */
  double mean_s() const { return iterations_ ? total_s_ / static_cast<double>(iterations_) : 0; }

 private:
  benchmark::State& st_;
  double total_s_     = 0;
  int64_t iterations_ = 0;
};

/** `bytes` (moved per call) as a plain counter and GBps = bytes / mean time per call / 1e9. */
void set_bytes_counters(benchmark::State& st, double bytes, const ManualTime& t);

// ---- main -----------------------------------------------------------------------------------------------

/** Runs `fn` once after the benchmarks, before the CUDA context goes away (NCCL communicators, ...). */
void at_cleanup(std::function<void()> fn);
/** The main() of every suite: NCCL_NVLS_ENABLE=0, custom context (GPU, driver, CUDA, cuBLAS, NCCL
 *  versions), flags, `register_benchmarks()`, run, cleanup. Returns the process exit status. */
int bench_main(int argc, char** argv, const std::function<void()>& register_benchmarks);

} // namespace gsim::gpubench
