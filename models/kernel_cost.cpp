// Kernel variants measured through PyTorch (kernels.json, bench/gpu/kernels_bench.py) priced on the target.
//
// Lookup: the entry of the asked kernel family at the asked shape; else the nearest entry of that family
// (log2 distance over its shape counters, among entries with the same mask, dropout and eager formula)
// scaled by the work ratio: FLOPs (b heads s^2 d) for flash attention, bytes for the memory-bound kernels
// (tokens x width for activations and norms, b s (heads + kv_heads) d for rotary embeddings). Launch-bound
// entries scale linearly too, which overstates small kernels: the limitation of scaling by work.
//
// Transfer to the target GPU, as the rest of the cost model does: memory-bound kernels keep their time's
// start-up part (the d2d_copy fit's alpha, as memory_time_s does) and scale the rest by the HBM bandwidth
// ratio; flash attention (tensor-core work) by the datasheet peak ratio, as a GEMM; eager attention is its
// batched GEMMs priced by the GEMM rule (gemm.json, gemm_time_s) plus the rest of its measured time (the
// scale, mask, softmax and dropout kernels over the b x heads x s^2 scores) as memory-bound work.
#include "models/calibration.hpp"
#include "models/config_error.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>

namespace gsim {

namespace {

using Counters = std::vector<std::pair<std::string, double>>;

std::string fmt(double v, int precision = 4)
{
  std::ostringstream s;
  s.precision(precision);
  s << v;
  return s.str();
}

// The dtype an entry ran in: the last segment of its name ("attn_flash_fwd/b:8/.../fp16").
std::string entry_dtype(const std::string& name)
{
  return name.substr(name.rfind('/') + 1);
}

// The value of "/key:" in an entry's name, "" without one (eager attention's style:gpt2).
std::string name_field(const std::string& name, const std::string& key)
{
  const std::string k = "/" + key + ":";
  auto p              = name.find(k);
  if (p == std::string::npos)
    return "";
  p += k.size();
  return name.substr(p, name.find('/', p) - p);
}

struct Match {
  const Series* series = nullptr;
  size_t i             = 0;
  bool other_dtype     = false; // measured in the other 16-bit dtype
  bool exact           = false; // at the asked shape
  double counter(const std::string& k) const { return series->counters[i].at(k); }
  double time_s() const { return series->median_s[i]; }
  const std::string& name() const { return series->names[i]; }
};

// The entry of `family` nearest to `shape` among those whose `exact` counters equal the asked values, whose
// eager style matches (if asked) and that `usable` accepts; the asked dtype first, else the other 16-bit one.
std::optional<Match> nearest(const Calibration& cal, const std::string& family, Dtype dtype, const Counters& shape,
                             const Counters& exact, const std::string& style,
                             const std::function<bool(const Series&, size_t)>& usable = {})
{
  if (dtype == Dtype::fp32)
    return std::nullopt; // no fp32 entries (fp32 training has no flash path; kernels_bench.py skips it)
  const Series* s = cal.find(family);
  if (s == nullptr)
    return std::nullopt;
  for (bool other : {false, true}) {
    const std::string want = other ? (dtype == Dtype::fp16 ? "bf16" : "fp16") : to_string(dtype);
    std::optional<Match> best;
    double best_d = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < s->names.size(); i++) {
      const auto& c = s->counters[i];
      bool ok       = entry_dtype(s->names[i]) == want && (style.empty() || name_field(s->names[i], "style") == style);
      for (const auto& [k, v] : exact)
        ok = ok && c.count(k) && std::abs(c.at(k) - v) < 1e-9;
      for (const auto& [k, v] : shape)
        ok = ok && c.count(k) && c.at(k) > 0;
      if (not ok || (usable && not usable(*s, i)))
        continue;
      double d = 0;
      for (const auto& [k, v] : shape) {
        const double x = std::log2(c.at(k)) - std::log2(v);
        d += x * x;
      }
      if (d < best_d) { // ties: the first by name (the series is sorted), deterministic
        best_d = d;
        best   = Match{s, i, other, d < 1e-12};
      }
    }
    if (best)
      return best;
  }
  return std::nullopt;
}

std::string shape_text(const Counters& shape)
{
  std::string t;
  for (const auto& [k, v] : shape)
    t += (t.empty() ? "" : " ") + k + " " + fmt(v, 8);
  return t;
}

// How an entry was used: exact, or scaled to `shape` by `ratio` of `work`.
std::string entry_text(const Match& m, const Counters& shape, double ratio, const std::string& work, Dtype dtype)
{
  std::string t = m.series->file + ": " + m.name();
  t += m.exact ? " (measured at this shape)"
               : " scaled to " + shape_text(shape) + " by its " + work + " ratio x" + fmt(ratio) +
                     " (nearest measured entry; this shape is not measured)";
  if (m.other_dtype)
    t += "; measured in " + entry_dtype(m.name()) + ", priced for " + to_string(dtype) + " (same element size)";
  return t;
}

Counters attention_counters(const AttentionShape& a)
{
  return {{"b", a.b}, {"s", a.s}, {"heads", a.heads}, {"kv_heads", a.kv_heads}, {"head_dim", a.head_dim}};
}

AttentionShape attention_of(const Match& m)
{
  const auto& c = m.series->counters[m.i]; // rope entries have no mask or dropout
  return {m.counter("b"),
          m.counter("s"),
          m.counter("heads"),
          m.counter("kv_heads"),
          m.counter("head_dim"),
          c.count("causal") && c.at("causal") > 0.5,
          c.count("dropout") ? c.at("dropout") : 0};
}

// Eager attention's batched GEMMs (models/transformer.cpp's attn_score / attn_context and their gradients):
// per query head, b x heads of them (llama repeats K and V to every query head first).
std::vector<GemmShape> eager_gemms(const AttentionShape& a, bool backward)
{
  const double s = a.s, d = a.head_dim, bh = a.b * a.heads;
  if (not backward)
    return {{"attn_score_fwd", s, s, d, bh}, {"attn_context_fwd", s, d, s, bh}};
  return {{"attn_context_dgrad", s, s, d, bh},
          {"attn_context_dgrad2", s, d, s, bh},
          {"attn_score_dgrad", s, d, s, bh},
          {"attn_score_dgrad2", d, s, s, bh}};
}

// Seconds on the target for memory-bound work that took `measured_s` on the measuring GPU and moves about
// `bytes`: the d2d_copy fit's start-up latency kept, the rest scaled by the HBM bandwidth ratio.
double transfer_memory_bound(const Calibration& cal, const ClusterSpec& target, double measured_s, double bytes)
{
  const Series* d2d = cal.find("d2d_copy");
  if (d2d == nullptr || d2d->fit.segments.empty())
    throw ConfigError(cal.dir(), "d2d_copy",
                      "no such fitted series in the calibration, needed to transfer memory-bound kernel times");
  const double alpha = std::min(d2d->fit.segment_for(bytes).alpha_s, measured_s);
  return alpha + (measured_s - alpha) * cal.measured_on().gpu.hbm_Bps / target.gpu.hbm_Bps;
}

} // namespace

std::optional<KernelCost> CostModel::attention_time(const AttentionShape& a, AttentionKernel kind, bool backward,
                                                    Dtype dtype, const std::string& style) const
{
  const bool flash         = kind == AttentionKernel::flash;
  const std::string family = std::string(flash ? "attn_flash_" : "attn_eager_") + (backward ? "bwd" : "fwd");
  const Counters shape     = attention_counters(a);
  const auto m =
      nearest(*cal_, family, dtype, shape, {{"causal", a.causal ? 1 : 0}, {"dropout", a.dropout}}, flash ? "" : style);
  if (not m)
    return std::nullopt;
  const AttentionShape e  = attention_of(*m);
  const Dtype edt         = entry_dtype(m->name()) == "bf16" ? Dtype::bf16 : Dtype::fp16;
  const ClusterSpec& meas = cal_->measured_on();
  KernelCost k;
  if (flash) {
    // FlashAttention 2 runs on sm80 and newer; every NVIDIA GPU without bf16 tensor cores predates sm80.
    if (not(target_.gpu.peak_flops_bf16 > 0))
      throw ConfigError(target_.file, "gpu.peak_tflops_bf16",
                        "is 0: " + target_.gpu.name +
                            " predates sm80 (no bf16 tensor cores), and FlashAttention 2 (training.attention = flash) "
                            "needs sm80 or newer; use eager attention");
    const double ratio = (a.b * a.heads * a.s * a.s * a.head_dim) / (e.b * e.heads * e.s * e.s * e.head_dim);
    const double peak  = target_.gpu.peak_flops(dtype);
    if (not(peak > 0))
      throw ConfigError(target_.file, "gpu.peak_tflops_" + to_string(dtype),
                        "is 0: " + target_.gpu.name + " has no " + to_string(dtype) + " tensor cores");
    k.seconds = m->time_s() * ratio * meas.gpu.peak_flops(edt) / peak;
    k.source  = entry_text(*m, shape, ratio, "FLOPs", dtype) + "; tensor-core work, scaled by the datasheet peak " +
               fmt(meas.gpu.peak_flops(edt) / 1e12) + " -> " + fmt(peak / 1e12) + " TFLOPS";
    return k;
  }
  // Eager: the batched GEMMs at this shape by the GEMM rule, plus the measured rest (the elementwise kernels
  // over the scores) scaled by the scores' size and transferred as memory-bound work.
  double gemms_measured = 0, gemms_target = 0;
  for (const auto& g : eager_gemms(e, backward))
    gemms_measured += g.flops() / (meas.gpu.peak_flops(edt) * gemm_efficiency(g, edt));
  for (const auto& g : eager_gemms(a, backward))
    gemms_target += gemm_time_s(g, dtype);
  const double ratio = (a.b * a.heads * a.s * a.s) / (e.b * e.heads * e.s * e.s);
  const double rest  = std::max(0.0, m->time_s() - gemms_measured) * ratio;
  const double bytes = m->series->counters[m->i].count("min_bytes") ? m->counter("min_bytes") * ratio : 0;
  k.seconds          = gemms_target + transfer_memory_bound(*cal_, target_, rest, bytes);
  k.source = entry_text(*m, shape, ratio, "score-tensor bytes", dtype) + "; its " + fmt(gemms_measured * 1e3) +
             " ms of batched GEMMs (gemm.json) replaced by this shape's on the target (" + fmt(gemms_target * 1e3) +
             " ms), the rest (" + fmt(rest * 1e3) + " ms) memory-bound, scaled by HBM " + fmt(meas.gpu.hbm_Bps / 1e9) +
             " -> " + fmt(target_.gpu.hbm_Bps / 1e9) + " GB/s";
  return k;
}

std::optional<KernelCost> CostModel::rowwise_kernel_time(const std::string& family, double tokens, double width,
                                                         Dtype dtype) const
{
  const Counters shape = {{"tokens", tokens}, {"width", width}};
  std::function<bool(const Series&, size_t)> usable;
  std::string caveat;
  const auto compiled = family.find("_compiled_");
  if (compiled != std::string::npos) {
    // torch.compile's wrapper costs host time on every call; where it outlasts the kernel (small shapes) the
    // GPU waits between calls and the entry runs slower than eager: that is not the fused kernel's speed, so
    // such an entry is left out and the shape is scaled from an entry that ran faster than eager.
    const std::string eager_family = family.substr(0, compiled) + "_eager_" + family.substr(compiled + 10);
    const Series* eager            = cal_->find(eager_family);
    usable                         = [eager, family, eager_family](const Series& s, size_t i) {
      if (eager == nullptr)
        return true;
      const std::string twin = eager_family + s.names[i].substr(family.size());
      for (size_t j = 0; j < eager->names.size(); j++)
        if (eager->names[j] == twin)
          return s.median_s[i] < eager->median_s[j];
      return true;
    };
    caveat = "; compiled entries slower than eager at their shape (host-bound) left out";
  }
  const auto m = nearest(*cal_, family, dtype, shape, {}, "", usable);
  if (not m)
    return std::nullopt;
  const double ratio = tokens * width / (m->counter("tokens") * m->counter("width"));
  const double bytes = m->series->counters[m->i].count("min_bytes") ? m->counter("min_bytes") * ratio : 0;
  KernelCost k;
  k.seconds = transfer_memory_bound(*cal_, target_, m->time_s() * ratio, bytes);
  k.source  = entry_text(*m, shape, ratio, "bytes", dtype) + caveat + "; memory-bound, scaled by HBM " +
             fmt(cal_->measured_on().gpu.hbm_Bps / 1e9) + " -> " + fmt(target_.gpu.hbm_Bps / 1e9) + " GB/s";
  return k;
}

std::optional<KernelCost> CostModel::rope_time(const AttentionShape& a, bool backward, Dtype dtype) const
{
  const Counters shape = attention_counters(a);
  const auto m         = nearest(*cal_, backward ? "rope_eager_bwd" : "rope_eager_fwd", dtype, shape, {}, "");
  if (not m)
    return std::nullopt;
  const AttentionShape e = attention_of(*m);
  const double ratio =
      (a.b * a.s * (a.heads + a.kv_heads) * a.head_dim) / (e.b * e.s * (e.heads + e.kv_heads) * e.head_dim); // Q and K
  const double bytes = m->series->counters[m->i].count("min_bytes") ? m->counter("min_bytes") * ratio : 0;
  KernelCost k;
  k.seconds = transfer_memory_bound(*cal_, target_, m->time_s() * ratio, bytes);
  k.source  = entry_text(*m, shape, ratio, "bytes", dtype) + "; memory-bound, scaled by HBM " +
             fmt(cal_->measured_on().gpu.hbm_Bps / 1e9) + " -> " + fmt(target_.gpu.hbm_Bps / 1e9) + " GB/s";
  return k;
}

} // namespace gsim
