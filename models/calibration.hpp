#pragma once
// Calibration: measured microbenchmarks (traces/calibration/<gpu>/*.json, Google Benchmark JSON,
// schema in traces/calibration/README.md) turned into the cost functions the simulator calls.
//
// Calibrate on the GPUs we have, transfer to the GPUs we model: each measured curve is kept as its
// *shape* (achieved efficiency against size, relative to the measuring GPU's datasheet peak) and
// scaled by the target's datasheet peak (ClusterSpec). Every cost can say where it came from.
//
// API contract shared by models/ (implementation) and sim/ (callers). Pure C++: no SimGrid.
#include "models/calibration_paths.hpp"
#include "models/config.hpp"
#include "models/transformer.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gsim {

GSIM_CHOICE(CollOp, all_gather, reduce_scatter, all_reduce, send_recv);
enum class CopyDir { d2h, h2d };
/** The link class a transfer crosses: GPU-GPU inside an instance, GPU<->CPU, or between instances. */
GSIM_CHOICE(Fabric, nvlink, pcie, network);

/** GEMM families (gemm_fp16, gemm_batched_bf16, ...): sizes are FLOPs and costs come per shape, not from a fit. */
bool is_gemm_family(const std::string& family);

/** nccl-tests' bus-bandwidth factor (doc/PERFORMANCE.md): busbw = algbw * bus_factor(op, n). */
double bus_factor(CollOp op, int ranks);
/** Sequential steps of NCCL's ring: n-1 for all-gather / reduce-scatter, 2(n-1) for all-reduce, 1 for send/recv. */
int ring_steps(CollOp op, int ranks);

/** time(bytes) = alpha + bytes / beta, fitted on one contiguous size range. */
struct AlphaBetaSegment {
  double min_bytes = 0;
  double max_bytes = 0;
  double alpha_s   = 0;
  double beta_Bps  = 0;
};

/** A piecewise alpha-beta fit of one measured series, with its worst relative error per point. */
struct AlphaBetaFit {
  std::vector<AlphaBetaSegment> segments;
  double time_s(double bytes) const;
  double max_rel_error_above_1MiB = 0;
  /** The segment that prices `bytes` (below the first range: the first; above the last: the last). */
  const AlphaBetaSegment& segment_for(double bytes) const;
};

/** One measured series: sizes (bytes, or FLOPs for GEMMs) and median times, with provenance. */
struct Series {
  std::string file;   // the calibration file it came from
  std::string family; // benchmark family, e.g. "all_gather", "copy_d2h_pinned", "gemm_fp16"
  std::vector<double> sizes;
  std::vector<double> median_s;
  std::vector<double> min_s;
  std::vector<double> max_s;
  std::map<std::string, std::string> labels; // per-series attributes (ranks, dtype, ...)
  // Added by the implementation (models/calibration_loader.cpp), one entry per point, sorted with sizes:
  std::vector<std::string> names;                      // the benchmark's name
  std::vector<std::string> point_labels;               // its "label" text (GEMM shape), may be empty
  std::vector<std::map<std::string, double>> counters; // its user counters, median over repetitions
  std::vector<int> repetitions;                        // how many repetitions the median is over
  AlphaBetaFit fit; // fit_piecewise(sizes, median_s); empty for GEMMs (priced per shape) and size-less series
  /** "family" plus its labels, e.g. "all_gather ranks=2": unique within a calibration. */
  std::string key() const;
};

class Calibration {
 public:
  /** Loads every *.json in `dir`; a malformed file is a ConfigError naming the file and the entry. The GPU it
   *  measured is matched to a cluster file in <data root>/configs/clusters (models/calibration_paths.hpp). */
  static Calibration load(const std::string& dir);
  /** load(dir), once per directory and process (a run's stages and a test's cases share it). A directory
   *  that does not exist or holds no *.json is a ConfigError with key "(directory)": not committed yet. */
  static const Calibration& cached(const std::string& dir);

  const std::vector<Series>& series() const { return series_; }
  const std::map<std::string, std::string>& machine() const { return machine_; }
  /** The GPU the measurements ran on, matched to a cluster file to know its datasheet peaks. */
  const ClusterSpec& measured_on() const { return measured_on_; }
  /** The directory it was loaded from. */
  const std::string& dir() const { return dir_; }
  /** The series of `family` measured on `ranks` GPUs (0: any, the one with the most ranks); nullptr if none. */
  const Series* find(const std::string& family, int ranks = 0) const;

 private:
  std::string dir_;
  std::vector<Series> series_;
  std::map<std::string, std::string> machine_;
  ClusterSpec measured_on_;
};

/** One layer's attention core for one micro-batch, as kernels.json keys it (attn_*, rope_*). */
struct AttentionShape {
  double b = 0, s = 0, heads = 0, kv_heads = 0, head_dim = 0;
  bool causal    = false;
  double dropout = 0; // attention-probability dropout
};

/** A kernel-variant time on the target, and how it was obtained (entry of kernels.json, exact or scaled). */
struct KernelCost {
  double seconds = 0;
  std::string source;
};

/** Costs on a target cluster, derived from a calibration (possibly measured on another GPU). */
class CostModel {
 public:
  CostModel(const Calibration& calibration, const ClusterSpec& target);

  /** Seconds for one GEMM of `shape` in `dtype` on the target GPU. */
  double gemm_time_s(const GemmShape& shape, Dtype dtype) const;
  /** Seconds for memory-bound work that moves `bytes` through HBM (elementwise kernels, fused Adam). */
  double memory_time_s(double bytes) const;
  /** Seconds for one GPU<->CPU copy of `bytes`. */
  double copy_time_s(double bytes, CopyDir dir, bool pinned) const;
  /** Seconds for a collective over `ranks` GPUs whose links are all of kind `fabric`;
   *  `bytes` is the whole array as in nccl-tests (all-gather: per-rank count x element size x ranks). */
  double collective_time_s(CollOp op, double bytes, int ranks, Fabric fabric) const;
  /** Achieved fraction of `fabric`'s datasheet bandwidth for messages of `bytes` (flow-model capacities). */
  double link_efficiency(Fabric fabric, double bytes) const;
  /** Start-up latency (alpha) of one message on `fabric`, seconds. */
  double link_latency_s(Fabric fabric) const;
  /** Human-readable provenance of each cost: measurement file + series + datasheet number used. */
  std::vector<std::string> provenance() const;

  // Added by the implementation (models/cost_model.cpp):
  /** The datasheet bandwidth, bytes/s per direction, that link_efficiency is a fraction of: intra_Bps
   *  per GPU for nvlink, pcie_Bps per GPU for pcie, and instance_Bps for network (a ring hop between
   *  instances uses all of the instance's NICs, as NCCL spreads its channels over them). */
  double link_bandwidth_Bps(Fabric fabric) const;
  /** Achieved fraction of the measuring GPU's peak for `shape` in `dtype`, interpolated over the measured
   *  shapes; the efficiency that gemm_time_s applies to the target's peak. */
  double gemm_efficiency(const GemmShape& shape, Dtype dtype) const;
  /** target / measuring GPU published matmul ceiling (GpuSpec::matmul_ceiling); 1 unless both are published. */
  double gemm_ceiling_ratio() const;
  const ClusterSpec& target() const { return target_; }
  const Calibration& calibration() const { return *cal_; }

  // Kernel variants measured through PyTorch (kernels.json; models/kernel_cost.cpp). Each prices one layer's
  // kernel for one micro-batch on the target: the entry of that exact shape, else the nearest measured entry
  // of the same kernel scaled by the work ratio (attention FLOPs, or bytes for memory-bound kernels), with
  // the source saying which. nullopt when the calibration holds no entry of that kernel in a 16-bit dtype
  // (fp16 and bf16 stand in for each other, same element size) with the asked mask and dropout.
  /** attn_{eager|flash}_{fwd|bwd}: Q, K, V to the context; it replaces the attn_score / attn_context GEMMs and
   *  the scale, mask, softmax and dropout kernels. `style` is the eager formula's family (gpt2, bert, roberta,
   *  llama; ignored for flash). */
  std::optional<KernelCost> attention_time(const AttentionShape& a, AttentionKernel kind, bool backward, Dtype dtype,
                                           const std::string& style) const;
  /** A memory-bound family keyed by tokens x width (act_*, norm_*), e.g. "act_gelu_new_eager_fwd". */
  std::optional<KernelCost> rowwise_kernel_time(const std::string& family, double tokens, double width,
                                                Dtype dtype) const;
  /** rope_eager_{fwd|bwd}: HF apply_rotary_pos_emb on Q and K. */
  std::optional<KernelCost> rope_time(const AttentionShape& a, bool backward, Dtype dtype) const;

 private:
  const Calibration* cal_;
  ClusterSpec target_;
};

} // namespace gsim
