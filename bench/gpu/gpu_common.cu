// Shared driver of the GPU microbenchmarks: see gpu_common.hpp.
#include "bench/gpu/gpu_common.hpp"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace gsim::gpubench {

std::string where(const char* call, const char* file, int line, const std::string& message)
{
  std::ostringstream s;
  s << file << ":" << line << ": " << call << ": " << message;
  return s.str();
}

int gpu_count()
{
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError(); // no driver / no device: clear the sticky-free error and report none
    return 0;
  }
  return n;
}

void require_gpus(int n)
{
  const int have = gpu_count();
  if (have < n)
    throw GpuError("needs " + std::to_string(n) + " GPU(s); this machine has " + std::to_string(have));
}

void require_free_memory(int device, double bytes)
{
  size_t free_b = 0, total_b = 0;
  GSIM_CUDA(cudaSetDevice(device));
  GSIM_CUDA(cudaMemGetInfo(&free_b, &total_b));
  if (static_cast<double>(free_b) < bytes + static_cast<double>(GiB))
    throw GpuError("needs " + std::to_string(bytes / GiB) + " GiB + 1 GiB margin on GPU " + std::to_string(device) +
                   ", " + std::to_string(static_cast<double>(free_b) / GiB) + " GiB free");
}

std::vector<int64_t> pow4_sizes(int64_t lo, int64_t hi)
{
  std::vector<int64_t> v;
  for (int64_t s = lo; s <= hi; s *= 4)
    v.push_back(s);
  return v;
}

void guarded(benchmark::State& st, const std::function<void()>& body)
{
  try {
    body();
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
  }
}

// ---- RAII resources -------------------------------------------------------------------------------------

DeviceBuffer::DeviceBuffer(int device, size_t bytes) : bytes_(bytes), device_(device)
{
  GSIM_CUDA(cudaSetDevice(device));
  GSIM_CUDA(cudaMalloc(&ptr_, bytes));
}

DeviceBuffer::~DeviceBuffer()
{
  if (ptr_) {
    (void)cudaSetDevice(device_);
    (void)cudaFree(ptr_);
  }
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_), device_(o.device_)
{
  o.ptr_ = nullptr;
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept
{
  std::swap(ptr_, o.ptr_);
  std::swap(bytes_, o.bytes_);
  std::swap(device_, o.device_);
  return *this;
}

HostBuffer::HostBuffer(HostMemory kind, size_t bytes) : bytes_(bytes), kind_(kind)
{
  if (kind == HostMemory::pinned) {
    GSIM_CUDA(cudaHostAlloc(&ptr_, bytes, cudaHostAllocPortable));
  } else {
    ptr_ = std::malloc(bytes);
    if (ptr_ == nullptr)
      throw GpuError("malloc of " + std::to_string(bytes) + " bytes failed");
  }
  std::memset(ptr_, 0x3c, bytes); // touch every page now, not inside a timed copy
}

HostBuffer::~HostBuffer()
{
  if (ptr_ == nullptr)
    return;
  if (kind_ == HostMemory::pinned)
    (void)cudaFreeHost(ptr_);
  else
    std::free(ptr_);
}

HostBuffer::HostBuffer(HostBuffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_), kind_(o.kind_)
{
  o.ptr_ = nullptr;
}

HostBuffer& HostBuffer::operator=(HostBuffer&& o) noexcept
{
  std::swap(ptr_, o.ptr_);
  std::swap(bytes_, o.bytes_);
  std::swap(kind_, o.kind_);
  return *this;
}

Stream::Stream(int device) : device_(device)
{
  GSIM_CUDA(cudaSetDevice(device));
  GSIM_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
}

Stream::~Stream()
{
  (void)cudaSetDevice(device_);
  (void)cudaStreamDestroy(stream_);
}

EventTimer::EventTimer(int device) : device_(device)
{
  GSIM_CUDA(cudaSetDevice(device));
  GSIM_CUDA(cudaEventCreate(&start_));
  GSIM_CUDA(cudaEventCreate(&stop_));
}

EventTimer::~EventTimer()
{
  (void)cudaSetDevice(device_);
  (void)cudaEventDestroy(start_);
  (void)cudaEventDestroy(stop_);
}

void EventTimer::start(cudaStream_t s)
{
  GSIM_CUDA(cudaEventRecord(start_, s));
}

void EventTimer::stop(cudaStream_t s)
{
  GSIM_CUDA(cudaEventRecord(stop_, s));
}

double EventTimer::seconds()
{
  GSIM_CUDA(cudaEventSynchronize(stop_));
  float ms = 0;
  GSIM_CUDA(cudaEventElapsedTime(&ms, start_, stop_));
  return ms / 1e3;
}

// ---- Deterministic data ---------------------------------------------------------------------------------

size_t elem_bytes(Elem e)
{
  return e == Elem::f32 ? 4 : 2;
}

namespace {

// splitmix64 (Steele, Lea, Flood 2014): a cheap, well-mixed hash of the index, the same on host and device.
__host__ __device__ inline float random_value_impl(uint64_t i, uint64_t seed)
{
  uint64_t z = i + (seed + 1) * 0x9E3779B97F4A7C15ull;
  z          = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z          = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z          = z ^ (z >> 31);
  // Top 8 bits as a signed byte over 128: multiples of 1/128 in [-1, 1), exact in every element type.
  return static_cast<float>(static_cast<int8_t>(static_cast<uint8_t>(z >> 56))) / 128.0f;
}

template <class T> __device__ T from_float(float v);
template <> __device__ float from_float<float>(float v)
{
  return v;
}
template <> __device__ __half from_float<__half>(float v)
{
  return __float2half_rn(v);
}
template <> __device__ __nv_bfloat16 from_float<__nv_bfloat16>(float v)
{
  return __float2bfloat16_rn(v);
}

template <class T> __global__ void fill_kernel(T* p, size_t n, uint64_t seed, bool absolute)
{
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const float v = random_value_impl(i, seed);
    p[i]          = from_float<T>(absolute ? fabsf(v) : v);
  }
}

} // namespace

float random_value(uint64_t i, uint64_t seed)
{
  return random_value_impl(i, seed);
}

void fill_random(void* p, size_t n, Elem e, uint64_t seed, cudaStream_t stream, bool absolute)
{
  const unsigned threads = 256;
  const unsigned blocks  = static_cast<unsigned>(std::min<size_t>((n + threads - 1) / threads, 8192));
  if (n == 0)
    return;
  switch (e) {
  case Elem::f32:
    fill_kernel<<<blocks, threads, 0, stream>>>(static_cast<float*>(p), n, seed, absolute);
    break;
  case Elem::f16:
    fill_kernel<<<blocks, threads, 0, stream>>>(static_cast<__half*>(p), n, seed, absolute);
    break;
  case Elem::bf16:
    fill_kernel<<<blocks, threads, 0, stream>>>(static_cast<__nv_bfloat16*>(p), n, seed, absolute);
    break;
  }
  GSIM_CUDA(cudaGetLastError());
}

float read_element(const void* p, size_t i, Elem e)
{
  const char* at = static_cast<const char*>(p) + i * elem_bytes(e);
  if (e == Elem::f32) {
    float v = 0;
    GSIM_CUDA(cudaMemcpy(&v, at, sizeof v, cudaMemcpyDefault));
    return v;
  }
  if (e == Elem::f16) {
    __half v;
    GSIM_CUDA(cudaMemcpy(&v, at, sizeof v, cudaMemcpyDefault));
    return __half2float(v);
  }
  __nv_bfloat16 v;
  GSIM_CUDA(cudaMemcpy(&v, at, sizeof v, cudaMemcpyDefault));
  return __bfloat162float(v);
}

void expect_near(const std::string& what, double got, double want, double tol)
{
  if (not(std::fabs(got - want) <= tol)) {
    std::ostringstream s;
    s << "wrong result: " << what << " = " << got << ", expected " << want << " (tolerance " << tol << ")";
    throw GpuError(s.str());
  }
}

// ---- Counters -------------------------------------------------------------------------------------------

void ManualTime::add(double seconds)
{
  st_.SetIterationTime(seconds);
  total_s_ += seconds;
  iterations_++;
}

void set_bytes_counters(benchmark::State& st, double bytes, const ManualTime& t)
{
  st.counters["bytes"] = bytes;
  if (t.mean_s() > 0)
    st.counters["GBps"] = bytes / t.mean_s() / 1e9;
}

// ---- main -----------------------------------------------------------------------------------------------

namespace {

std::vector<std::function<void()>>& cleanups()
{
  static std::vector<std::function<void()>> v;
  return v;
}

std::string version_text(int v, int major_div, int minor_div)
{
  return std::to_string(v / major_div) + "." + std::to_string(v % major_div / minor_div);
}

// The display driver's version ("580.159.04") through NVML, loaded at run time so that the binaries need
// no NVML at link time (the GPU-less build machine has none); "" if NVML is not there.
std::string nvml_driver_version()
{
  void* lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr)
    return "";
  using InitFn    = int (*)();
  using VersionFn = int (*)(char*, unsigned);
  auto init       = reinterpret_cast<InitFn>(dlsym(lib, "nvmlInit_v2"));
  auto version    = reinterpret_cast<VersionFn>(dlsym(lib, "nvmlSystemGetDriverVersion"));
  char text[96]   = {0};
  std::string out;
  if (init && version && init() == 0 && version(text, sizeof text) == 0)
    out = text;
  dlclose(lib);
  return out;
}

void add_context()
{
  const int n = gpu_count();
  benchmark::AddCustomContext("gpu_count", std::to_string(n));
  std::string name = "none";
  if (n > 0) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess)
      name = prop.name;
  }
  benchmark::AddCustomContext("gpu_name", name);

  int driver_api = 0, runtime = 0;
  (void)cudaDriverGetVersion(&driver_api);
  (void)cudaRuntimeGetVersion(&runtime);
  const std::string nvml = nvml_driver_version();
  const std::string api  = driver_api > 0 ? "CUDA " + version_text(driver_api, 1000, 10) : "no CUDA driver";
  benchmark::AddCustomContext("driver_version", nvml.empty() ? api : nvml + " (" + api + ")");
  benchmark::AddCustomContext("cuda_runtime_version", version_text(runtime, 1000, 10));

  int major = 0, minor = 0, patch = 0;
  (void)cublasGetProperty(MAJOR_VERSION, &major);
  (void)cublasGetProperty(MINOR_VERSION, &minor);
  (void)cublasGetProperty(PATCH_LEVEL, &patch);
  benchmark::AddCustomContext("cublas_version",
                              std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch));

  int nccl = 0;
  (void)ncclGetVersion(&nccl); // NCCL >= 2.9 encodes major * 10000 + minor * 100 + patch
  benchmark::AddCustomContext("nccl_version", std::to_string(nccl / 10000) + "." + std::to_string(nccl % 10000 / 100) +
                                                  "." + std::to_string(nccl % 100));
}

} // namespace

void at_cleanup(std::function<void()> fn)
{
  cleanups().push_back(std::move(fn));
}

int bench_main(int argc, char** argv, const std::function<void()>& register_benchmarks)
{
  // NVLink multicast (NVLS) can take a shared host's GPUs out of service (device KINDS.md): always off,
  // whatever the caller's environment says, and before any NCCL call.
  setenv("NCCL_NVLS_ENABLE", "0", 1);
  add_context();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  try {
    register_benchmarks();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  benchmark::RunSpecifiedBenchmarks();
  for (auto it = cleanups().rbegin(); it != cleanups().rend(); ++it) {
    try {
      (*it)();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cleanup: %s\n", e.what());
    }
  }
  cleanups().clear();
  benchmark::Shutdown();
  return 0;
}

} // namespace gsim::gpubench
