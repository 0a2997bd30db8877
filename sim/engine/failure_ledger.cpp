// The closed-arithmetic bookkeeping of the failure simulation (sim/engine/failure_ledger.hpp for why it is
// a file of its own): no SimGrid here, only the steady state's progress and checkpoints.
#include "sim/engine/failure_ledger.hpp"

#include <algorithm>
#include <cmath>

namespace gsim::failure_sim_detail {

Ledger::Ledger(System sys, const FailureSimSetup& setup, const FailureSimOptions& opt, double upload_s,
               SystemOutcome* out)
    : sys_(sys), opt_(opt), out_(out)
{
  const auto& in          = setup.econ;
  const SystemEconomics e = system_economics(sys, in);
  if (recovers_from_cpu(sys)) {
    c_.period_s       = in.iteration_s;
    c_.training_s     = in.iteration_s;
    c_.cpu_ckpt_s     = e.checkpoint_s;
    c_.storage_s      = in.gemini_storage_interval_s;
    c_.cpu_checkpoint = true;
  } else {
    c_.period_s   = e.period_s;
    c_.training_s = e.period_s - e.blocking_s;
    c_.storage_s  = e.period_s;
  }
  c_.upload_s               = upload_s;
  out_->system              = sys;
  out_->horizon_s           = opt.horizon_s;
  out_->productive_fraction = c_.training_s / c_.period_s;
}

double Ledger::work_at(double t) const
{
  const double elapsed = std::max(0.0, t - resume_);
  const double cycles  = std::floor(elapsed / c_.period_s);
  return base_ + cycles * c_.training_s + std::min(c_.training_s, elapsed - cycles * c_.period_s);
}

void Ledger::record(const std::string& phase, double start, double duration)
{
  if (opt_.record_phases)
    out_->phases.push_back({sys_, out_->episodes, phase, start, duration});
}

void Ledger::record_training(double t)
{
  if (not opt_.record_phases)
    return;
  const long current = long(std::floor((t - resume_) / c_.period_s)); // 0-based, in progress at t
  for (long j = std::max(0L, current - opt_.recorded_iterations + 1); j <= current; j++) {
    const double start = resume_ + double(j) * c_.period_s;
    record("iteration_" + std::to_string(iteration0_ + j + 1), start, std::min(c_.period_s, t - start));
    if (c_.cpu_checkpoint && j >= 1) { // the checkpoint of iteration j runs during iteration j + 1
      const double ck = resume_ + double(j) * c_.period_s;
      const bool done = ck + c_.cpu_ckpt_s <= t;
      record("checkpoint_" + std::to_string(iteration0_ + j) + (done ? "" : "_incomplete"), ck,
             std::min(c_.cpu_ckpt_s, t - ck));
    }
  }
}

Target Ledger::cpu_target(double t) const
{
  if (not c_.cpu_checkpoint)
    return {};
  const long j = std::max(0L, long(std::floor((t - resume_ - c_.cpu_ckpt_s) / c_.period_s)));
  return {base_ + double(j) * c_.training_s, t - (resume_ + double(j) * c_.period_s), iteration0_ + j};
}

Target Ledger::storage_target(double t)
{
  const long q = long(std::floor((t - resume_ - c_.upload_s) / c_.storage_s));
  if (q >= 1) {
    const double snap = resume_ + double(q) * c_.storage_s; // serialised and uploading from here
    stored_work_      = sys_ == System::gemini ? work_at(snap) : base_ + double(q) * c_.training_s;
    return {stored_work_, t - snap, 0};
  }
  // Nothing new in storage this stretch: back past its start, to the durable checkpoint.
  return {stored_work_, (t - resume_) + (base_ - stored_work_) / out_->productive_fraction, 0};
}

void Ledger::resumed(double t, double now, const Target& target, bool from_cpu, double retrieval_s)
{
  out_->episodes++;
  (from_cpu ? out_->recoveries_from_cpu_memory : out_->recoveries_from_storage)++;
  out_->lost_progress_s += target.lost_s;
  out_->retrieval_s += retrieval_s;
  out_->recovery_s += now - t;
  iteration0_ = from_cpu ? target.iteration : 0;
  record("resume_at_iteration_" + std::to_string(iteration0_ + 1), now, 0);
  resume_ = now;
  base_   = target.work;
}

void Ledger::finish(const Target& target)
{
  out_->useful_s = target.work;
  out_->lost_progress_s += target.lost_s;
}

} // namespace gsim::failure_sim_detail
