#include "models/interference.hpp"

#include "models/config_error.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace gsim {

namespace {

// The series' one point (the benchmark reports slowdowns only, no size): its median counter.
double slowdown(const Series& s, const std::string& counter)
{
  if (s.counters.size() != 1 || not s.counters[0].count(counter))
    throw ConfigError(s.file, s.key(), "an interference series needs one benchmark with a " + counter + " counter");
  const double v = s.counters[0].at(counter);
  if (not std::isfinite(v) || v <= 0)
    throw ConfigError(s.file, s.key(), counter + " must be a positive number");
  return std::max(1.0, v);
}

std::optional<OverlapSlowdown> pair(const Calibration& cal, const std::string& family, std::string* file)
{
  const Series* s = cal.find(family); // the most ranks: NCCL between GPUs rather than its 1-GPU stand-in
  if (s == nullptr)
    return std::nullopt;
  *file                  = s->file;
  const std::string& lab = s->point_labels.empty() ? std::string() : s->point_labels[0];
  return OverlapSlowdown{s->key(), lab.substr(0, lab.find("; alone:")), slowdown(*s, "slowdown_comm"),
                         slowdown(*s, "slowdown_other"), s->repetitions.empty() ? 0 : s->repetitions[0]};
}

std::string ratio(double v)
{
  std::ostringstream o;
  o.precision(4);
  o << "x" << v;
  return o.str();
}

} // namespace

std::optional<Interference> interference_model(const Calibration& cal)
{
  Interference m;
  std::string file;
  m.gemm = pair(cal, "interference_gemm", &file);
  m.d2h  = pair(cal, "interference_d2h", &file);
  if (not m.gemm && not m.d2h)
    return std::nullopt;
  m.file = file; // Series::file is already repo-relative
  return m;
}

std::string Interference::describe() const
{
  std::string t = file + ": ";
  if (gemm)
    t += gemm->series + " (" + gemm->setup + "; median of " + std::to_string(gemm->repetitions) +
         "): compute kernels " + ratio(gemm->other) + " while a collective or checkpoint send is in flight; " +
         "the collective " + ratio(gemm->comm) + " while kernels run where NVLink bounds it (a ring paced by a NIC " +
         "or PCIe, and a checkpoint send, keep the network's time)";
  else
    t += "no interference_gemm series: compute and communication do not slow each other";
  if (d2h)
    t += "; " + d2h->series + " measured (GPU->CPU copy " + ratio(d2h->other) + ", collective " + ratio(d2h->comm) +
         "), not applied: the replay has no shared resource for three-way overlap of copy, collective and kernels";
  return t;
}

} // namespace gsim
