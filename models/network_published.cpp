#include "models/network_published.hpp"

#include "models/calibration.hpp"
#include "models/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

namespace gsim {

namespace {

namespace fs = std::filesystem;

// Latency points must be small enough that their bandwidth term is negligible: the alpha fit ignores it
// (at 32 KiB over p3dn's 12.5 GB/s it is under 2 % of the measured time).
constexpr double kLatencyPointMaxBytes = 64 * 1024;

std::string pct(double v)
{
  std::ostringstream s;
  s.precision(3);
  s << v * 100 << " %";
  return s.str();
}

CollOp ring_op(const std::string& op)
{
  return op == "all_reduce" ? CollOp::all_reduce : op == "all_gather" ? CollOp::all_gather : CollOp::reduce_scatter;
}

// One file's measured instance and its points (a transfer file contributes these, never its own transfers).
struct RingData {
  double line_rate_Bps  = 0;
  int gpus_per_instance = 0;
  std::vector<RingPoint> points;
  std::vector<double> line_rate; // per point: its instance's line rate (points of two files can meet)
};

RingPoint read_point(const nlohmann::json& j, const std::string& file, const std::string& path, const RingData& d)
{
  JsonReader r(j, file, path);
  RingPoint p;
  p.file       = file;
  p.source     = r.string("source");
  p.op         = r.choice("op", {"all_reduce", "all_gather", "reduce_scatter"});
  p.nodes      = int(r.integer("nodes", 2, 100000));
  p.ranks      = p.nodes * d.gpus_per_instance;
  p.size_bytes = r.number("size_bytes", 1, 1e15);
  p.time_s     = r.number("time_us", 1e-3, 1e9) * 1e-6;
  p.fit        = r.choice("fit", {"latency", "bandwidth", "none"});
  if (p.fit == "none")
    r.string("why"); // an unfitted point says why it is kept out
  if (p.fit == "latency" && p.size_bytes > kLatencyPointMaxBytes)
    r.fail("size_bytes", "a latency point must be at most 64 KiB (its bandwidth term is neglected in the alpha fit)");
  if (r.has("busbw_GBps")) {
    // A typo check on the transcription: nccl-tests prints busbw = size / time x bus_factor (2 decimals).
    const double shown_bw = r.number("busbw_GBps", 0, 1e6);
    const double bw       = p.size_bytes / p.time_s * bus_factor(ring_op(p.op), p.ranks) / 1e9;
    if (std::abs(shown_bw - bw) > std::max(0.02 * bw, 0.006))
      r.fail("busbw_GBps", std::to_string(shown_bw) + " disagrees with size_bytes / time_us x bus factor = " +
                               std::to_string(bw) + " GB/s: a transcription error");
  }
  r.finish();
  return p;
}

RingData read_ring_data(const nlohmann::json& ring, const std::string& file)
{
  if (not ring.contains("points") || not ring.at("points").is_array() || ring.at("points").empty())
    throw ConfigError(file, "ring.points", "must be a non-empty list of nccl-tests points");
  nlohmann::json rest = ring; // every key but the list, read strictly by the caller
  rest.erase("points");
  JsonReader r(rest, file, "ring");
  JsonReader inst = r.object("instance");
  RingData d;
  inst.string("name");
  d.line_rate_Bps     = inst.number("line_rate_Gbps", 1e-3, 1e6) * 1e9 / 8;
  d.gpus_per_instance = int(inst.integer("gpus_per_instance", 1, 1024));
  inst.finish();
  const auto& list = ring.at("points");
  for (size_t i = 0; i < list.size(); i++) {
    d.points.push_back(read_point(list[i], file, "ring.points[" + std::to_string(i) + "]", d));
    d.line_rate.push_back(d.line_rate_Bps);
  }
  return d;
}

// A transfer file named by `key` of `r` (relative to `file`'s directory): its points only.
RingData read_transfer(JsonReader& r, const std::string& key, const std::string& file, std::string& named)
{
  named              = r.string(key);
  const fs::path f   = (fs::path(file).parent_path() / named).lexically_normal();
  const auto problem = file_problem(f.string());
  if (not problem.empty())
    r.fail(key, "\"" + named + "\" (relative to " + fs::path(file).parent_path().string() + "): " + problem);
  const auto j = read_json_file(f.string());
  if (not j.is_object() || not j.contains("ring"))
    r.fail(key, "\"" + named + "\" holds no \"ring\" points to transfer");
  named = f.string();
  return read_ring_data(j.at("ring"), f.string());
}

// x = the bandwidth term at full line rate, s = the ring's steps: t = s alpha + x / efficiency.
double line_term_s(const RingPoint& p, double line_rate_Bps)
{
  return p.size_bytes * bus_factor(ring_op(p.op), p.ranks) / line_rate_Bps;
}

// Least squares in relative error (each residual over its measured time), closed form for one parameter.
void fit(RingFit& f, const RingData& lat, const RingData& bw, const std::string& file)
{
  double num = 0, den = 0;
  for (const auto& p : lat.points)
    if (p.fit == "latency") {
      const double s = ring_steps(ring_op(p.op), p.ranks) / p.time_s;
      num += s;
      den += s * s;
    }
  if (den == 0)
    throw ConfigError(file, "ring.points",
                      "no \"latency\" point to fit the ring step's alpha (or name alpha_transfer_file)");
  f.alpha_s = num / den;
  std::map<int, std::pair<double, double>> by_nodes; // nodes -> (sum x y / t^2, sum x^2 / t^2), g = 1 / efficiency
  for (size_t i = 0; i < bw.points.size(); i++) {
    const auto& p = bw.points[i];
    if (p.fit != "bandwidth")
      continue;
    const double x = line_term_s(p, bw.line_rate[i]);
    const double y = p.time_s - ring_steps(ring_op(p.op), p.ranks) * f.alpha_s;
    if (not(y > 0))
      throw ConfigError(p.file, "ring.points",
                        "a bandwidth point of " + std::to_string(p.nodes) +
                            " nodes is shorter than the ring's fitted latency alone");
    by_nodes[p.nodes].first += x * y / (p.time_s * p.time_s);
    by_nodes[p.nodes].second += x * x / (p.time_s * p.time_s);
  }
  if (by_nodes.empty())
    throw ConfigError(file, "ring.points",
                      "no \"bandwidth\" point to fit the efficiency (or name efficiency_transfer_file)");
  for (const auto& [nodes, sums] : by_nodes) {
    const double efficiency = sums.second / sums.first;
    if (efficiency > 1)
      throw ConfigError(file, "ring.points",
                        "the " + std::to_string(nodes) +
                            "-node points exceed the line rate (a tree all-reduce, not a ring)");
    f.efficiencies.push_back({nodes, efficiency});
  }
  f.fitted = true;
}

void residuals(RingFit& f, const std::vector<const RingData*>& sets, const std::string& file)
{
  for (const RingData* d : sets)
    for (size_t i = 0; i < d->points.size(); i++) {
      RingPoint p = d->points[i];
      p.predicted_s =
          ring_steps(ring_op(p.op), p.ranks) * f.alpha_s + line_term_s(p, d->line_rate[i]) / f.efficiency(p.nodes);
      p.residual = (p.predicted_s - p.time_s) / p.time_s;
      if (p.fit != "none" && std::abs(p.residual) > f.worst_residual)
        f.worst_residual = std::abs(p.residual);
      f.points.push_back(p);
    }
  if (f.worst_residual > f.max_rel_residual)
    throw ConfigError(file, "ring.max_rel_residual",
                      "the ring fit misses a fitted point by " + pct(f.worst_residual) + ", more than the stated " +
                          pct(f.max_rel_residual));
}

RingFit read_ring(const nlohmann::json& ring, const std::string& file)
{
  const RingData own  = read_ring_data(ring, file);
  nlohmann::json rest = ring;
  rest.erase("points");
  JsonReader r(rest, file, "ring");
  r.object("instance"); // read by read_ring_data
  RingFit f;
  f.max_rel_residual = r.number("max_rel_residual", 1e-6, 1);
  RingData alpha_data, eff_data;
  f.alpha_file = f.efficiency_file = file;
  const bool alpha_moved           = r.has("alpha_transfer_file");
  const bool eff_moved             = r.has("efficiency_transfer_file");
  if (alpha_moved)
    alpha_data = read_transfer(r, "alpha_transfer_file", file, f.alpha_file);
  if (eff_moved)
    eff_data = read_transfer(r, "efficiency_transfer_file", file, f.efficiency_file);
  f.alpha_source      = alpha_moved ? r.string("alpha_source") : "fitted on this file's latency points";
  f.efficiency_source = eff_moved ? r.string("efficiency_source") : "fitted on this file's bandwidth points";
  r.finish();
  for (const auto& p : own.points)
    if ((alpha_moved && p.fit == "latency") || (eff_moved && p.fit == "bandwidth"))
      throw ConfigError(file, "ring.points", "holds " + p.fit + " points and transfers them from another file");
  fit(f, alpha_moved ? alpha_data : own, eff_moved ? eff_data : own, file);
  std::vector<const RingData*> sets{&own};
  if (alpha_moved)
    sets.push_back(&alpha_data);
  if (eff_moved)
    sets.push_back(&eff_data);
  residuals(f, sets, file);
  return f;
}

} // namespace

double RingFit::efficiency(int nodes) const
{
  if (efficiencies.empty())
    return 0;
  if (nodes <= efficiencies.front().first)
    return efficiencies.front().second;
  for (size_t i = 1; i < efficiencies.size(); i++)
    if (nodes <= efficiencies[i].first) {
      const auto& [n0, e0] = efficiencies[i - 1];
      const auto& [n1, e1] = efficiencies[i];
      return e0 + (e1 - e0) * double(nodes - n0) / double(n1 - n0);
    }
  return efficiencies.back().second;
}

PublishedNetwork load_published_network(const std::string& file)
{
  const auto j        = read_json_file(file);
  nlohmann::json rest = j;
  if (rest.is_object())
    rest.erase("ring");
  JsonReader r(rest, file);
  PublishedNetwork n;
  n.file              = file;
  n.efficiency        = r.number("efficiency", 1e-3, 1);
  n.efficiency_source = r.string("efficiency_source");
  n.latency_s         = r.number("latency_us", 0, 1e6) * 1e-6;
  n.latency_source    = r.string("latency_source");
  r.finish();
  if (j.contains("ring")) {
    if (not j.at("ring").is_object())
      throw ConfigError(file, "ring", "must be an object");
    n.ring = read_ring(j.at("ring"), file);
  }
  return n;
}

} // namespace gsim
