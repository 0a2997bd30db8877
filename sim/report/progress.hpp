#pragma once
// The one progress report of gemini-sim's long jobs (sweeps, figure all, single runs), on standard error
// only: never in a result file or on standard output. On a terminal a line is redrawn in place with a bar,
// what is running and the elapsed time, e.g. "sweep [#####.....] 3/12 done (1 skipped, 0 failed) 41 s"
// (a ticker redraws it each second, so a 40 s stage is seen to be alive). Off a terminal it is silent, so
// CI logs stay as they were, unless the style asks for plain lines (a sweep's Slurm log: one line per point,
// "sweep: 3/12 done (1 skipped, 0 failed)", without the time, so logs of equal runs are equal).
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace gsim {

struct ProgressStyle {
  bool lines_off_terminal = false; // one plain line per step when stderr is not a terminal
  double delay_s          = 0;     // on a terminal, drawn only once the job has run this long (quick runs: nothing)
  bool keep               = true;  // the last line stays on the terminal (else it is erased at the end)
};

class Progress {
 public:
  /** Starts reporting `label` over `total` steps of which `done` are already done, on standard error;
   *  `detail` is the text after the count (see advance). */
  Progress(std::string label, size_t total, size_t done = 0, ProgressStyle style = {}, std::string detail = "");
  /** The same on `out`, as if it were (`tty`) or were not a terminal (for tests). */
  Progress(std::string label, size_t total, size_t done, ProgressStyle style, std::string detail, FILE* out, bool tty);
  Progress(const Progress&)            = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  /** One more step done; `detail` (e.g. " (1 skipped, 0 failed)") replaces the text after the count. */
  void advance(const std::string& detail);
  /** What is running now, without a step done (e.g. " (simulation)"). */
  void detail(const std::string& detail);
  /** Prints a line that stays (a failure, a finished figure) above the bar: the bar is cleared first and
   *  redrawn after, so the two never share a line of the terminal. */
  void above(const std::function<void()>& print);
  /** Ends the report (the destructor does it too): the last line kept or erased, the ticker stopped. */
  void finish();

 private:
  void draw(bool plain_line); // with mutex_ held
  void tick();

  std::string label_;
  size_t total_;
  size_t done_;
  ProgressStyle style_;
  FILE* out_;
  bool tty_;
  std::string detail_;
  bool drawn_    = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread ticker_;
};

} // namespace gsim
