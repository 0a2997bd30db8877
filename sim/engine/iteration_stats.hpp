#pragma once
// What one replay measured, per iteration: its time, compute and exposed communication, and the network's
// idle spans (GEMINI's Fig 8 and the artifact's comm_gap.txt). Analysis of a ReplayResult, no output.
//
// An idle span is the gap between two consecutive collectives on a rank's communication stream. Spans
// of iteration k: the gap before each of its collectives but the first, in time order, then the span
// from its last collective to the first collective of iteration k + 1, which holds the optimizer step
// (for the last simulated iteration it is measured as its tail plus its own head, the same span in the
// steady state). Every rank runs in lockstep (sim/engine/zero3_replay.hpp), so these are every rank's spans.
#include "models/artifact_profiler.hpp"
#include "sim/engine/zero3_replay.hpp"

#include <vector>

namespace gsim {

struct IterationStats {
  int index                      = 0;
  double start_s                 = 0;
  double time_s                  = 0; // iteration time
  double compute_s               = 0; // compute-stream busy time (kernels + optimizer)
  double comm_busy_s             = 0; // communication-stream busy time
  double exposed_communication_s = 0; // time the compute stream waited for collectives
  std::vector<double> spans_s;        // idle spans in time order, the trailing one last
  std::vector<CollOp> span_before;    // the kind of collective each span precedes (the trailing: all_gather)
  double idle_total_s   = 0;          // all spans
  double idle_long_s    = 0;          // spans longer than the threshold: GEMINI's usable idle time
  int long_spans        = 0;
  double longest_span_s = 0;
  // What the artifact's profiler records for this iteration (models/artifact_profiler.hpp). The engine models
  // no host stall inside an all-gather launch (the artifact's allocator stalls), so its brackets are 0.
  ProfilerLine profiler;
};

/** Per-iteration statistics; spans longer than `threshold_s` count as long (checkpoint.span_threshold). */
std::vector<IterationStats> iteration_stats(const ReplayResult& r, double threshold_s);

/** The artifact's reader over the profiler lines of `its` (models/idle_profile.hpp): skip `warmup` lines
 *  (fewer when that would leave none: the engine's iterations are all alike), minimum per position over the
 *  all-gather then reduce-scatter values, keep minima > `threshold_s`. Positions index ProfilerLine::values_s. */
ReducedSpans reduce_profiler_lines(const std::vector<IterationStats>& its, int warmup, double threshold_s);

} // namespace gsim
