#pragma once
// Failures and recovery as events of a SimGrid simulation (issue 6; paper §6, Fig 6, Figs 10, 14, 15).
//
// The platform: one disjoint copy per simulated system (GEMINI, Strawman, HighFreq), a zone each, so that
// the systems see the same failures without sharing links. Per instance a CPU-memory host
// and a GPU host (the instance's GPUs as one endpoint), joined by the instance's aggregate GPU<->CPU
// PCIe link; each GPU host to a non-blocking spine over the instance's aggregate NIC link (split duplex);
// the remote storage host to the spine over the storage link (aggregate, shared by reads and writes).
// The bandwidths are the closed forms' own inputs (models/failure_economics.hpp economics_inputs), so
// the two can be held against each other; what the simulation adds is time: contention (N instances
// reading one storage link, two replaced instances pulling from peers), failures that land during a
// recovery, rollback to the last checkpoint that had completed, and failure sets that defeat the
// placement.
//
// Actors: one injector that delivers each FailureEvent at its time to every system's mailbox, and one
// trainer per system. A trainer does not simulate iterations: training is a steady state (iteration time
// and checkpoint cadence known), so it waits for the next failure or the horizon and computes the
// progress made and the last complete checkpoint in closed arithmetic (issue 6 item 4: "long runs made
// cheap"). Only the neighbourhood of a failure is simulated event by event: detection, serialisation,
// replacement, retrieval (SimGrid transfers: local CPU -> GPU, a live peer's CPU -> the new instance's
// GPU, or storage -> every GPU when the placement cannot recover) and warm-up. A failure during a
// recovery cancels the transfers in flight, joins the episode and restarts it from detection.
// The storage systems' checkpoint upload (N instances writing at once) is simulated once over the storage
// link at the start and its duration reused for every checkpoint (steady state).
//
// SimGrid allows one simulation per process (shared/simgrid-notes.md) in the sense that the clock and the
// network model outlive an Engine. simulate_failures creates its own Engine once the previous one (the
// ZeRO-3 replay's) has been destroyed, keeps the model already configured, and measures every time from
// its own start. It refuses to run while another Engine is alive.
#include "models/failure_economics.hpp"
#include "models/failure_process.hpp"
#include "models/placement.hpp"

#include <string>
#include <vector>

namespace gsim {

struct FailureSimSetup {
  EconomicsInputs econ; // bandwidths, sizes and phase durations (SI units)
  Placement placement;  // GEMINI's (Algorithm 1)
  double nic_latency_s  = 0;
  double pcie_latency_s = 0;
};

/** The setup of experiment `e` at iteration time `iteration_s`. */
FailureSimSetup failure_sim_setup(const Experiment& e, double iteration_s);

struct FailureSimOptions {
  double horizon_s            = 0;
  std::vector<System> systems = {System::strawman, System::highfreq, System::gemini};
  bool record_phases          = false; // keep the timeline of every episode (Fig 14, timeline.json)
  int recorded_iterations     = 4;     // iterations (and checkpoints) before each failure to keep
};

/** One row of the timeline: a phase of training or recovery. */
struct PhaseRecord {
  System system = System::none;
  int episode   = 0;     // the recovery episode (0, 1, ...)
  std::string phase;     // iteration_3, checkpoint_2, checkpoint_3_incomplete, detection, serialization,
                         // replacement, retrieval_cpu_memory, retrieval_storage, warmup, resume_at_iteration_3
  double start_s    = 0; // from the start of the run
  double duration_s = 0;
};

struct SystemOutcome {
  System system                  = System::none;
  int failures                   = 0; // events that hit the job
  int episodes                   = 0; // recoveries completed (failures during a recovery join it)
  int recoveries_from_cpu_memory = 0;
  int recoveries_from_storage    = 0;
  double lost_progress_s         = 0; // sum: training redone (wall time since the restored snapshot)
  double retrieval_s             = 0; // sum: the completed retrievals' transfers
  double recovery_s              = 0; // sum: failure to training resumed, every phase
  double useful_s                = 0; // training progress kept at the horizon
  double horizon_s               = 0;
  double productive_fraction     = 1; // failure-free share of time training (serialisation stalls)
  std::vector<PhaseRecord> phases;
  /** Lost progress + every recovery phase, per failure: the closed form's wasted_per_failure_s. */
  double wasted_per_failure_s() const { return failures ? (lost_progress_s + recovery_s) / failures : 0; }
  /** Lost progress + retrieval per failure: Expression (1), the quantity of Fig 10. */
  double expression1_per_failure_s() const { return failures ? (lost_progress_s + retrieval_s) / failures : 0; }
  double effective_training_time_ratio() const { return horizon_s > 0 ? useful_s / horizon_s : 0; }
};

struct FailureSimResult {
  std::vector<SystemOutcome> systems; // in the options' order
  int events              = 0;        // failure events delivered
  double storage_upload_s = 0;        // one checkpoint written by all instances at once (simulated)
  double wall_s           = 0;        // host time the simulation took
  const SystemOutcome& of(System s) const;
};

/** Simulates `events` (sorted by time) against each system over opt.horizon_s seconds. */
FailureSimResult simulate_failures(const FailureSimSetup& setup, const std::vector<FailureEvent>& events,
                                   const FailureSimOptions& opt);

/** The share of failure events that GEMINI recovers from CPU memory, by simulation: `events` events of
 *  e's failure process (model, k, domains, seed), every one hardware, one a day so that no recovery
 *  overlaps the next failure. Comparable with the placement's closed forms (models/placement.hpp). */
MonteCarloEstimate simulated_recovery_probability(const Experiment& e, int events);

} // namespace gsim
