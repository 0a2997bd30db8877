#include "models/alpha_beta_fit.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>

namespace gsim {

double AlphaBetaFit::time_s(double bytes) const
{
  if (segments.empty())
    throw std::logic_error("AlphaBetaFit::time_s on an empty fit");
  return segment_for(bytes).alpha_s + bytes / segment_for(bytes).beta_Bps;
}

const AlphaBetaSegment& AlphaBetaFit::segment_for(double bytes) const
{
  // Segments are contiguous and sorted; between two segments' measured ranges the lower one
  // applies up to the geometric middle of the gap, then the upper one.
  for (size_t i = 0; i + 1 < segments.size(); i++)
    if (bytes < std::sqrt(segments[i].max_bytes * segments[i + 1].min_bytes))
      return segments[i];
  return segments.back();
}

AlphaBetaSegment fit_segment(const std::vector<double>& sizes, const std::vector<double>& times, size_t first,
                             size_t last)
{
  AlphaBetaSegment s;
  s.min_bytes    = sizes[first];
  s.max_bytes    = sizes[last];
  const size_t n = last - first + 1;
  // Minimise sum ((alpha + x g - t) / t)^2 with g = 1 / beta: linear least squares in (alpha, g).
  Eigen::MatrixXd a(n, 2);
  Eigen::VectorXd b = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(n));
  for (size_t i = 0; i < n; i++) {
    const auto r = static_cast<Eigen::Index>(i);
    a(r, 0)      = 1 / times[first + i];
    a(r, 1)      = sizes[first + i] / times[first + i];
  }
  double alpha = 0, g = 0;
  if (n >= 2 && sizes[last] > sizes[first]) {
    Eigen::Vector2d x = a.colPivHouseholderQr().solve(b);
    alpha             = x(0);
    g                 = x(1);
  }
  // A negative latency or a non-positive inverse bandwidth is not a physical link: refit the one
  // free parameter that stays meaningful (bandwidth through the origin, or a pure latency).
  if (not(alpha >= 0 && g > 0)) {
    const Eigen::VectorXd col = a.col(1);
    const double g0           = col.dot(b) / col.squaredNorm(); // t = x g
    if (g0 > 0 && (n == 1 || alpha < 0)) {
      alpha = 0;
      g     = g0;
    } else {
      // Time does not grow with size over this range: a pure latency, with a bandwidth so large
      // that it adds < 1e-9 of the time at the top of the range.
      const Eigen::VectorXd col0 = a.col(0);
      alpha                      = col0.dot(b) / col0.squaredNorm();
      g                          = alpha * 1e-9 / std::max(sizes[last], 1.0);
    }
  }
  s.alpha_s  = alpha;
  s.beta_Bps = 1 / g;
  return s;
}

double max_rel_error(const AlphaBetaSegment& s, const std::vector<double>& sizes, const std::vector<double>& times,
                     size_t first, size_t last, double from_bytes)
{
  double worst = 0;
  for (size_t i = first; i <= last; i++)
    if (sizes[i] >= from_bytes)
      worst = std::max(worst, std::abs(s.alpha_s + sizes[i] / s.beta_Bps - times[i]) / times[i]);
  return worst;
}

AlphaBetaFit fit_piecewise(const std::vector<double>& sizes, const std::vector<double>& times)
{
  const size_t n = sizes.size();
  if (n == 0 || times.size() != n)
    throw std::invalid_argument("fit_piecewise: need as many times as sizes, and at least one");
  for (size_t i = 0; i < n; i++)
    if (not(times[i] > 0) || (i > 0 && sizes[i] < sizes[i - 1]))
      throw std::invalid_argument("fit_piecewise: sizes must be ascending and times positive");

  // A segment may be a single point (alpha 0, the line through the origin and it): a size where the
  // transport changes regime can sit between two lines that neither reaches with alpha >= 0. Fewest
  // segments first keeps such segments to where they are needed.
  const size_t min_points = 1;
  // Cost of a split, compared lexicographically: (segments over the bar, segments, worst error).
  using Cost       = std::tuple<int, int, double>;
  const Cost worst = {std::numeric_limits<int>::max(), 0, 0};
  std::vector<Cost> best(n + 1, worst);
  std::vector<size_t> prev(n + 1, 0);
  std::vector<AlphaBetaSegment> seg_of(n + 1);
  best[0] = {0, 0, 0.0};
  // best[j]: the best split of points [0, j); a last segment [i, j - 1] extends best[i].
  for (size_t j = min_points; j <= n; j++)
    for (size_t i = 0; i + min_points <= j; i++) {
      if (std::get<0>(best[i]) == std::numeric_limits<int>::max())
        continue;
      const auto s     = fit_segment(sizes, times, i, j - 1);
      const double err = max_rel_error(s, sizes, times, i, j - 1, kFitCheckedFromBytes);
      Cost c           = {std::get<0>(best[i]) + (err > kFitTolerance ? 1 : 0), std::get<1>(best[i]) + 1,
                          std::max(std::get<2>(best[i]), err)};
      if (c < best[j]) {
        best[j]   = c;
        prev[j]   = i;
        seg_of[j] = s;
      }
    }

  AlphaBetaFit fit;
  for (size_t j = n; j > 0; j = prev[j])
    fit.segments.push_back(seg_of[j]);
  std::reverse(fit.segments.begin(), fit.segments.end());
  fit.max_rel_error_above_1MiB = std::get<2>(best[n]);
  return fit;
}

} // namespace gsim
