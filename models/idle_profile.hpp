#pragma once
// The network's idle spans per iteration, measured (the GEMINI artifact's comm_gap.txt) or simulated, and
// their reduction to the spans GEMINI plans its checkpoint over. The reduction is the artifact's reader
// (deepspeed/runtime/snapshot/snapshot_strategy.py, SnapshotStrategy: extract_data skips `jump_lines`
// lines, get_valid_comm_idle_time takes the minimum per gap position and keeps those above `threshold`).
// Its position index runs over the values on both sides of '-' (the all-gather launch brackets, then the
// reduce-scatter-free intervals: models/artifact_profiler.hpp), skipping the '-' itself (extract_data at
// Gemini_SOSP23 9b551dd^: `pos` advances on every value but "-", which records allgather_op_num).
// The paper (Sec 5.4) says it averages each span; the artifact takes the minimum, and we follow the code.
#include <string>
#include <vector>

namespace gsim {

/** A profile in the artifact's format, one profiled iteration per line, converted to seconds. */
struct IdleProfile {
  std::string file;
  std::vector<std::vector<double>> gaps_s;    // per line: the values before '-' (all-gather launch brackets)
  std::vector<std::vector<double>> trailer_s; // per line: the values after '-' (reduce-scatter-free intervals)
  /** Per line: the reader's values, one position index over both sides (gaps_s then trailer_s). */
  std::vector<std::vector<double>> values_s() const;
  /** Line `i`'s last value after '-', seconds: the interval before the last reduce-scatter (in the real BERT
   *  profile, with two buckets, close to the iteration time; not an iteration time in general). */
  double iteration_time_s(size_t i) const { return trailer_s.at(i).back(); }
};

/** Reads a profile. Each line: gaps in ms, a '-', then at least one value; a malformed line is a
 *  ConfigError(file, "line N", problem), an empty file one for "line 1". */
IdleProfile read_idle_profile(const std::string& file);

/** A gap position that the reduction kept. */
struct IdleSpan {
  int position   = 0; // index of the gap within an iteration, from 0
  double seconds = 0; // its minimum over the iterations used
};

struct ReducedSpans {
  int iterations_total = 0;   // iterations given
  int iterations_used  = 0;   // iterations left after the warm-up skip
  std::vector<double> min_s;  // per gap position: the minimum over the used iterations that have it, seconds
  std::vector<IdleSpan> kept; // positions whose minimum exceeds the threshold, in order
  /** Sum of the kept spans, seconds. */
  double kept_total_s() const;
  /** The kept spans' lengths in order, seconds. */
  std::vector<double> kept_seconds() const;
};

/** Skips the first `warmup` iterations, takes the minimum per gap position over the rest (iterations
 *  with fewer gaps do not vote on the later positions, as in the artifact) and keeps the positions whose
 *  minimum is strictly longer than `threshold_s`. Throws std::invalid_argument when no iteration is left. */
ReducedSpans reduce_idle_spans(const std::vector<std::vector<double>>& spans_s, int warmup, double threshold_s);

/** The same reduction over a profile's values_s() (the artifact's reader); a warm-up that leaves no line is a
 * ConfigError naming the file. */
ReducedSpans reduce_idle_profile(const IdleProfile& profile, int warmup, double threshold_s);

} // namespace gsim
