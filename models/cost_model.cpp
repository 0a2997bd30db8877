// Costs on a target cluster from a calibration measured on another GPU.
//
// Transfer rule: a measured curve keeps its shape (achieved bandwidth or FLOP/s as a fraction of the
// measuring GPU's datasheet peak, per size) and is rescaled to the target's datasheet peak. For the
// alpha-beta curves this means each fitted segment's bandwidth term is multiplied by
// target_peak / measured_peak while its start-up latency alpha is kept as measured: alpha is launch and
// protocol overhead, about which a datasheet bandwidth says nothing.
//
// GEMMs: efficiency is a fraction of peak, so the datasheet rule carries it unchanged; where a maximum
// achievable matmul ceiling is published for both GPUs (gpu.matmul_ceiling), the curve is multiplied by the
// ratio of the ceilings, because GPUs reach different fractions of their peaks (A100 a higher one than Hopper).
#include "models/alpha_beta_fit.hpp"
#include "models/calibration.hpp"
#include "models/config_error.hpp"
#include "models/gemm_efficiency.hpp"
#include "models/network_published.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace gsim {

namespace {

std::string fmt(double v, int precision = 4)
{
  std::ostringstream s;
  s.precision(precision);
  s << v;
  return s.str();
}

// The cluster's inter-instance network efficiency (nic.efficiency_file); a cluster without NICs has none.
const PublishedNetwork& network(const ClusterSpec& c)
{
  if (c.network.file.empty())
    throw ConfigError(c.file, "nic.efficiency_file", "missing: " + c.name + " has no inter-instance network to price");
  return c.network;
}

int series_ranks(const Series& s)
{
  return s.labels.count("ranks") ? std::atoi(s.labels.at("ranks").c_str()) : 1;
}

/** The series of `family` measured on two or more GPUs (NVLink data), or nullptr when only 1-GPU runs exist. */
const Series* multi_gpu_series(const Calibration& cal, const std::string& family)
{
  const Series* s = cal.find(family);
  return s != nullptr && series_ranks(*s) >= 2 ? s : nullptr;
}

const Series& need(const Calibration& cal, const std::string& family, int min_ranks, const std::string& why)
{
  const Series* s = cal.find(family);
  if (s == nullptr)
    throw ConfigError(cal.dir(), family, "no such series in the calibration, needed for " + why);
  if (series_ranks(*s) < min_ranks)
    throw ConfigError(cal.dir(), family,
                      "measured on " + std::to_string(series_ranks(*s)) + " GPU(s) only; " + why +
                          " needs a measurement on at least " + std::to_string(min_ranks) +
                          " GPUs (the 2-GPU benchmark run has not been committed)");
  if (s->fit.segments.empty())
    throw ConfigError(s->file, family, "its benchmarks report no bytes counter, so no curve was fitted");
  return *s;
}

// Seconds for `bytes` on a fitted curve whose bandwidth term is scaled by `ratio` (target / measured peak).
double transferred_time(const AlphaBetaFit& fit, double bytes, double ratio)
{
  const auto& seg = fit.segment_for(bytes);
  return seg.alpha_s + bytes / (seg.beta_Bps * ratio);
}

std::string copy_family(CopyDir dir, bool pinned)
{
  return std::string("copy_") + (dir == CopyDir::d2h ? "d2h" : "h2d") + (pinned ? "_pinned" : "_pageable");
}

std::vector<std::string> gemm_families(Dtype d)
{
  if (d == Dtype::fp32)
    return {"gemm_fp32", "gemm_batched_fp32"};
  return {"gemm_" + to_string(d), "gemm_batched_" + to_string(d)};
}

std::string peak_key(Dtype d)
{
  return "gpu.peak_tflops_" + to_string(d);
}

// provenance(): where the GEMM efficiency of `d` comes from and how it reaches the target GPU.
// target / measuring GPU published matmul ceiling (GpuSpec::matmul_ceiling); 1 unless both are published.
double ceiling_ratio(const GpuSpec& target, const GpuSpec& measured)
{
  return target.matmul_ceiling > 0 && measured.matmul_ceiling > 0 ? target.matmul_ceiling / measured.matmul_ceiling
                                                                  : 1.0;
}

std::string gemm_provenance(const Calibration& cal, const ClusterSpec& target, Dtype d, const std::string& src,
                            const std::string& tgt)
{
  const ClusterSpec& meas = cal.measured_on();
  std::string files;
  size_t shapes = 0;
  for (const auto& family : gemm_families(d))
    if (const Series* s = cal.find(family)) {
      files += (files.empty() ? "" : " + ") + s->file + " " + family + " (" + std::to_string(s->sizes.size()) + ")";
      shapes += s->sizes.size();
    }
  std::string line = "gemm " + to_string(d) + ": ";
  if (shapes == 0)
    line += "no measurement in " + source_relative(cal.dir());
  else
    line += files + ": " + std::to_string(shapes) + " shapes, efficiency vs " + src + " " + to_string(d) + " " +
            fmt(meas.gpu.peak_flops(d) / 1e12) + " TFLOPS";
  line += target.gpu.peak_flops(d) > 0
              ? ", scaled by " + tgt + " " + to_string(d) + " " + fmt(target.gpu.peak_flops(d) / 1e12) + " TFLOPS"
              : "; " + target.gpu.name + " has no " + to_string(d) + " (peak 0): gemm_time_s throws";
  const double ratio = ceiling_ratio(target.gpu, meas.gpu);
  line += target.gpu.matmul_ceiling > 0 && meas.gpu.matmul_ceiling > 0
              ? ", x " + fmt(ratio) + " (published matmul ceilings " + tgt + " " + fmt(target.gpu.matmul_ceiling) +
                    " / " + src + " " + fmt(meas.gpu.matmul_ceiling) + ")"
              : ", no published matmul ceiling for both GPUs (efficiency carried unchanged)";
  return line;
}

// provenance(): the kernel variants (kernels.json, models/kernel_cost.cpp) and how they are scaled.
std::string kernel_provenance(const Calibration& cal, const ClusterSpec& target)
{
  const ClusterSpec& meas = cal.measured_on();
  std::string kernel_files;
  size_t kernel_families = 0, kernel_entries = 0;
  for (const auto& s : cal.series())
    for (const char* prefix : {"attn_", "act_", "norm_", "rope_"})
      if (s.family.rfind(prefix, 0) == 0) {
        if (kernel_files.find(s.file) == std::string::npos)
          kernel_files += (kernel_files.empty() ? "" : ", ") + s.file;
        kernel_families++;
        kernel_entries += s.names.size();
      }
  if (kernel_families == 0)
    return "kernel variants: none in " + source_relative(cal.dir()) +
           ": eager attention, GELU and LayerNorm are priced from the HBM curve by their counted passes; "
           "flash attention, SwiGLU, RMSNorm, unfused LayerNorm and RoPE cannot be priced";
  return "kernel variants: " + kernel_files + " (" + std::to_string(kernel_families) + " families, " +
         std::to_string(kernel_entries) +
         " entries), one layer's kernel each at the model's shape, else the nearest entry of that kernel "
         "scaled by the work ratio (FLOPs for attention, bytes otherwise); flash attention scaled by the "
         "tensor-core peak as a GEMM, eager attention as its batched GEMMs by the GEMM rule plus the rest "
         "of its time, and act_, norm_, rope_ as memory-bound work by HBM " +
         fmt(meas.gpu.hbm_Bps / 1e9) + " -> " + fmt(target.gpu.hbm_Bps / 1e9) + " GB/s (alpha kept)";
}

// provenance(): the ring collectives' published fit (models/network_published.cpp) and its residuals.
std::string ring_provenance(const PublishedNetwork& net, const ClusterSpec& target)
{
  const auto& r    = net.ring;
  std::string line = "network ring collectives: alpha " + fmt(r.alpha_s * 1e6) + " us per ring step (" +
                     source_relative(r.alpha_file) + ": " + r.alpha_source + "), efficiency of " +
                     fmt(target.instance_Bps() * 8 / 1e9) + " Gbps per node count";
  for (const auto& [nodes, eff] : r.efficiencies) { // appended piecewise: GCC 12 warns falsely (-Wrestrict) on " " + s
    line += ' ';
    line += std::to_string(nodes);
    line += ':';
    line += fmt(eff, 3);
  }
  line += " (linear between, held beyond; " + source_relative(r.efficiency_file) + ": " + r.efficiency_source +
          "); worst residual on the fitted points " + fmt(r.worst_residual * 100, 3) + " % (bar " +
          fmt(r.max_rel_residual * 100, 3) + " %)";
  return line;
}

} // namespace

CostModel::CostModel(const Calibration& calibration, const ClusterSpec& target) : cal_(&calibration), target_(target) {}

double CostModel::gemm_efficiency(const GemmShape& shape, Dtype dtype) const
{
  const ClusterSpec& meas = cal_->measured_on();
  const double peak       = meas.gpu.peak_flops(dtype);
  if (not(peak > 0))
    throw ConfigError(meas.file, peak_key(dtype), "is 0: the measuring GPU has no " + to_string(dtype) + " peak");
  std::vector<GemmPoint> points;
  for (const auto& family : gemm_families(dtype))
    for (const auto& s : cal_->series()) {
      if (s.family != family)
        continue;
      for (size_t i = 0; i < s.sizes.size(); i++) {
        const auto& c = s.counters[i];
        if (not(c.count("m") && c.count("n") && c.count("k")))
          throw ConfigError(s.file, s.names[i], "a GEMM benchmark needs the m, n and k counters");
        GemmShape g{s.point_labels[i], c.at("m"), c.at("n"), c.at("k"), c.count("batch") ? c.at("batch") : 1};
        points.push_back({g, g.flops() / s.median_s[i] / peak, s.file + ": " + s.names[i]});
      }
    }
  if (points.empty())
    throw ConfigError(cal_->dir(), gemm_families(dtype).front(),
                      "no " + to_string(dtype) + " GEMM measurement in the calibration");
  return interpolate_gemm_efficiency(points, shape) * gemm_ceiling_ratio();
}

double CostModel::gemm_ceiling_ratio() const
{
  return ceiling_ratio(target_.gpu, cal_->measured_on().gpu);
}

double CostModel::gemm_time_s(const GemmShape& shape, Dtype dtype) const
{
  const double peak = target_.gpu.peak_flops(dtype);
  if (not(peak > 0))
    throw ConfigError(target_.file, peak_key(dtype),
                      "is 0: " + target_.gpu.name + " has no " + to_string(dtype) + " tensor cores; use fp16");
  return shape.flops() / (peak * gemm_efficiency(shape, dtype));
}

double CostModel::memory_time_s(double bytes) const
{
  const Series& s    = need(*cal_, "d2d_copy", 1, "memory-bound kernel times (HBM efficiency)");
  const double ratio = target_.gpu.hbm_Bps / cal_->measured_on().gpu.hbm_Bps;
  // The memory benchmarks' bytes counter is the HBM traffic (bench/gpu/memory_bench.cu: a copy of s bytes
  // counts 2 s), the same quantity as `bytes` here.
  return transferred_time(s.fit, bytes, ratio);
}

double CostModel::copy_time_s(double bytes, CopyDir dir, bool pinned) const
{
  const Series& s    = need(*cal_, copy_family(dir, pinned), 1, "GPU<->CPU copy times");
  const double ratio = target_.pcie_Bps / cal_->measured_on().pcie_Bps;
  return transferred_time(s.fit, bytes, ratio);
}

double CostModel::link_bandwidth_Bps(Fabric fabric) const
{
  switch (fabric) {
  case Fabric::nvlink:
    return target_.intra_Bps;
  case Fabric::pcie:
    return target_.pcie_Bps;
  case Fabric::network:
    if (target_.nics == 0)
      throw ConfigError(target_.file, "nic.count", "is 0: " + target_.name + " has no inter-instance network");
    return target_.instance_Bps();
  }
  throw std::logic_error("unknown Fabric");
}

double CostModel::link_efficiency(Fabric fabric, double bytes) const
{
  const ClusterSpec& meas = cal_->measured_on();
  switch (fabric) {
  case Fabric::nvlink: {
    // One NVLink direction as NCCL's point-to-point uses it; all-gather is the fallback (same ring step);
    // without any 2-GPU measurement, NCCL's published ring efficiency.
    const Series* s = cal_->find("send_recv");
    CollOp op       = CollOp::send_recv;
    if (s == nullptr || series_ranks(*s) < 2) {
      s  = multi_gpu_series(*cal_, "all_gather");
      op = CollOp::all_gather;
    }
    if (s == nullptr)
      return target_.nvlink.efficiency;
    const auto& seg = s->fit.segment_for(bytes);
    return std::min(1.0, seg.beta_Bps * bus_factor(op, series_ranks(*s)) / meas.intra_Bps);
  }
  case Fabric::pcie: {
    const auto& seg = need(*cal_, "copy_d2h_pinned", 1, "PCIe efficiency").fit.segment_for(bytes);
    return std::min(1.0, seg.beta_Bps / meas.pcie_Bps);
  }
  case Fabric::network:
    return network(target_).efficiency;
  }
  throw std::logic_error("unknown Fabric");
}

double CostModel::link_latency_s(Fabric fabric) const
{
  switch (fabric) {
  case Fabric::nvlink: {
    const Series* s = cal_->find("send_recv");
    if (s != nullptr && series_ranks(*s) >= 2)
      return s->fit.segments.front().alpha_s;
    const Series* ag = multi_gpu_series(*cal_, "all_gather");
    if (ag == nullptr)
      return target_.nvlink.latency_s;
    return ag->fit.segments.front().alpha_s / ring_steps(CollOp::all_gather, series_ranks(*ag));
  }
  case Fabric::pcie:
    return need(*cal_, "copy_d2h_pinned", 1, "PCIe latency").fit.segments.front().alpha_s;
  case Fabric::network:
    return network(target_).latency_s;
  }
  throw std::logic_error("unknown Fabric");
}

double CostModel::collective_time_s(CollOp op, double bytes, int ranks, Fabric fabric) const
{
  if (op == CollOp::send_recv)
    ranks = 2;
  if (ranks < 2 || bytes <= 0)
    return 0; // nothing leaves the GPU
  double alpha_step = 0, efficiency = 0;
  const Series* measured = fabric == Fabric::nvlink ? multi_gpu_series(*cal_, to_string(op)) : nullptr;
  if (measured != nullptr) {
    // NCCL's own curve for this collective on the measuring GPUs: per-step latency and busbw efficiency.
    const Series& s = *measured;
    const int n     = series_ranks(s);
    const auto& seg = s.fit.segment_for(bytes);
    alpha_step      = seg.alpha_s / ring_steps(op, n);
    efficiency      = std::min(1.0, seg.beta_Bps * bus_factor(op, n) / cal_->measured_on().intra_Bps);
  } else if (fabric == Fabric::network) {
    // A ring over instances: the published nccl-tests fit of the cluster's file (network_published.hpp),
    // whose efficiency depends on how many instances the ring spans.
    const int instances = (ranks + target_.gpus_per_instance - 1) / target_.gpus_per_instance;
    alpha_step          = network(target_).ring_alpha_s();
    efficiency          = network(target_).ring_efficiency(instances);
  } else {
    alpha_step = link_latency_s(fabric);
    efficiency = link_efficiency(fabric, bytes);
  }
  return alpha_step * ring_steps(op, ranks) + bytes * bus_factor(op, ranks) / (link_bandwidth_Bps(fabric) * efficiency);
}

std::vector<std::string> CostModel::provenance() const
{
  std::vector<std::string> out;
  const ClusterSpec& meas = cal_->measured_on();
  const std::string tgt   = target_.gpu.name + " (" + source_relative(target_.file) + ")";
  const std::string src   = meas.gpu.name + " (" + source_relative(meas.file) + ")";

  for (Dtype d : {Dtype::fp16, Dtype::bf16})
    out.push_back(gemm_provenance(*cal_, target_, d, src, tgt));
  auto curve = [&](const std::string& what, const std::string& family, const std::string& unit_meas,
                   const std::string& unit_tgt) {
    const Series* s = cal_->find(family);
    if (s == nullptr)
      out.push_back(what + ": no " + family + " series in " + source_relative(cal_->dir()) + ": unavailable");
    else
      out.push_back(what + ": " + s->file + " " + s->key() + " (" + std::to_string(s->fit.segments.size()) +
                    " alpha-beta segments, bandwidth vs " + src + " " + unit_meas + ") scaled by " + tgt + " " +
                    unit_tgt + "; alpha kept as measured");
  };
  curve("memory (HBM)", "d2d_copy", fmt(meas.gpu.hbm_Bps / 1e9) + " GB/s", fmt(target_.gpu.hbm_Bps / 1e9) + " GB/s");
  out.push_back(kernel_provenance(*cal_, target_));
  for (CopyDir dir : {CopyDir::d2h, CopyDir::h2d})
    for (bool pinned : {true, false})
      curve("copy " + copy_family(dir, pinned).substr(5), copy_family(dir, pinned),
            "PCIe " + fmt(meas.pcie_Bps / 1e9) + " GB/s", "PCIe " + fmt(target_.pcie_Bps / 1e9) + " GB/s");
  for (CollOp op : {CollOp::all_gather, CollOp::reduce_scatter, CollOp::all_reduce, CollOp::send_recv}) {
    const Series* s = cal_->find(to_string(op));
    if (s == nullptr || series_ranks(*s) < 2)
      out.push_back("nvlink " + to_string(op) + ": no 2-GPU NCCL measurement in " + source_relative(cal_->dir()) +
                    " (1-GPU data cannot price NVLink): published ring efficiency " + fmt(target_.nvlink.efficiency) +
                    " of " + tgt + " NVLink " + fmt(target_.intra_Bps / 1e9) + " GB/s and " +
                    fmt(target_.nvlink.latency_s * 1e6) + " us per ring step, from " +
                    source_relative(target_.nvlink.file) + " (" + target_.nvlink.efficiency_source + " | " +
                    target_.nvlink.latency_source + ")");
    else
      curve("nvlink " + to_string(op), to_string(op), "NVLink busbw " + fmt(meas.intra_Bps / 1e9) + " GB/s",
            "NVLink " + fmt(target_.intra_Bps / 1e9) + " GB/s");
  }
  if (target_.network.file.empty()) {
    out.push_back("network: none (" + source_relative(target_.file) + " has no NIC)");
    return out;
  }
  const auto& net = target_.network;
  out.push_back("network: efficiency " + fmt(net.efficiency) + " of " + std::to_string(target_.nics) + " x " +
                fmt(target_.nic_Bps * 8 / 1e9) + " Gbps (" + source_relative(target_.file) + "), latency " +
                fmt(net.latency_s * 1e6) + " us, from " + source_relative(net.file) +
                " (published, not measured here; " + target_.network_note + "): " + net.efficiency_source + " | " +
                net.latency_source);
  if (net.ring.fitted)
    out.push_back(ring_provenance(net, target_));
  return out;
}

} // namespace gsim
