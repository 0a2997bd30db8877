#pragma once
// The ZeRO-3 iteration replayed on the SimGrid platform: a compute stream and a communication stream,
// for every GPU of every instance. All ranks run the same program in lockstep (every collective spans
// all of them), so one compute actor and one communication actor drive all ranks together: each
// collective moves every rank's bytes over every rank's links (flow mode) and completes when the last
// rank's share has arrived, and the compute stream of every rank waits for it. Compute kernels are
// timed waits whose lengths come from the calibration (models/zero3_schedule.cpp). When the calibration
// measured interference (models/interference.hpp), kernels and NCCL work are SimGrid executions sharing the
// GPU instead, so that each slows the other while they overlap (sim/engine/gpu_contention.hpp).
//
// With a checkpoint scheme other than none, the replay first runs checkpoint.profile_iterations
// iterations without checkpoints, plans the partition over their idle spans, then runs e.run.iterations
// iterations that each carry one checkpoint (sim/engine/checkpoint_traffic.hpp). With none, it runs
// e.run.iterations iterations.
#include "models/topology.hpp"
#include "models/zero3_schedule.hpp"
#include "sim/engine/checkpoint_traffic.hpp"

#include <string>
#include <vector>

namespace gsim {

struct CommRecord {
  int iteration = 0;
  int op        = 0; // index into Zero3Program::comms
  double issued = 0; // when the compute stream issued it, seconds
  double start  = 0; // when the communication stream started it
  double end    = 0;
};

struct ComputeRecord {
  int iteration = 0;
  int step      = 0; // index into Zero3Program::steps; -1: the optimizer step
  double start  = 0;
  double end    = 0;
};

struct IterationRecord {
  double start = 0; // the compute stream begins the forward pass
  double end   = 0; // the optimizer step is done
};

/** What interference added: per replayed iteration, time beyond what the same work takes alone. */
struct InterferenceReplay {
  std::string pricing;                   // the calibration file and series applied, or "none: ..."
  std::vector<double> compute_stretch_s; // compute-stream kernels (and the optimizer step)
  std::vector<double> comm_stretch_s;    // the training collectives (analytic mode; 0 in the flow mode)
};

struct ReplayResult {
  Zero3Program program;
  PlatformSpec spec;
  std::vector<CommRecord> comms;           // in start order (the stream is FIFO)
  std::vector<ComputeRecord> computes;     // in start order, zero-length kernels left out
  std::vector<IterationRecord> iterations; // profiled iterations first, then the checkpointed ones
  CheckpointReplay checkpoint;             // the checkpoint traffic (empty schedule when scheme is none)
  InterferenceReplay interference;
};

/** Simulates e.run.iterations iterations of `e`. Creates the process's one SimGrid Engine: call once. */
ReplayResult replay_zero3(const Experiment& e, const CostModel& cost);

/** The message size the links' efficiencies are read at: the byte-weighted median collective of the
 *  program (half of the bytes move in collectives at least this large). */
double typical_message_bytes(const Zero3Program& p);

} // namespace gsim
