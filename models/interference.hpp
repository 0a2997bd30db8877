#pragma once
// Interference between kernels that share one GPU: a compute kernel and an NCCL kernel (or a copy) running at
// the same time each run slower than alone (they compete for SMs and HBM). Measured, not assumed:
// bench/gpu/interference_bench runs a pair alone and together and reports, per repetition, slowdown_comm
// (the communication's time together / alone) and slowdown_other (the other kernel's); the calibration
// loader keeps their medians over the repetitions (models/calibration_loader.cpp). Series, per family, the one
// with the most ranks (real NCCL over NVLink on 2 GPUs, not the 1-GPU device copy standing in for it):
//  * interference_gemm: an 8192^3 fp16 GEMM beside an NCCL all-gather -> the compute stream's kernels while
//    a collective is in flight (slowdown_other), and the collective while kernels run (slowdown_comm);
//  * interference_d2h: a 256 MiB pinned GPU->CPU copy beside an NCCL all-gather -> the checkpoint's GPU->CPU
//    copies while a collective is in flight, and the collective while they run.
// Transfer to other GPUs: the ratios unchanged. The collective's own slowdown is applied only where NVLink
// bounds the ring, as measured (no measurement of a network-bound ring beside a GEMM exists). Pure: no SimGrid; the replay applies it (sim/engine/gpu_contention.hpp).
#include "models/calibration.hpp"

#include <optional>
#include <string>

namespace gsim {

/** One measured pair: how much each side slows down while the other runs. */
struct OverlapSlowdown {
  std::string series;  // the calibration series, e.g. "interference_gemm ranks=2"
  std::string setup;   // what ran, from the benchmark's label (without its timings)
  double comm     = 1; // the collective's time together / alone (median over repetitions)
  double other    = 1; // the other kernel's time together / alone
  int repetitions = 0; // how many repetitions the medians are over
};

struct Interference {
  std::string file;                    // the calibration file, repo-relative
  std::optional<OverlapSlowdown> gemm; // compute kernels vs a collective
  std::optional<OverlapSlowdown> d2h;  // GPU->CPU copy vs a collective
  /** The text reported as interference_pricing: the file, the series and what each applies to. */
  std::string describe() const;
};

/** The interference measurements of `cal`; nullopt when it holds no interference_* series (nothing is applied).
 *  A slowdown that is not a positive finite number is a ConfigError naming the file and the series; one below 1
 *  (together faster than alone: noise) counts as 1. */
std::optional<Interference> interference_model(const Calibration& cal);

} // namespace gsim
