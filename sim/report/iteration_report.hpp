#pragma once
// The files one replay writes: iterations.csv, comm_gap.txt (the artifact's layout) and the Perfetto timeline.
#include "sim/engine/iteration_stats.hpp"

#include <string>
#include <vector>

namespace gsim {

/** iterations.csv: one row per iteration, seconds. */
std::string iterations_csv(const std::vector<IterationStats>& its);

/** comm_gap.txt in the GEMINI artifact's profiler semantics (models/artifact_profiler.hpp): one line per
 *  iteration, milliseconds with one decimal, the all-gather launch brackets, a '-', the reduce-scatter-free
 *  intervals. It reads back through `run --idle-profile` (models/idle_profile.hpp) to the plan the run's
 *  profiler view gives. The physical idle spans are in iterations.csv and the summary's idle_spans_ms. */
std::string comm_gap_text(const std::vector<IterationStats>& its);

/** Chrome trace JSON (Perfetto): pid = instance, tid = 2 x gpu (compute) and 2 x gpu + 1 (communication),
 *  ts and dur in microseconds. Ranks in lockstep have identical tracks, so only `ranks` are written. */
std::string timeline_json(const ReplayResult& r, const std::vector<int>& ranks);

/** The ranks a default timeline shows: every GPU of the first instance and the first GPU of the last. */
std::vector<int> default_timeline_ranks(const PlatformSpec& spec);

} // namespace gsim
