#pragma once
// GEMINI's checkpoint partition (Algorithm 2, shared/gemini-paper.md §1.4) and the Fig 16 ablation
// schemes, planned over the idle spans of one iteration. Pure arithmetic: every bandwidth, latency and
// size comes in through PartitionInputs, so callers price it with the cost model.
//
// One GPU's view: it sends m - 1 remote copies of its checkpoint shard (C bytes each) to its peers. A
// chunk crosses the network into a GPU buffer on the receiver, f(s) = alpha + s / B, then the receiver
// copies it to CPU memory, copy(s) = copy_latency + s / copy_B. A sub-buffer is reused only after its
// chunk's copy ended, so with one buffer every chunk waits for the previous copy (Fig 5c) and with p
// sub-buffers the receive of chunk i+1 overlaps the copy of chunk i (Fig 5d).
#include "models/config.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gsim {

struct PartitionInputs {
  std::vector<double> spans_s;  // idle spans of one iteration, in order, seconds
  int64_t checkpoint_bytes = 0; // C: one GPU's checkpoint shard
  int replicas             = 2; // m: the shard is kept m times, m - 1 of them on peers
  int64_t buffer_bytes     = 0; // R: GPU memory reserved for receiving checkpoint chunks
  int sub_buffers          = 1; // p: R is split in p sub-buffers of R / p bytes
  double bandwidth_Bps     = 0; // B: network bandwidth one GPU's checkpoint traffic gets
  double alpha_s           = 0; // start-up latency of one network message
  double mu                = 1; // fraction of each span the plan uses (variance discount), in (0, 1]
  double copy_Bps          = 0; // receiver's GPU -> CPU copy bandwidth
  double copy_latency_s    = 0; // start-up latency of one GPU -> CPU copy
};

struct Chunk {
  int replica          = 0; // which remote copy, 0 .. m - 2
  int64_t offset_bytes = 0; // where the chunk starts within that copy of the shard
  int64_t bytes        = 0;
  double start_s       = 0; // network start, seconds from the start of its span
  double duration_s    = 0; // network time f(bytes), seconds
  double copied_s      = 0; // when its GPU -> CPU copy on the receiver ends, seconds from the span start
  double end_s() const { return start_s + duration_s; }
};

struct SpanPlan {
  double span_s   = 0; // the idle span, seconds (blocking: 0, the start of the iteration)
  double budget_s = 0; // the part the plan may use: mu * span_s
  std::vector<Chunk> chunks;
  /** End of the last receive, seconds from the span start (0 without chunks). */
  double busy_s() const { return chunks.empty() ? 0 : chunks.back().end_s(); }
  int64_t bytes() const;
};

struct PartitionPlan {
  Scheme scheme = Scheme::none;
  std::vector<SpanPlan> spans;            // one per input span (interleaving with no span: one of length 0)
  std::vector<int64_t> bytes_per_replica; // bytes placed per remote copy: C each when complete
  int64_t leftover_bytes   = 0;           // bytes in chunks ending past the last span's budget
  double leftover_s        = 0;           // network time past the last span's budget (blocking: all of it)
  double update_delay_s    = 0;           // how long training waits: past the last span's end (blocking: the stall)
  bool fits                = true;        // everything inside the spans' budgets
  int64_t gpu_buffer_bytes = 0;           // GPU memory the scheme needs for receiving
  double checkpoint_time_s = 0;           // network time of all the chunks, waits for buffers included
  int chunks() const;
};

/** Plans `scheme` over `in.spans_s`:
 *  gemini      Algorithm 2: chunks of up to R / p through p sub-buffers, leftover into the last span;
 *  no_pipeline the same with one buffer of R: each chunk waits for the previous chunk's copy;
 *  naive       one partition per span sized to fill it, staged whole (its buffer: the largest partition);
 *  blocking    everything at the start of the iteration, in chunks of R / p through p sub-buffers;
 *  none        nothing.
 *  Throws std::invalid_argument on inputs out of range. */
PartitionPlan plan_partition(Scheme scheme, const PartitionInputs& in);

/** Whether a scheme's receive buffer fits in the GPU memory left free (GpuMemoryEstimate::free()). */
struct BufferCheck {
  int64_t required_bytes = 0;
  double free_bytes      = 0;
  bool ok                = false;
  /** "ok" or "oom". */
  std::string status() const { return ok ? "ok" : "oom"; }
};
BufferCheck check_gpu_buffer(const PartitionPlan& plan, double free_bytes);

} // namespace gsim
