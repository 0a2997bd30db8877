#include "sim/report/iteration_report.hpp"

#include "sim/report/chrome_trace.hpp"
#include "sim/report/csv_writer.hpp"
#include "sim/report/summary.hpp"

#include <algorithm>
#include <sstream>

namespace gsim {

std::string iterations_csv(const std::vector<IterationStats>& its)
{
  std::string o = csv_record({"iteration", "start_s", "iteration_time_s", "compute_time_s", "exposed_communication_s",
                              "communication_busy_s", "network_idle_total_s", "network_idle_time_s", "idle_spans",
                              "long_idle_spans", "longest_idle_span_s"});
  for (const auto& s : its)
    o += csv_record({std::to_string(s.index), csv_number(s.start_s), csv_number(s.time_s), csv_number(s.compute_s),
                     csv_number(s.exposed_communication_s), csv_number(s.comm_busy_s), csv_number(s.idle_total_s),
                     csv_number(s.idle_long_s), std::to_string(s.spans_s.size()), std::to_string(s.long_spans),
                     csv_number(s.longest_span_s)});
  return o;
}

std::string comm_gap_text(const std::vector<IterationStats>& its)
{
  std::string o;
  for (const auto& s : its)
    o += s.profiler.text();
  return o;
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

// The checkpoint traffic of GPU 0 of instance 0 (the ranks run in lockstep) on three tracks from
// `first_tid`: sends over the NIC and waits for a sub-buffer, the receiver's GPU -> CPU copies, local copies.
void checkpoint_tracks(ChromeTrace& t, const CheckpointReplay& c, int first_tid)
{
  if (c.chunks.empty() && c.local.empty())
    return;
  t.thread_name(0, first_tid, "gpu 0 checkpoint send (NIC)");
  t.thread_name(0, first_tid + 1, "gpu 0 checkpoint copy to CPU (PCIe, received)");
  t.thread_name(0, first_tid + 2, "gpu 0 checkpoint copy to CPU (PCIe, local)");
  for (const auto& ch : c.chunks) {
    const std::string what = fmt("%.1f MB", double(ch.bytes) / 1e6) + " replica " + std::to_string(ch.replica);
    t.slice(0, first_tid, "wait for sub-buffer " + std::to_string(ch.buffer), "checkpoint", ch.queued, ch.sent_start);
    t.slice(0, first_tid, "send " + what, "checkpoint", ch.sent_start, ch.sent_end);
    t.slice(0, first_tid + 1, "copy " + what, "checkpoint", ch.copy_start, ch.in_cpu);
  }
  for (const auto& l : c.local)
    t.slice(0, first_tid + 2, "local copy " + fmt("%.1f MB", double(l.bytes) / 1e6), "checkpoint", l.copy_start,
            l.in_cpu);
}

} // namespace

std::string timeline_json(const ReplayResult& r, const std::vector<int>& ranks)
{
  const int g_count = r.spec.gpus_per_instance;
  ChromeTrace t;
  int last_pid = -1;
  for (int rank : ranks) {
    const int pid = rank / g_count, gpu = rank % g_count;
    if (pid != last_pid)
      t.process_name(pid, "instance " + std::to_string(pid));
    last_pid = pid;
    t.thread_name(pid, 2 * gpu, "gpu " + std::to_string(gpu) + " compute");
    t.thread_name(pid, 2 * gpu + 1, "gpu " + std::to_string(gpu) + " communication");
    for (const auto& c : r.computes) {
      const std::string name = c.step < 0 ? "optimizer step" : r.program.steps[size_t(c.step)].label;
      t.slice(pid, 2 * gpu, name, "compute", c.start, c.end);
    }
    for (const auto& c : r.comms) {
      const auto& op = r.program.comms[size_t(c.op)];
      t.slice(pid, 2 * gpu + 1, to_string(op.op) + " " + op.label, to_string(op.op), c.start, c.end);
    }
  }
  checkpoint_tracks(t, r.checkpoint, 2 * g_count);
  return t.json();
}

} // namespace gsim
