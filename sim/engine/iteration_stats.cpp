#include "sim/engine/iteration_stats.hpp"

#include <algorithm>

namespace gsim {

std::vector<IterationStats> iteration_stats(const ReplayResult& r, double threshold_s)
{
  const size_t n_op = r.program.comms.size();
  std::vector<IterationStats> out;
  for (size_t k = 0; k < r.iterations.size(); k++) {
    IterationStats s;
    s.index   = int(k);
    s.start_s = r.iterations[k].start;
    s.time_s  = r.iterations[k].end - r.iterations[k].start;
    for (const auto& c : r.computes)
      if (c.iteration == int(k))
        s.compute_s += c.end - c.start;
    s.exposed_communication_s = s.time_s - s.compute_s;
    if (n_op > 0) {
      // Records are stored (iteration, op) in issue order, which is the FIFO stream's start order.
      const CommRecord* ops = &r.comms[k * n_op];
      for (size_t j = 0; j < n_op; j++) {
        s.comm_busy_s += ops[j].end - ops[j].start;
        if (j > 0) {
          s.spans_s.push_back(std::max(0.0, ops[j].start - ops[j - 1].end));
          s.span_before.push_back(r.program.comms[j].op);
        }
      }
      const double head = ops[0].start - r.iterations[k].start;
      const double tail = k + 1 < r.iterations.size() ? r.comms[(k + 1) * n_op].start - ops[n_op - 1].end
                                                      : r.iterations[k].end - ops[n_op - 1].end + head;
      s.spans_s.push_back(std::max(0.0, tail));
      s.span_before.push_back(r.program.comms[0].op);
      std::vector<ProfiledCollective> seen;
      for (size_t j = 0; j < n_op; j++)
        seen.push_back({r.program.comms[j].op, ops[j].start, ops[j].end, 0.0});
      s.profiler = profile_iteration(seen);
    }
    for (double span : s.spans_s) {
      s.idle_total_s += span;
      s.longest_span_s = std::max(s.longest_span_s, span);
      if (span > threshold_s) {
        s.idle_long_s += span;
        s.long_spans++;
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

} // namespace gsim

namespace gsim {

ReducedSpans reduce_profiler_lines(const std::vector<IterationStats>& its, int warmup, double threshold_s)
{
  std::vector<std::vector<double>> lines;
  for (const auto& s : its)
    lines.push_back(s.profiler.values_s());
  const int skip = std::clamp(warmup, 0, std::max(0, int(lines.size()) - 1));
  return reduce_idle_spans(lines, skip, threshold_s);
}

} // namespace gsim
