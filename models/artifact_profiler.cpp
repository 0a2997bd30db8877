#include "models/artifact_profiler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gsim {

double profiler_round_ms(double seconds)
{
  return std::round(seconds * 1e3 * 10) / 10;
}

std::vector<double> ProfilerLine::values_s() const
{
  std::vector<double> out;
  // Milliseconds to seconds with the reader's own factor (models/idle_profile.cpp), so that a written and
  // re-read line gives the same doubles.
  for (double v : allgather_ms)
    out.push_back(v * 1e-3);
  for (double v : reduce_scatter_ms)
    out.push_back(v * 1e-3);
  return out;
}

std::string ProfilerLine::text() const
{
  std::string o;
  char buf[32];
  auto put = [&](double v) {
    std::snprintf(buf, sizeof buf, "%.1f ", v);
    o += buf;
  };
  for (double v : allgather_ms)
    put(v);
  o += "- ";
  for (double v : reduce_scatter_ms)
    put(v);
  return o + "\n";
}

ProfilerLine profile_iteration(const std::vector<ProfiledCollective>& ops)
{
  ProfilerLine line;
  bool have_end   = false; // last_end_event is None until the first all-gather (or reduce-scatter)
  double last_end = 0;
  for (const auto& c : ops)
    if (c.op == CollOp::all_gather) {
      line.allgather_ms.push_back(profiler_round_ms(std::max(0.0, c.launch_stall_s)));
      last_end = c.end_s; // the all-gather loop leaves the last all-gather's end event behind
      have_end = true;
    }
  for (const auto& c : ops) {
    if (c.op == CollOp::all_gather || c.op == CollOp::send_recv)
      continue;
    // Without any all-gather the first reduce-scatter only sets last_end_event and writes nothing.
    if (have_end)
      line.reduce_scatter_ms.push_back(profiler_round_ms(std::max(0.0, c.start_s - last_end)));
    last_end = c.end_s;
    have_end = true;
  }
  return line;
}

double artifact_checkpoint_time_s(double checkpoint_bytes_per_gpu, int gpus_per_instance, double network_Gbps)
{
  const double mib = std::floor(checkpoint_bytes_per_gpu / 1024 / 1024);
  return mib * 8 * gpus_per_instance / network_Gbps / 1000;
}

} // namespace gsim
