#include "sim/report/iteration_report.hpp"

#include "sim/report/summary.hpp"

#include <algorithm>
#include <sstream>

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

std::string iterations_csv(const std::vector<IterationStats>& its)
{
  std::ostringstream o;
  o << "iteration,start_s,iteration_time_s,compute_time_s,exposed_communication_s,communication_busy_s,"
       "network_idle_total_s,network_idle_time_s,idle_spans,long_idle_spans,longest_idle_span_s\n";
  for (const auto& s : its)
    o << s.index << "," << fmt("%.6f", s.start_s) << "," << fmt("%.6f", s.time_s) << "," << fmt("%.6f", s.compute_s)
      << "," << fmt("%.6f", s.exposed_communication_s) << "," << fmt("%.6f", s.comm_busy_s) << ","
      << fmt("%.6f", s.idle_total_s) << "," << fmt("%.6f", s.idle_long_s) << "," << s.spans_s.size() << ","
      << s.long_spans << "," << fmt("%.6f", s.longest_span_s) << "\n";
  return o.str();
}

std::string comm_gap_text(const std::vector<IterationStats>& its)
{
  std::ostringstream o;
  for (const auto& s : its) {
    std::string ag, rs;
    for (size_t j = 0; j + 1 < s.spans_s.size(); j++)
      (s.span_before[j] == CollOp::all_gather ? ag : rs) += fmt("%.1f ", s.spans_s[j] * 1e3);
    const std::string trailing = s.spans_s.empty() ? "" : fmt("%.1f", s.spans_s.back() * 1e3);
    o << ag << "- " << rs << trailing << "\n";
  }
  return o.str();
}

std::vector<int> default_timeline_ranks(const PlatformSpec& spec)
{
  std::vector<int> ranks;
  for (int g = 0; g < spec.gpus_per_instance; g++)
    ranks.push_back(g);
  if (spec.instances > 1)
    ranks.push_back((spec.instances - 1) * spec.gpus_per_instance);
  return ranks;
}

namespace {
std::string escaped(const std::string& s)
{
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

void event(std::ostringstream& o, bool& first, const std::string& name, const char* cat, double start, double end,
           int pid, int tid)
{
  o << (first ? "\n" : ",\n") << "{\"name\":\"" << escaped(name) << "\",\"cat\":\"" << cat
    << "\",\"ph\":\"X\",\"ts\":" << fmt("%.3f", start * 1e6) << ",\"dur\":" << fmt("%.3f", (end - start) * 1e6)
    << ",\"pid\":" << pid << ",\"tid\":" << tid << "}";
  first = false;
}

void meta(std::ostringstream& o, bool& first, const char* what, int pid, int tid, const std::string& name)
{
  o << (first ? "\n" : ",\n") << "{\"name\":\"" << what << "\",\"ph\":\"M\",\"pid\":" << pid << ",\"tid\":" << tid
    << ",\"args\":{\"name\":\"" << escaped(name) << "\"}}";
  first = false;
}
} // namespace

std::string timeline_json(const ReplayResult& r, const std::vector<int>& ranks)
{
  const int g_count = r.spec.gpus_per_instance;
  std::ostringstream o;
  o << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[";
  bool first   = true;
  int last_pid = -1;
  for (int rank : ranks) {
    const int pid = rank / g_count, gpu = rank % g_count;
    if (pid != last_pid)
      meta(o, first, "process_name", pid, 0, "instance " + std::to_string(pid));
    last_pid = pid;
    meta(o, first, "thread_name", pid, 2 * gpu, "gpu " + std::to_string(gpu) + " compute");
    meta(o, first, "thread_name", pid, 2 * gpu + 1, "gpu " + std::to_string(gpu) + " communication");
    for (const auto& c : r.computes) {
      const std::string name = c.step < 0 ? "optimizer step" : r.program.steps[size_t(c.step)].label;
      event(o, first, name, "compute", c.start, c.end, pid, 2 * gpu);
    }
    for (const auto& c : r.comms) {
      const auto& op = r.program.comms[size_t(c.op)];
      event(o, first, to_string(op.op) + " " + op.label, to_string(op.op).c_str(), c.start, c.end, pid, 2 * gpu + 1);
    }
  }
  o << "\n]}\n";
  return o.str();
}

} // namespace gsim
