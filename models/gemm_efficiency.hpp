#pragma once
// GEMM efficiency over shapes: each measured shape's achieved FLOP/s as a fraction of the measuring
// GPU's datasheet peak, interpolated to other shapes by inverse-distance weighting of the nearest
// measured shapes in log2(m, n, k, batch) space.
//
// Why this interpolation: cuBLAS efficiency is driven by tile quantisation and wave count in each
// dimension, which scale with log size, and by batch for the attention GEMMs; neighbours in log space
// share those regimes. Inverse-distance weighting never extrapolates: a shape outside the measured set
// gets the efficiency of its nearest measured shapes (bounded by the measured range), which is the
// sensible, conservative answer for a shape larger or smaller than anything measured.
//
// Alignment: cuBLAS picks its tensor-core kernels by how each of m, n, k divides (a dimension that is not a
// multiple of 8 cannot use the 16-byte-aligned kernels): the LM head at the odd vocabulary 50265 runs 5x
// slower than at 50304 (traces/calibration/README.md). Shapes are therefore blended only with measured
// shapes of the same alignment class in every dimension (multiple of 64, of 8, even, odd), so one
// vocabulary's penalty never leaks into another's LM head; when no measured shape has the query's class,
// the shapes of the nearest class (least summed class difference) are blended. An exact shape is returned
// as measured.
#include "models/transformer.hpp"

#include <string>
#include <vector>

namespace gsim {

struct GemmPoint {
  GemmShape shape;
  double efficiency = 0; // achieved / datasheet peak on the measuring GPU
  std::string source;    // "file: benchmark name"
};

/** How many nearest measured shapes are blended. */
inline constexpr int kGemmNeighbours = 4;

/** Summed difference of the alignment classes (3: multiple of 64, 2: of 8, 1: even, 0: odd) of m, n and k. */
int alignment_distance(const GemmShape& a, const GemmShape& b);

/** Efficiency of `shape`, blended from `points` (an exact match returns that point's efficiency). */
double interpolate_gemm_efficiency(const std::vector<GemmPoint>& points, const GemmShape& shape);

} // namespace gsim
