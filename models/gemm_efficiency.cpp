#include "models/gemm_efficiency.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace gsim {

namespace {
double log_distance2(const GemmShape& a, const GemmShape& b)
{
  auto d          = [](double x, double y) { return std::log2(std::max(x, 1.0)) - std::log2(std::max(y, 1.0)); };
  const double dm = d(a.m, b.m), dn = d(a.n, b.n), dk = d(a.k, b.k), db = d(a.batch, b.batch);
  return dm * dm + dn * dn + dk * dk + db * db;
}

// 3: a multiple of 64, 2: of 8, 1: even, 0: odd.
int alignment_class(double x)
{
  const auto v = static_cast<long long>(std::llround(x));
  return v % 64 == 0 ? 3 : v % 8 == 0 ? 2 : v % 2 == 0 ? 1 : 0;
}
} // namespace

int alignment_distance(const GemmShape& a, const GemmShape& b)
{
  return std::abs(alignment_class(a.m) - alignment_class(b.m)) + std::abs(alignment_class(a.n) - alignment_class(b.n)) +
         std::abs(alignment_class(a.k) - alignment_class(b.k));
}

double interpolate_gemm_efficiency(const std::vector<GemmPoint>& points, const GemmShape& shape)
{
  if (points.empty())
    throw std::invalid_argument("interpolate_gemm_efficiency: no measured shapes");
  for (const auto& p : points)
    if (log_distance2(p.shape, shape) < 1e-12)
      return p.efficiency;
  // Only shapes of the query's alignment class (or, when none is measured, of the nearest class) are blended.
  int best_class = std::numeric_limits<int>::max();
  for (const auto& p : points)
    best_class = std::min(best_class, alignment_distance(p.shape, shape));
  std::vector<std::pair<double, size_t>> by_distance;
  for (size_t i = 0; i < points.size(); i++)
    if (alignment_distance(points[i].shape, shape) == best_class)
      by_distance.emplace_back(log_distance2(points[i].shape, shape), i);
  std::sort(by_distance.begin(), by_distance.end()); // ties broken by index: deterministic
  const size_t k = std::min<size_t>(kGemmNeighbours, by_distance.size());
  double sum_w = 0, sum = 0;
  for (size_t i = 0; i < k; i++) {
    const double w = 1 / by_distance[i].first; // 1 / distance^2
    sum_w += w;
    sum += w * points[by_distance[i].second].efficiency;
  }
  return sum / sum_w;
}

} // namespace gsim
