#pragma once
// The one Chrome-trace builder (Perfetto, chrome://tracing) behind every timeline the tool writes: the
// replay's timeline.json and the failure simulation's failures_timeline.json.
//
// Times are rounded once, to whole nanoseconds, at each slice's start and end, and the duration is the
// difference of the two: slices that touch in the simulation touch in the trace. (Rounding the start and
// the duration separately made 1-ns overlaps that Perfetto drops.)
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace gsim {

class ChromeTrace {
 public:
  void process_name(int pid, const std::string& name);
  void thread_name(int pid, int tid, const std::string& name);
  /** A complete event ("X") from `start_s` to `end_s`; one that does not last a nanosecond is left out.
   *  `args` (an object) is shown with the slice when not null. */
  void slice(int pid, int tid, const std::string& name, const std::string& category, double start_s, double end_s,
             const nlohmann::json& args = nullptr);
  /** The trace file: {"displayTimeUnit":"ms","traceEvents":[...]}. */
  std::string json() const;
  /** Events written so far (metadata included). */
  size_t events() const { return events_; }

 private:
  void begin_event();
  std::string out_;
  size_t events_ = 0;
};

} // namespace gsim
