#pragma once
// The GEMINI artifact's communication profiler as a measurement model: what it records per iteration, and
// nothing else (shared/artifact-notes.md §2). Source: Gemini_SOSP23 at 9b551dd^,
// deepspeed/runtime/snapshot/snapshot_profiler.py (CommounicationProfiler.profile_comm_time_gap) and the
// events zero/partitioned_param_coordinator.py records around each all-gather launch.
//  * per all-gather, in issue order: start.elapsed_time(end) of two events recorded on the all-gather stream
//    around the launch. The NCCL kernel runs on ProcessGroupNCCL's own stream, so this is the time the host
//    stalled inside the launch (an allocator stall), not the collective and not an idle span;
//  * '-';
//  * per reduce-scatter, in issue order: the interval from the previous reduce-scatter's end (for the first,
//    the last all-gather's end) to this one's start, clamped at 0. Free of reduce-scatters, not of traffic:
//    the backward all-gathers run inside it.
// Every value is rounded to 0.1 ms when it is written (round(time_gap, 1)). The reader's reduction is
// models/idle_profile.hpp (one position index over both sides).
#include "models/calibration.hpp"

#include <string>
#include <vector>

namespace gsim {

/** One collective of an iteration as the profiler's events see it. all_reduce counts as a reduce-scatter
 *  (the profiler brackets ZeRO-3's gradient reduction, whatever collective carries it). */
struct ProfiledCollective {
  CollOp op             = CollOp::all_gather;
  double start_s        = 0;
  double end_s          = 0;
  double launch_stall_s = 0; // host time inside the launch between the two bracket events
};

/** One line of comm_gap.txt, milliseconds rounded to 0.1 as the artifact writes them. */
struct ProfilerLine {
  std::vector<double> allgather_ms;      // launch brackets
  std::vector<double> reduce_scatter_ms; // reduce-scatter-free intervals
  /** The reader's values: all-gathers then reduce-scatters, one position index, seconds. */
  std::vector<double> values_s() const;
  /** "a b c - d e \n" as profile_comm_time_gap writes it. */
  std::string text() const;
};

/** What the profiler records for one iteration's collectives, given in issue order. */
ProfilerLine profile_iteration(const std::vector<ProfiledCollective>& ops);

/** The value the artifact writes for `seconds`: milliseconds rounded to one decimal. */
double profiler_round_ms(double seconds);

/** Fig 8's GEMINI "checkpoint time" as the artifact's examples/SOSP_AE/extract_results.py computes it:
 *  checkpoint_size_MiB * 8 bits * gpus_per_instance / network_Gbps / 1000 seconds, with the size as
 *  get_checkpoint_data_size_in_MB floors it (whole MiB per GPU). */
double artifact_checkpoint_time_s(double checkpoint_bytes_per_gpu, int gpus_per_instance, double network_Gbps);

} // namespace gsim
