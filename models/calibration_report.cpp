#include "models/calibration_report.hpp"

#include "models/alpha_beta_fit.hpp"
#include "models/config_error.hpp"
#include "models/network_published.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>

namespace gsim {

namespace {

std::string num(const char* format, double v)
{
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "512 KiB", "1 GiB": sizes are powers of two in the benchmarks, so binary units read exactly.
std::string bytes_text(double b)
{
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u               = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    u++;
  }
  return num(b == double(long(b)) ? "%.0f " : "%.3g ", b) + units[u];
}

std::string base(const std::string& file)
{
  return std::filesystem::path(file).filename().string();
}

// A table printed either as GitHub markdown or as aligned text columns.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render(bool markdown) const
  {
    std::vector<size_t> width(rows_[0].size(), 0);
    for (const auto& r : rows_)
      for (size_t i = 0; i < r.size() && i < width.size(); i++)
        width[i] = std::max(width[i], r[i].size());
    std::string out;
    for (size_t n = 0; n < rows_.size(); n++) {
      const auto& r = rows_[n];
      for (size_t i = 0; i < width.size(); i++) {
        const std::string cell = i < r.size() ? r[i] : "";
        if (markdown)
          out += "| " + cell + " ";
        else
          out += cell + (i + 1 < width.size() ? std::string(width[i] - cell.size() + 2, ' ') : "");
      }
      out += markdown ? "|\n" : "\n";
      if (markdown && n == 0) {
        for (size_t i = 0; i < width.size(); i++)
          out += "|---";
        out += "|\n";
      }
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

// The cell text of a cost, or that it is unavailable (the provenance lines say why).
std::string guarded(const std::function<std::string()>& f)
{
  try {
    return f();
  } catch (const ConfigError&) {
    return "unavailable";
  }
}

// A shape's label lists every model GEMM it stands for ("gpt2-100b/qkv_fwd,bert-100b/qkv_fwd,..."):
// the first and how many more.
std::string short_label(const std::string& label)
{
  const auto n = std::count(label.begin(), label.end(), ',');
  return n == 0 ? label : label.substr(0, label.find(',')) + " (+" + std::to_string(n) + ")";
}

// A segment as "alpha, beta". Where the bandwidth term stays under 1 % of alpha even at the segment's largest
// size, the time is flat in size and the fitted beta is noise, not a bandwidth (a 1-rank all-reduce moves
// nothing: its fit gave 3.65e10 GB/s): it is said so instead of printed.
std::string segment_text(const AlphaBetaSegment& g)
{
  const std::string alpha = num("%.2f us, ", g.alpha_s * 1e6);
  if (not(g.beta_Bps > 0) || g.max_bytes / g.beta_Bps < 0.01 * g.alpha_s)
    return alpha + "flat in size (no bandwidth term)";
  return alpha + num("%.1f GB/s", g.beta_Bps / 1e9);
}

} // namespace

std::string fit_table(const Calibration& cal, bool markdown)
{
  Table t({"series", "file", "points (>= 1 MiB)", "segments: size range, alpha, beta", "max rel. error >= 1 MiB",
           "within 5 %"});
  for (const auto& s : cal.series()) {
    if (is_gemm_family(s.family))
      continue;
    const auto big = std::count_if(s.sizes.begin(), s.sizes.end(), [](double x) { return x >= kFitCheckedFromBytes; });
    std::string segs;
    for (const auto& g : s.fit.segments)
      segs +=
          (segs.empty() ? "" : "; ") + bytes_text(g.min_bytes) + "-" + bytes_text(g.max_bytes) + ": " + segment_text(g);
    const bool ok = s.fit.max_rel_error_above_1MiB <= kFitTolerance;
    if (s.fit.segments.empty()) {
      segs          = "not an alpha-beta series (no bytes counter)";
      const auto& c = s.counters.front();
      if (c.count("slowdown_comm") && c.count("slowdown_other"))
        segs = num("slowdown: comm x%.3f, ", c.at("slowdown_comm")) + num("other x%.3f", c.at("slowdown_other"));
    }
    t.add({s.key(), base(s.file), std::to_string(s.sizes.size()) + " (" + std::to_string(big) + ")", segs,
           big ? num("%.2f %%", s.fit.max_rel_error_above_1MiB * 100) : "-",
           s.fit.segments.empty() ? "-" : (big == 0 ? "no points >= 1 MiB" : (ok ? "yes" : "NO"))});
  }
  return t.render(markdown);
}

std::string gemm_table(const Calibration& cal, bool markdown)
{
  Table t({"series", "shape (label)", "m", "n", "k", "batch", "median time", "TFLOP/s", "efficiency"});
  const ClusterSpec& meas = cal.measured_on();
  for (const auto& s : cal.series()) {
    if (not is_gemm_family(s.family))
      continue;
    const Dtype d = s.labels.count("dtype") && s.labels.at("dtype") == "bf16"
                        ? Dtype::bf16
                        : (s.labels.count("dtype") && s.labels.at("dtype") == "fp32" ? Dtype::fp32 : Dtype::fp16);
    for (size_t i = 0; i < s.sizes.size(); i++) {
      const auto& c     = s.counters[i];
      const double rate = s.sizes[i] / s.median_s[i];
      auto dim          = [&](const char* k) { return c.count(k) ? num("%.0f", c.at(k)) : std::string("-"); };
      t.add({s.key(), short_label(s.point_labels[i].empty() ? s.names[i] : s.point_labels[i]), dim("m"), dim("n"),
             dim("k"), dim("batch"), num("%.4g ms", s.median_s[i] * 1e3), num("%.1f", rate / 1e12),
             meas.gpu.peak_flops(d) > 0 ? num("%.3f", rate / meas.gpu.peak_flops(d)) : "-"});
    }
  }
  return t.render(markdown);
}

std::string transfer_table(const CostModel& model, const std::vector<GemmShape>& shapes, Dtype dtype,
                           double probe_bytes, bool markdown)
{
  const ClusterSpec& tgt = model.target();
  std::string out;

  Table g(
      {"GEMM (" + to_string(dtype) + ")", "m", "n", "k", "batch", "efficiency", "TFLOP/s on " + tgt.gpu.name, "time"});
  for (const auto& s : shapes) {
    const std::string eff  = guarded([&] { return num("%.3f", model.gemm_efficiency(s, dtype)); });
    const std::string rate = guarded([&] { return num("%.1f", s.flops() / model.gemm_time_s(s, dtype) / 1e12); });
    const std::string time = guarded([&] { return num("%.4g ms", model.gemm_time_s(s, dtype) * 1e3); });
    g.add({s.label, num("%.0f", s.m), num("%.0f", s.n), num("%.0f", s.k), num("%.0f", s.batch), eff, rate, time});
  }
  out += g.render(markdown) + "\n";

  const std::string at = bytes_text(probe_bytes);
  Table l({"cost", "efficiency at " + at, "datasheet on " + tgt.name, "achieved at " + at, "latency"});
  auto gbps = [](double Bps) { return num("%.1f GB/s", Bps / 1e9); };
  l.add({"HBM (memory_time_s)",
         guarded([&] { return num("%.3f", probe_bytes / model.memory_time_s(probe_bytes) / tgt.gpu.hbm_Bps); }),
         gbps(tgt.gpu.hbm_Bps), guarded([&] { return gbps(probe_bytes / model.memory_time_s(probe_bytes)); }), "-"});
  for (CopyDir dir : {CopyDir::d2h, CopyDir::h2d})
    for (bool pinned : {true, false}) {
      auto time = [&] { return model.copy_time_s(probe_bytes, dir, pinned); };
      l.add({std::string("copy ") + (dir == CopyDir::d2h ? "d2h" : "h2d") + (pinned ? " pinned" : " pageable"),
             guarded([&] { return num("%.3f", probe_bytes / time() / tgt.pcie_Bps); }), gbps(tgt.pcie_Bps),
             guarded([&] { return gbps(probe_bytes / time()); }),
             pinned && dir == CopyDir::d2h
                 ? guarded([&] { return num("%.2f us", model.link_latency_s(Fabric::pcie) * 1e6); })
                 : "-"});
    }
  const int n = tgt.gpus_per_instance;
  for (CollOp op : {CollOp::all_gather, CollOp::reduce_scatter, CollOp::all_reduce, CollOp::send_recv}) {
    const int r = op == CollOp::send_recv ? 2 : n;
    auto busbw  = [&] {
      return probe_bytes * bus_factor(op, r) / model.collective_time_s(op, probe_bytes, r, Fabric::nvlink);
    };
    auto latency = [&] {
      const double t0 = model.collective_time_s(op, 1, r, Fabric::nvlink);
      return num("%.2f us per step", t0 / ring_steps(op, r) * 1e6);
    };
    l.add({"NVLink " + to_string(op) + " busbw, " + std::to_string(r) + " GPUs",
           guarded([&] { return num("%.3f", busbw() / tgt.intra_Bps); }), gbps(tgt.intra_Bps),
           guarded([&] { return gbps(busbw()); }), guarded(latency)});
  }
  l.add({"network (EFA), per instance",
         guarded([&] { return num("%.3f", model.link_efficiency(Fabric::network, probe_bytes)); }),
         guarded([&] { return gbps(model.link_bandwidth_Bps(Fabric::network)); }), guarded([&] {
           return gbps(model.link_bandwidth_Bps(Fabric::network) * model.link_efficiency(Fabric::network, probe_bytes));
         }),
         guarded([&] { return num("%.2f us", model.link_latency_s(Fabric::network) * 1e6); })});
  out += l.render(markdown);
  return out;
}

} // namespace gsim
