#pragma once
// How far a sweep has got, on standard error: a bar redrawn in place on a terminal, one plain line
// per finished point otherwise (logs, CI, Slurm output files), e.g. "sweep: 3/12 done (1 skipped, 0 failed)".
#include <cstddef>
#include <string>

namespace gsim {

class SweepProgress {
 public:
  /** Starts the report for `total` points of which `skipped` were already done. */
  SweepProgress(size_t total, size_t skipped);
  /** One point finished; `failure` says why when it failed (empty when it succeeded). */
  void point_done(const std::string& failure);
  /** Ends the bar's line on a terminal. */
  void finish();
  size_t failed() const { return failed_; }

 private:
  void report();
  bool tty_;
  size_t total_;
  size_t done_;
  size_t skipped_;
  size_t failed_ = 0;
};

} // namespace gsim
