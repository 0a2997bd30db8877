#pragma once
// Least-squares alpha-beta fits, t(bytes) = alpha + bytes / beta, piecewise over contiguous size ranges.
// Used by the calibration to turn measured (size, time) series into cost curves. Pure math: no I/O.
#include "models/calibration.hpp"

#include <vector>

namespace gsim {

/** Sizes from which a fit must hold its tolerance: smaller messages are latency-bound and noisy. */
inline constexpr double kFitCheckedFromBytes = 1024.0 * 1024.0;
/** Worst relative error a fit may leave on a point of at least kFitCheckedFromBytes. */
inline constexpr double kFitTolerance = 0.05;

/** One alpha-beta line over points [first, last] of sorted `sizes`, minimising the relative error
 *  (each residual divided by its measured time). alpha is clamped at 0 and beta kept positive. */
AlphaBetaSegment fit_segment(const std::vector<double>& sizes, const std::vector<double>& times, size_t first,
                             size_t last);

/** Worst |fit - t| / t over the points of [first, last] whose size is at least `from_bytes`; 0 if none. */
double max_rel_error(const AlphaBetaSegment& s, const std::vector<double>& sizes, const std::vector<double>& times,
                     size_t first, size_t last, double from_bytes);

/** The piecewise fit with the fewest contiguous segments that keeps every point >= kFitCheckedFromBytes
 *  within kFitTolerance; ties go to the smaller worst error. Exact dynamic programming over split points.
 *  A segment may hold a single point (then alpha = 0 and it is exact), so the bar can always be held;
 *  max_rel_error_above_1MiB reports the worst error left. `sizes` must be sorted ascending, times > 0. */
AlphaBetaFit fit_piecewise(const std::vector<double>& sizes, const std::vector<double>& times);

} // namespace gsim
