#include "models/checkpoint_partition.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace gsim {

namespace {

constexpr double kForever = std::numeric_limits<double>::infinity();

void validate(const PartitionInputs& in)
{
  auto need = [](bool ok, const char* what) {
    if (not ok)
      throw std::invalid_argument(std::string("checkpoint partition: ") + what);
  };
  need(in.checkpoint_bytes >= 0, "checkpoint bytes must be >= 0");
  need(in.replicas >= 1, "replicas (m) must be >= 1");
  need(in.sub_buffers >= 1, "sub-buffers (p) must be >= 1");
  need(in.buffer_bytes >= in.sub_buffers, "the buffer R must hold at least one byte per sub-buffer");
  // m = 1 sends nothing (local copies only): no network bandwidth is needed then.
  need(in.replicas == 1 || (in.bandwidth_Bps > 0 && std::isfinite(in.bandwidth_Bps)), "bandwidth B must be > 0");
  need(in.alpha_s >= 0 && std::isfinite(in.alpha_s), "alpha must be >= 0");
  need(in.mu > 0 && in.mu <= 1, "mu must be in (0, 1]");
  need(in.copy_Bps > 0 && std::isfinite(in.copy_Bps), "copy bandwidth must be > 0");
  need(in.copy_latency_s >= 0 && std::isfinite(in.copy_latency_s), "copy latency must be >= 0");
  for (double t : in.spans_s)
    need(t >= 0 && std::isfinite(t), "idle spans must be finite and >= 0");
}

// Places the m - 1 remote copies chunk by chunk, in order, and times each chunk through the receiver's
// buffers. The pipeline state starts empty in every span: the training operation that separates two
// spans lasts longer than the copy of one chunk, so the buffers are free again (an assumption the
// profile cannot check, as it holds only the gaps, not the operations).
class Placer {
 public:
  Placer(const PartitionInputs& in, int buffers) : in_(in), buffers_(buffers)
  {
    remaining_ = in.replicas > 1 ? in.checkpoint_bytes : 0;
    placed_.assign(size_t(std::max(in.replicas - 1, 0)), 0);
  }
  bool done() const { return remaining_ == 0; }
  int64_t remaining_in_replica() const { return remaining_; }
  const std::vector<int64_t>& placed() const { return placed_; }

  /** f(s) = alpha + s / B. */
  double net_time(int64_t bytes) const { return in_.alpha_s + double(bytes) / in_.bandwidth_Bps; }

  void start_span()
  {
    net_free_  = 0;
    copy_free_ = 0;
    buffer_free_.assign(size_t(buffers_), 0.0);
    next_buffer_ = 0;
  }
  /** When the next chunk can start: the network is free and its sub-buffer's previous chunk is copied. */
  double next_start() const { return std::max(net_free_, buffer_free_[next_buffer_]); }

  /** Sends `bytes` (> 0, at most what is left of the current copy) as the span's next chunk. */
  void place(SpanPlan& span, int64_t bytes)
  {
    Chunk c;
    c.replica      = replica_;
    c.offset_bytes = in_.checkpoint_bytes - remaining_;
    c.bytes        = bytes;
    c.start_s      = next_start();
    c.duration_s   = net_time(bytes);
    // The receiver copies chunks to CPU memory one after another, each once it has fully arrived.
    c.copied_s                 = std::max(c.end_s(), copy_free_) + in_.copy_latency_s + double(bytes) / in_.copy_Bps;
    net_free_                  = c.end_s();
    copy_free_                 = c.copied_s;
    buffer_free_[next_buffer_] = c.copied_s;
    next_buffer_               = (next_buffer_ + 1) % size_t(buffers_);
    span.chunks.push_back(c);

    placed_[size_t(replica_)] += bytes;
    remaining_ -= bytes;
    if (remaining_ == 0 && replica_ + 1 < in_.replicas - 1) {
      replica_++;
      remaining_ = in_.checkpoint_bytes;
    }
  }

 private:
  const PartitionInputs& in_;
  int buffers_;
  int replica_       = 0;
  int64_t remaining_ = 0;
  std::vector<int64_t> placed_;
  double net_free_  = 0;
  double copy_free_ = 0;
  std::vector<double> buffer_free_;
  size_t next_buffer_ = 0;
};

// The largest chunk that fits in `time_left` seconds: (time_left - alpha) * B, whole bytes, at most `cap`.
int64_t bytes_in(double time_left, const PartitionInputs& in, int64_t cap)
{
  const double b = std::floor((time_left - in.alpha_s) * in.bandwidth_Bps);
  return b <= 0 ? 0 : int64_t(std::min(b, double(cap)));
}

// Algorithm 2's inner loop over one span with a budget (+infinity for the last span):
//   size = R/p if remain_span >= f(R/p) else max(0, (remain_span - alpha) * B); size = min(remain_size, size)
// and remain_span shrinks by f(size), read as the paper's line 17 f(remain_size) being a typo for f(size)
// (gemini-paper.md §1.4, "two mismatches": we also read the prose's M/p as R/p). Here remain_span is the
// budget minus the chunk's start, which also counts any wait for a sub-buffer whose copy is not done.
void fill_chunked(const PartitionInputs& in, Placer& placer, SpanPlan& span, double budget_s, int64_t chunk_max)
{
  while (not placer.done()) {
    const double remain_span = budget_s - placer.next_start();
    if (not(remain_span > 0))
      return;
    int64_t size = remain_span >= placer.net_time(chunk_max) ? chunk_max : bytes_in(remain_span, in, chunk_max);
    size         = std::min(size, placer.remaining_in_replica());
    if (size <= 0)
      return; // a span shorter than alpha carries nothing
    placer.place(span, size);
  }
}

} // namespace

int64_t SpanPlan::bytes() const
{
  int64_t b = 0;
  for (const auto& c : chunks)
    b += c.bytes;
  return b;
}

int PartitionPlan::chunks() const
{
  int n = 0;
  for (const auto& s : spans)
    n += int(s.chunks.size());
  return n;
}

PartitionPlan plan_partition(Scheme scheme, const PartitionInputs& in)
{
  validate(in);
  PartitionPlan plan;
  plan.scheme = scheme;
  plan.bytes_per_replica.assign(size_t(std::max(in.replicas - 1, 0)), 0);
  if (scheme == Scheme::none)
    return plan;

  const int64_t sub = in.buffer_bytes / in.sub_buffers;
  if (scheme == Scheme::blocking) {
    // All of it at the start of the iteration, before any training traffic: the iteration stalls for it.
    Placer placer(in, in.sub_buffers);
    SpanPlan start;
    placer.start_span();
    fill_chunked(in, placer, start, kForever, sub);
    plan.spans.push_back(start);
    plan.bytes_per_replica = placer.placed();
    plan.leftover_bytes    = start.bytes();
    plan.leftover_s        = start.busy_s();
    plan.update_delay_s    = start.busy_s();
    plan.fits              = start.chunks.empty();
    plan.gpu_buffer_bytes  = in.buffer_bytes;
    plan.checkpoint_time_s = start.busy_s();
    return plan;
  }

  // Algorithm 2 sets t_d = +infinity so that what is left goes into the last span. With no idle span at
  // all, the artifact sends the rest after the last communication (snapshot_strategy.py: strategy[len(gaps)]
  // = -1): a span of length 0.
  std::vector<double> spans = in.spans_s;
  if (spans.empty())
    spans.push_back(0);
  const bool naive = scheme == Scheme::naive;
  Placer placer(in, scheme == Scheme::gemini ? in.sub_buffers : 1);
  for (size_t i = 0; i < spans.size(); i++) {
    SpanPlan span;
    span.span_s         = spans[i];
    span.budget_s       = in.mu * spans[i];
    const bool last     = i + 1 == spans.size();
    const double budget = last ? kForever : span.budget_s;
    placer.start_span();
    if (naive) {
      // One partition per span, as large as the span carries; the last span takes each copy's rest whole.
      while (not placer.done()) {
        const int64_t left = placer.remaining_in_replica();
        const int64_t size = last ? left : bytes_in(budget - placer.next_start(), in, left);
        if (size <= 0)
          break;
        placer.place(span, size);
        if (not last)
          break;
      }
    } else {
      fill_chunked(in, placer, span, budget, scheme == Scheme::gemini ? sub : in.buffer_bytes);
    }
    plan.spans.push_back(std::move(span));
  }

  const SpanPlan& last   = plan.spans.back();
  plan.bytes_per_replica = placer.placed();
  plan.leftover_s        = std::max(0.0, last.busy_s() - last.budget_s);
  plan.update_delay_s    = std::max(0.0, last.busy_s() - last.span_s);
  for (const auto& c : last.chunks)
    if (c.end_s() > last.budget_s)
      plan.leftover_bytes += c.bytes;
  plan.fits = plan.leftover_bytes == 0;
  for (const auto& s : plan.spans) {
    plan.checkpoint_time_s += s.busy_s();
    for (const auto& c : s.chunks)
      plan.gpu_buffer_bytes = std::max(plan.gpu_buffer_bytes, c.bytes);
  }
  // Chunked schemes reserve R whatever their chunks; naive stages each partition whole.
  if (not naive)
    plan.gpu_buffer_bytes = in.buffer_bytes;
  return plan;
}

BufferCheck check_gpu_buffer(const PartitionPlan& plan, double free_bytes)
{
  BufferCheck b;
  b.required_bytes = plan.gpu_buffer_bytes;
  b.free_bytes     = free_bytes;
  b.ok             = double(plan.gpu_buffer_bytes) <= free_bytes;
  return b;
}

} // namespace gsim
