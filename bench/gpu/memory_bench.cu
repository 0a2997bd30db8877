// HBM-bound work over fp32 arrays of 1 MiB to 4 GiB (x4 steps; the argument is one array's size):
//   d2d_copy          device-to-device cudaMemcpyAsync, the HBM ceiling (device METHOD.md)
//   elementwise_axpy  y = a x + y
//   adam_fused        one fused AdamW step over params, grads, m, v (reads 4 arrays, writes 3), the
//                     optimizer kernel of ZeRO-3 training (DeepSpeed FusedAdam's memory traffic)
// Counters: bytes = bytes moved through HBM per call (each array read or written once: 2, 3 and 7 arrays),
// GBps = bytes / time per call.
//
// An array smaller than the L2 would be timed in the cache if one buffer were reused, so each iteration
// takes the next of several buffer sets, together at least 4x the L2 (METHOD.md: rotate among input
// sets): every call reads from HBM, as a training step's tensors do.
#include "bench/gpu/gpu_common.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace gsim::gpubench {

namespace {

constexpr int64_t kMaxArray = 4 * GiB;
constexpr int kRoles        = 4; // x/params, y/grads, m, v

struct AdamParams {
  float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, weight_decay = 0.01f;
  float bias1 = 1 - 0.9f, bias2 = 1 - 0.999f; // 1 - beta^step at step 1
};

/** Four kMaxArray regions on GPU 0, allocated once; a buffer set is one slice of each. */
struct MemoryPool {
  Stream stream{0};
  DeviceBuffer role[kRoles];
  int sms          = 0;
  int64_t l2_bytes = 0;
};
std::unique_ptr<MemoryPool> g_pool;

MemoryPool& pool()
{
  if (not g_pool) {
    require_free_memory(0, static_cast<double>(kRoles * kMaxArray));
    auto p = std::make_unique<MemoryPool>();
    for (auto& r : p->role)
      r = DeviceBuffer(0, static_cast<size_t>(kMaxArray));
    cudaDeviceProp prop{};
    GSIM_CUDA(cudaGetDeviceProperties(&prop, 0));
    p->sms      = prop.multiProcessorCount;
    p->l2_bytes = prop.l2CacheSize;
    g_pool      = std::move(p);
    at_cleanup([] { g_pool.reset(); });
  }
  return *g_pool;
}

__global__ void axpy_kernel(const float4* __restrict__ x, float4* __restrict__ y, float a, size_t n4)
{
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n4; i += stride) {
    const float4 xv = x[i];
    float4 yv       = y[i];
    yv.x            = fmaf(a, xv.x, yv.x);
    yv.y            = fmaf(a, xv.y, yv.y);
    yv.z            = fmaf(a, xv.z, yv.z);
    yv.w            = fmaf(a, xv.w, yv.w);
    y[i]            = yv;
  }
}

__host__ __device__ inline void adam_element(float& p, float g, float& m, float& v, const AdamParams& a)
{
  m                 = a.beta1 * m + (1 - a.beta1) * g;
  v                 = a.beta2 * v + (1 - a.beta2) * g * g;
  const float denom = sqrtf(v / a.bias2) + a.eps;
  p                 = p - a.lr * (m / a.bias1 / denom + a.weight_decay * p); // AdamW: decoupled decay
}

__global__ void adam_kernel(float4* __restrict__ p, const float4* __restrict__ g, float4* __restrict__ m,
                            float4* __restrict__ v, size_t n4, AdamParams a)
{
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n4; i += stride) {
    float4 pv = p[i], mv = m[i], vv = v[i];
    const float4 gv = g[i];
    adam_element(pv.x, gv.x, mv.x, vv.x, a);
    adam_element(pv.y, gv.y, mv.y, vv.y, a);
    adam_element(pv.z, gv.z, mv.z, vv.z, a);
    adam_element(pv.w, gv.w, mv.w, vv.w, a);
    p[i] = pv;
    m[i] = mv;
    v[i] = vv;
  }
}

enum class Kernel { d2d_copy, axpy, adam };
constexpr float kAxpyA   = 1.5f;
constexpr uint64_t kSeed = 100; // role r of set 0 holds random_value(i, kSeed + r)

int roles_of(Kernel k)
{
  return k == Kernel::adam ? 4 : 2;
}

double bytes_moved(Kernel k, double array_bytes)
{
  return array_bytes * (k == Kernel::d2d_copy ? 2 : k == Kernel::axpy ? 3 : 7);
}

void launch(Kernel k, MemoryPool& mp, int64_t set, int64_t array_bytes)
{
  float* a[kRoles];
  for (int r = 0; r < kRoles; r++)
    a[r] = reinterpret_cast<float*>(mp.role[r].as<char>() + set * array_bytes);
  const size_t n4      = static_cast<size_t>(array_bytes) / 16;
  const unsigned block = 256;
  // Enough blocks to fill every SM several times over, each thread striding through the rest.
  const unsigned grid  = static_cast<unsigned>(std::min<size_t>((n4 + block - 1) / block, size_t(mp.sms) * 16));
  const cudaStream_t s = mp.stream.get();
  switch (k) {
  case Kernel::d2d_copy:
    GSIM_CUDA(cudaMemcpyAsync(a[1], a[0], static_cast<size_t>(array_bytes), cudaMemcpyDeviceToDevice, s));
    break;
  case Kernel::axpy:
    axpy_kernel<<<grid, block, 0, s>>>(reinterpret_cast<const float4*>(a[0]), reinterpret_cast<float4*>(a[1]), kAxpyA,
                                       n4);
    break;
  case Kernel::adam:
    adam_kernel<<<grid, block, 0, s>>>(reinterpret_cast<float4*>(a[0]), reinterpret_cast<const float4*>(a[1]),
                                       reinterpret_cast<float4*>(a[2]), reinterpret_cast<float4*>(a[3]), n4,
                                       AdamParams{});
    break;
  }
  GSIM_CUDA(cudaGetLastError());
}

// After one call on freshly filled set 0: a few elements against the host's recomputation.
void check(Kernel k, MemoryPool& mp, int64_t array_bytes)
{
  const size_t n = static_cast<size_t>(array_bytes) / 4;
  for (size_t i : {size_t(0), n / 3, n - 1}) {
    auto in              = [&](int r) { return random_value(i, kSeed + static_cast<uint64_t>(r)); };
    auto out             = [&](int r) { return read_element(mp.role[r].get(), i, Elem::f32); };
    const std::string at = "[" + std::to_string(i) + "]";
    if (k == Kernel::d2d_copy) {
      expect_near("copy" + at, out(1), in(0), 0);
    } else if (k == Kernel::axpy) {
      expect_near("y" + at, out(1), std::fma(kAxpyA, in(0), in(1)), 0);
    } else {
      float p = in(0), m = in(2), v = std::fabs(in(3));
      adam_element(p, in(1), m, v, AdamParams{});
      // The device may contract a * b + c into one FMA where the host rounds twice: a few ulps apart.
      expect_near("m" + at, out(2), m, 1e-6 * (1 + std::fabs(m)));
      expect_near("v" + at, out(3), v, 1e-6 * (1 + std::fabs(v)));
      expect_near("params" + at, out(0), p, 1e-6 * (1 + std::fabs(p)));
    }
  }
}

void bm_memory(benchmark::State& st, Kernel k)
{
  const int64_t array_bytes = st.range(0);
  guarded(st, [&] {
    require_gpus(1);
    MemoryPool& mp       = pool();
    const cudaStream_t s = mp.stream.get();
    const int64_t sets   = std::max<int64_t>(
        1, std::min<int64_t>(kMaxArray / array_bytes, (4 * mp.l2_bytes + array_bytes - 1) / array_bytes));
    // Random data in every set the loop touches (never zeros or stale memory); set 0 is checked below.
    for (int r = 0; r < roles_of(k); r++)
      fill_random(mp.role[r].get(), static_cast<size_t>(sets * array_bytes) / 4, Elem::f32,
                  kSeed + static_cast<uint64_t>(r), s, /*absolute=*/r == 3); // Adam's v is never negative
    launch(k, mp, 0, array_bytes);                                           // warm-up, then check
    GSIM_CUDA(cudaStreamSynchronize(s));
    check(k, mp, array_bytes);

    EventTimer timer(0);
    ManualTime t(st);
    int64_t set = 0;
    for (auto _ : st) {
      set = (set + 1) % sets;
      timer.start(s);
      launch(k, mp, set, array_bytes);
      timer.stop(s);
      t.add(timer.seconds());
    }
    set_bytes_counters(st, bytes_moved(k, static_cast<double>(array_bytes)), t);
  });
}

void register_memory()
{
  const std::pair<const char*, Kernel> kernels[] = {
      {"d2d_copy", Kernel::d2d_copy}, {"elementwise_axpy", Kernel::axpy}, {"adam_fused", Kernel::adam}};
  for (const auto& [name, k] : kernels) {
    auto* b = benchmark::RegisterBenchmark(name, bm_memory, k);
    for (int64_t s : pow4_sizes(MiB, kMaxArray))
      b->Arg(s);
    b->ArgName("array_bytes")->UseManualTime()->Unit(benchmark::kMicrosecond);
  }
}

} // namespace

} // namespace gsim::gpubench

int main(int argc, char** argv)
{
  return gsim::gpubench::bench_main(argc, argv, gsim::gpubench::register_memory);
}
