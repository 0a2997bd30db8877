#pragma once
// What one run carries from stage to stage (sim/run/pipeline.hpp): the experiment, the typed results of the
// stages that ran before, and the report that every stage writes its part of. A stage reads what earlier
// stages left here, never another stage's summary keys.
#include "models/calibration.hpp"
#include "models/config.hpp"
#include "models/failure_economics.hpp"
#include "models/zero3_memory.hpp"
#include "sim/engine/iteration_stats.hpp"
#include "sim/engine/zero3_replay.hpp"
#include "sim/report/summary.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gsim {

/** How the caller wants the run written (not part of the experiment: the same config, other files). */
struct RunOptions {
  bool timeline = false; // write timeline.json (large: every kernel and collective of the traced ranks)
};

/** The SimGrid replay and what it measured per iteration, at the run's span threshold. */
struct SimulatedRun {
  ReplayResult replay;
  std::vector<IterationStats> iterations; // profiled iterations first, then the checkpointed ones

  /** The steady state: the last simulated iteration (it carries a checkpoint when any iteration does). */
  const IterationStats& steady() const { return iterations.back(); }
  /** Whether the steady-state iteration carried checkpoint traffic. */
  bool checkpointed() const { return not replay.checkpoint.iterations.empty(); }
  /** The last iteration without checkpoint traffic (the profiled one when checkpointing). */
  double clean_iteration_s() const
  {
    return checkpointed() ? replay.checkpoint.profile_iteration_time_s : steady().time_s;
  }
};

struct RunContext {
  explicit RunContext(const Experiment& e, RunOptions o = {}) : experiment(e), options(o) {}

  const Experiment& experiment;
  const RunOptions options;
  RunResult report;

  // The model stage.
  GpuMemoryEstimate memory;
  // The calibration the run prices kernels and links with; nullptr while it is not committed
  // (`calibration_missing` says why).
  const Calibration* calibration = nullptr;
  std::string calibration_missing;
  // The simulation stage; empty when nothing was simulated (`report` says why).
  std::optional<SimulatedRun> simulated;

  /** The iteration time the failure models use: failures.iteration_time_s when set (a measured input),
   *  else the simulated steady-state iteration; empty when there is neither. */
  std::optional<double> failure_iteration_s() const;
  /** Why the job cannot train at all ("" when it can): the model does not fit in GPU memory. Later stages
   *  report nothing as if it ran. */
  std::string cannot_train() const;
  /** Why GEMINI cannot checkpoint this job ("" when it can): its GPU buffer does not fit beside training
   *  (the simulated checkpoint's status "oom"). The failure stages then leave GEMINI out. */
  std::string gemini_cannot_run() const;
  /** The systems the failure stages price, in all_systems() order: GEMINI left out when gemini_cannot_run()
   *  (the economics and the failure stage use this one list). */
  std::vector<System> systems_that_run() const;
  /** Whether failure_iteration_s() came from the configuration rather than the simulation. */
  bool failure_iteration_configured() const { return experiment.failures.iteration_time_s > 0; }

  /** Opens the report's section `title` (a stage's first line) and returns the report to fill. */
  RunResult& section(const std::string& title)
  {
    report.section(title);
    return report;
  }
  /** Reports `text` as the current section's note under `key` (JSON) and "note" (text). */
  void note(const std::string& key, const std::string& text);
  /** When the job cannot train (cannot_train()), notes "<verb>: <why>" under `key` and returns true: the
   *  stage then reports nothing as if it ran. */
  bool skip_untrainable(const std::string& key, const std::string& verb);
  /** When GEMINI cannot run, notes why under `key` ("GEMINI left out: ..."). */
  void note_gemini_left_out(const std::string& key);
};

} // namespace gsim
