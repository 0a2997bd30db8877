#pragma once
// One system's training progress and checkpoints between failures, in closed arithmetic (the trainers of
// sim/engine/failure_sim.cpp simulate only the neighbourhood of a failure; between failures training is a
// steady state). Its own file so that the bookkeeping, which has no SimGrid in it, reads apart from the
// actors that drive it (issue 10: files under ~400 lines).
#include "sim/engine/failure_sim.hpp"

#include <string>

namespace gsim::failure_sim_detail {

// The checkpoint cadence of one system in steady state (models/failure_economics.hpp for the why).
struct Cadence {
  double period_s     = 0; // wall time of one cycle: training then (storage systems) the blocking torch.save()
  double training_s   = 0; // training within a cycle
  double cpu_ckpt_s   = 0; // GEMINI: snapshot to a complete checkpoint in CPU memory
  double storage_s    = 0; // wall time between storage snapshots (the cycle, or GEMINI's storage interval)
  double upload_s     = 0; // snapshot (end of serialisation) to a complete checkpoint in storage
  bool cpu_checkpoint = false;
};

// Systems whose recovery is the same event for event share one trainer and one copy of the platform:
// only GEMINI recovers from CPU memory; every other system's recovery (detection, replacement, the
// retrieval from storage, warm-up) does not depend on its cadence, so their transfers would be copies of
// each other on disjoint links, finishing at the same instants. Simulating them once keeps every time
// bit for bit and saves the copies' flows (each detached SimGrid 3.32 flow costs a scan of every flow in
// flight when it ends).
inline bool recovers_from_cpu(System s)
{
  return s == System::gemini;
}

struct Target {
  double work    = 0; // progress restored
  double lost_s  = 0; // wall time of training redone
  long iteration = 0; // iterations restored (GEMINI's CPU checkpoints)
};

// One system's training progress and checkpoints between failures, in closed arithmetic.
class Ledger {
 public:
  Ledger(System sys, const FailureSimSetup& setup, const FailureSimOptions& opt, double upload_s, SystemOutcome* out);

  SystemOutcome& out() { return *out_; }

  // Training progress at time t of the current stretch (started at resume_ from progress base_).
  double work_at(double t) const;

  void record(const std::string& phase, double start, double duration);

  // The iterations and checkpoints before a failure at t, for the timeline.
  void record_training(double t);

  // The last complete checkpoint in CPU memory (GEMINI) at time t: iteration j's checkpoint (snapshot at
  // its end) is complete t_ckpt later; one still in flight does not count. j = 0: the restored state.
  Target cpu_target(double t) const;

  // The last complete checkpoint in remote storage at time t; updates the durable one.
  Target storage_target(double t);

  // The episode that began at t ended at `now`, restoring `target` (from CPU memory or storage).
  void resumed(double t, double now, const Target& target, bool from_cpu, double retrieval_s);

  // The horizon came during a recovery: the progress kept is the checkpoint being restored.
  void finish(const Target& target);

 private:
  System sys_;
  const FailureSimOptions& opt_;
  SystemOutcome* out_;
  Cadence c_;
  double resume_      = 0; // wall time the current stretch of training began
  double base_        = 0; // progress restored at resume_
  double stored_work_ = 0; // progress of the latest durable checkpoint in storage (0: the job's start)
  long iteration0_    = 0; // GEMINI: iterations restored at resume_ (timeline numbering)
};

} // namespace gsim::failure_sim_detail
