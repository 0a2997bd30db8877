#include "models/gemm_efficiency.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gsim {

namespace {
double log_distance2(const GemmShape& a, const GemmShape& b)
{
  auto d          = [](double x, double y) { return std::log2(std::max(x, 1.0)) - std::log2(std::max(y, 1.0)); };
  const double dm = d(a.m, b.m), dn = d(a.n, b.n), dk = d(a.k, b.k), db = d(a.batch, b.batch);
  return dm * dm + dn * dn + dk * dk + db * db;
}
} // namespace

double interpolate_gemm_efficiency(const std::vector<GemmPoint>& points, const GemmShape& shape)
{
  if (points.empty())
    throw std::invalid_argument("interpolate_gemm_efficiency: no measured shapes");
  std::vector<std::pair<double, size_t>> by_distance;
  for (size_t i = 0; i < points.size(); i++)
    by_distance.emplace_back(log_distance2(points[i].shape, shape), i);
  std::sort(by_distance.begin(), by_distance.end()); // ties broken by index: deterministic
  if (by_distance.front().first < 1e-12)
    return points[by_distance.front().second].efficiency;
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
