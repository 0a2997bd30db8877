#pragma once
// What failures cost a training job, in closed form (paper §2.1 Expressions 1 and 2, §7.1 baselines,
// Figs 10, 11, 12, 14 and 15).
//
// Systems (paper §7.1):
//   * none:     no failures and no checkpoints: the ideal, ratio 1.
//   * strawman: torch.save() (blocking) then an asynchronous upload to remote storage, every
//               storage.strawman_interval_h (3 h, as BLOOM).
//   * highfreq: the same, as often as Expression (2) allows: every ceil(t_ckpt / T_iter) iterations.
//   * gemini:   a checkpoint to CPU memory (local + m - 1 peers) every iteration, its traffic hidden
//               in the network's idle spans of the next iteration, so training never blocks. Its
//               copy to remote storage (checkpoint.storage_interval_h) is written from CPU memory by
//               the host, off the training path, and costs training nothing either.
//
// Every input is derived from the experiment (economics_inputs); none of the paper's results is here.
#include "models/config.hpp"

#include <string>
#include <vector>

namespace gsim {

GSIM_CHOICE(System, none, strawman, highfreq, gemini);
/** none, strawman, highfreq, gemini: the order figures and summaries use. */
const std::vector<System>& all_systems();

/** Expression (1): average wasted time of one failure, seconds: t_ckpt + 1/(2f) + t_rtvl
 *  (checkpoint time s, checkpoint frequency Hz, retrieval time s). */
double wasted_time_s(double checkpoint_s, double frequency_hz, double retrieval_s);

/** Expression (2): the highest checkpoint frequency, Hz: 1/f >= max(t_ckpt, T_iter). */
double max_checkpoint_frequency_hz(double checkpoint_s, double iteration_s);

/** HighFreq's interval in iterations: the fewest whole iterations that satisfy Expression (2),
 *  ceil(t_ckpt / T_iter), at least 1. */
int highfreq_interval_iterations(double checkpoint_s, double iteration_s);

/** Everything the closed forms need, in SI units, derived from one experiment. */
struct EconomicsInputs {
  int instances                    = 0;
  int replicas                     = 0; // m
  double checkpoint_bytes          = 0; // the whole job's checkpoint: 12 B/param (fp32 weights + Adam m, v)
  double storage_Bps               = 0; // remote persistent storage, aggregate over all instances
  double instance_Bps              = 0; // one instance's NICs: a replaced instance pulls from a peer over them
  double local_restore_Bps         = 0; // one instance's CPU -> GPU path (PCIe), for restoring a local copy
  double serialization_Bps         = 0; // torch.save() throughput of one instance
  double iteration_s               = 0; // T_iter
  double strawman_interval_s       = 0;
  double gemini_storage_interval_s = 0;
  double detection_s               = 0;
  double warmup_s                  = 0;
  double replacement_s             = 0; // 0 with standby machines
  double hardware_fraction         = 0; // share of failures that replace a machine
  double per_instance_bytes() const { return checkpoint_bytes / instances; }
};

/** Derives the inputs from `e` with iteration time `iteration_s` (configured or simulated). */
EconomicsInputs economics_inputs(const Experiment& e, double iteration_s);

/** The cost of one failure by phase, seconds. lost_progress + retrieval is Expression (1). */
struct FailureCost {
  double lost_progress_s = 0; // t_ckpt + 1/(2f): training since the last complete checkpoint, redone
  double retrieval_s     = 0; // t_rtvl
  double detection_s     = 0;
  double serialization_s = 0; // GEMINI: torch.save() of the m in-memory replicas before restarting
  double replacement_s   = 0; // hardware failures without standby machines
  double warmup_s        = 0;
  double expression1_s() const { return lost_progress_s + retrieval_s; }
  double total_s() const;
};

struct SystemEconomics {
  System system                       = System::none;
  double checkpoint_s                 = 0; // t_ckpt: from the snapshot to a complete checkpoint
  double period_s                     = 0; // 1/f in wall-clock time (0: never checkpoints)
  double blocking_s                   = 0; // training stalled per checkpoint (torch.save())
  double productive_fraction          = 1; // share of failure-free wall-clock time spent training
  double checkpoints_per_hour_cpu     = 0; // to CPU memory (Fig 12)
  double checkpoints_per_hour_storage = 0; // to remote persistent storage (Fig 12)
  FailureCost software;                    // no machine replaced
  FailureCost hardware;                    // one machine replaced
  double wasted_per_failure_s = 0;         // the two mixed by the hardware fraction
};

/** One system's checkpoint cadence, failure-free productive fraction and per-failure cost. */
SystemEconomics system_economics(System s, const EconomicsInputs& in);

/** Share of a day's wall-clock time that is useful training with `failures_per_day` failures:
 *  productive_fraction * max(0, 1 - failures_per_day * wasted_per_failure_s / 86400). */
double effective_training_time_ratio(const SystemEconomics& s, double failures_per_day);

/** Fig 11: checkpoint time to remote storage over GEMINI's checkpoint time to peers' CPU memory,
 *  (N C / storage_Bps) / ((m - 1) C / (efficiency * instance_Bps)) for a per-instance checkpoint of C
 *  bytes; `network_efficiency` is the achieved fraction of the instance's network bandwidth. */
double checkpoint_time_reduction(int instances, double instance_Bps, double storage_Bps, int replicas,
                                 double network_efficiency);

} // namespace gsim
