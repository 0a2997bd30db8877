// cuBLAS GEMMs at the shapes of the configured models' transformer layers (forward, backward, output head:
// bench/gpu/model_shapes.hpp), fp16 and bf16 operands and output with fp32 accumulation, plus an 8192^3
// square GEMM as the compute ceiling. Families gemm_fp16 / gemm_bf16 (cublasGemmEx) and
// gemm_batched_fp16 / gemm_batched_bf16 (the per-head attention GEMMs, cublasGemmStridedBatchedEx).
// Counters m, n, k, batch, flops, tflops; the label names the model GEMMs that have the shape.
//
// Layout: row-major C = A B with no operand transposed (cuBLAS is column-major, so it is asked for
// C^T = B^T A^T). Training runs some of these with a transposed operand (a Linear's forward is X W^T);
// the cost model prices shapes, and the transposes are a second-order effect it does not model.
#include "source_dir.hpp"
#include "bench/gpu/gpu_common.hpp"
#include "bench/gpu/model_shapes.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace gsim::gpubench {

namespace {

/** Operands and output of every registered shape, allocated once at the largest size. */
struct GemmWorkspace {
  cublasHandle_t handle = nullptr;
  Stream stream{0};
  DeviceBuffer a, b, c;
  Elem filled_as = Elem::f32; // the element type a and b hold now (f32 = not filled yet)
  ~GemmWorkspace()
  {
    if (handle)
      (void)cublasDestroy(handle);
  }
};

size_t g_max_a = 0, g_max_b = 0, g_max_c = 0; // elements, over the registered shapes
std::unique_ptr<GemmWorkspace> g_workspace;

constexpr uint64_t kSeedA = 11, kSeedB = 12;

GemmWorkspace& workspace(Elem e)
{
  if (not g_workspace) {
    require_free_memory(0, 2.0 * static_cast<double>(g_max_a + g_max_b + g_max_c));
    auto w = std::make_unique<GemmWorkspace>();
    w->a   = DeviceBuffer(0, g_max_a * 2);
    w->b   = DeviceBuffer(0, g_max_b * 2);
    w->c   = DeviceBuffer(0, g_max_c * 2);
    GSIM_CUBLAS(cublasCreate(&w->handle));
    GSIM_CUBLAS(cublasSetStream(w->handle, w->stream.get()));
    g_workspace = std::move(w);
    at_cleanup([] { g_workspace.reset(); });
  }
  GemmWorkspace& w = *g_workspace;
  if (w.filled_as != e) {
    fill_random(w.a.get(), g_max_a, e, kSeedA, w.stream.get());
    fill_random(w.b.get(), g_max_b, e, kSeedB, w.stream.get());
    GSIM_CUDA(cudaStreamSynchronize(w.stream.get()));
    w.filled_as = e;
  }
  return w;
}

void run_gemm(GemmWorkspace& w, const BenchGemm& g, Elem e)
{
  const cudaDataType t = e == Elem::f16 ? CUDA_R_16F : CUDA_R_16BF;
  const float alpha = 1, beta = 0;
  const int m = static_cast<int>(g.m), n = static_cast<int>(g.n), k = static_cast<int>(g.k);
  // Column-major C^T (n x m) = B^T (n x k) * A^T (k x m); row-major leading dimensions n, k, n.
  if (g.batch == 1) {
    GSIM_CUBLAS(cublasGemmEx(w.handle, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &alpha, w.b.get(), t, n, w.a.get(), t, k,
                             &beta, w.c.get(), t, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  } else {
    GSIM_CUBLAS(cublasGemmStridedBatchedEx(w.handle, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &alpha, w.b.get(), t, n,
                                           g.k * g.n, w.a.get(), t, k, g.m * g.k, &beta, w.c.get(), t, n, g.m * g.n,
                                           static_cast<int>(g.batch), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  }
}

// A few entries of C against a double-precision host dot product of the (recomputable) random inputs.
void check_gemm(const GemmWorkspace& w, const BenchGemm& g, Elem e)
{
  const double out_eps = e == Elem::f16 ? std::ldexp(1.0, -10) : std::ldexp(1.0, -7); // output rounding, with room
  const int64_t b_last = g.batch - 1;
  const int64_t samples[][3] = {{0, 0, 0}, {b_last, g.m - 1, g.n - 1}, {b_last / 2, g.m / 2, g.n / 3}};
  for (const auto& s : samples) {
    const int64_t b = s[0], i = s[1], j = s[2];
    double ref = 0, mag = 0;
    for (int64_t p = 0; p < g.k; p++) {
      const double x = random_value(static_cast<uint64_t>(b * g.m * g.k + i * g.k + p), kSeedA);
      const double y = random_value(static_cast<uint64_t>(b * g.k * g.n + p * g.n + j), kSeedB);
      ref += x * y;
      mag += std::fabs(x * y);
    }
    const double got = read_element(w.c.get(), static_cast<size_t>(b * g.m * g.n + i * g.n + j), e);
    // fp32 accumulation error grows with the sum of |products|; a wrong layout is off by ~sqrt(k) / 3.
    expect_near("C[" + std::to_string(b) + "][" + std::to_string(i) + "][" + std::to_string(j) + "]", got, ref,
                out_eps * std::fabs(ref) + std::ldexp(mag, -14));
  }
}

void bm_gemm(benchmark::State& st, const BenchGemm& g, Elem e)
{
  st.SetLabel(g.label);
  guarded(st, [&] {
    require_gpus(1);
    GemmWorkspace& w = workspace(e);
    run_gemm(w, g, e); // warm-up: heuristics, workspace, clocks
    GSIM_CUDA(cudaStreamSynchronize(w.stream.get()));
    check_gemm(w, g, e);
    EventTimer timer(0);
    ManualTime t(st);
    for (auto _ : st) {
      timer.start(w.stream.get());
      run_gemm(w, g, e);
      timer.stop(w.stream.get());
      t.add(timer.seconds());
    }
    const double flops = 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) * static_cast<double>(g.k) *
                         static_cast<double>(g.batch);
    st.counters["m"]      = static_cast<double>(g.m);
    st.counters["n"]      = static_cast<double>(g.n);
    st.counters["k"]      = static_cast<double>(g.k);
    st.counters["batch"]  = static_cast<double>(g.batch);
    st.counters["flops"]  = flops;
    st.counters["tflops"] = flops / t.mean_s() / 1e12;
  });
}

void register_gemms()
{
  std::vector<BenchGemm> shapes = model_gemm_shapes(GSIM_SOURCE_DIR);
  // The compute ceiling: a large square GEMM (device METHOD.md: measure the matrix rate once).
  const BenchGemm square{"square_8192 (compute ceiling)", 8192, 8192, 8192, 1};
  auto same = std::find_if(shapes.begin(), shapes.end(), [&](const BenchGemm& g) {
    return g.m == square.m && g.n == square.n && g.k == square.k && g.batch == square.batch;
  });
  if (same != shapes.end())
    same->label += "," + square.label;
  else
    shapes.push_back(square);

  for (const auto& g : shapes) {
    g_max_a = std::max(g_max_a, static_cast<size_t>(g.m * g.k * g.batch));
    g_max_b = std::max(g_max_b, static_cast<size_t>(g.k * g.n * g.batch));
    g_max_c = std::max(g_max_c, static_cast<size_t>(g.m * g.n * g.batch));
  }
  for (Elem e : {Elem::f16, Elem::bf16})
    for (const auto& g : shapes) {
      const std::string dtype = e == Elem::f16 ? "fp16" : "bf16";
      std::string name        = (g.batch > 1 ? "gemm_batched_" : "gemm_") + dtype + "/m:" + std::to_string(g.m) +
                         "/n:" + std::to_string(g.n) + "/k:" + std::to_string(g.k);
      if (g.batch > 1)
        name += "/batch:" + std::to_string(g.batch);
      benchmark::RegisterBenchmark(name.c_str(), bm_gemm, g, e)->UseManualTime()->Unit(benchmark::kMicrosecond);
    }
}

} // namespace

} // namespace gsim::gpubench

int main(int argc, char** argv)
{
  return gsim::gpubench::bench_main(argc, argv, gsim::gpubench::register_gemms);
}
