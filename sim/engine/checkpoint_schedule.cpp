// The plan the replay executes (sim/engine/checkpoint_traffic.hpp): the reduction of the profiled spans, the
// partition over them, where each plan span is issued and what of it is sent.
#include "sim/engine/checkpoint_traffic.hpp"

#include <algorithm>

namespace gsim {

std::vector<int> profiler_positions(const std::vector<CollOp>& ops)
{
  std::vector<int> out;
  int last_gather = -1;
  for (size_t j = 0; j < ops.size(); j++)
    if (ops[j] == CollOp::all_gather) {
      out.push_back(int(j) - 1);
      last_gather = int(j);
    }
  int previous = last_gather;
  bool first   = last_gather >= 0; // without all-gathers the first reduce-scatter writes no value
  for (size_t j = 0; j < ops.size(); j++) {
    if (ops[j] == CollOp::all_gather || ops[j] == CollOp::send_recv)
      continue;
    if (first)
      out.push_back(previous);
    first    = true;
    previous = int(j);
  }
  return out;
}

namespace {

// The artifact drops what its strategy could not place (strategy[len(gaps)] = -1): the chunks of the last
// span that end past its budget, and every span issued after a collective the iteration does not have.
void drop_leftovers(CheckpointSchedule& s, int ops)
{
  constexpr double kSlack_s = 1e-12; // the partition's own end-of-budget comparisons are at this grain
  for (size_t i = 0; i < s.plan.spans.size(); i++) {
    const auto& span = s.plan.spans[i];
    int keep         = int(span.chunks.size());
    if (s.after_op[i] >= ops)
      keep = 0;
    else if (i + 1 == s.plan.spans.size())
      while (keep > 0 && span.chunks[size_t(keep - 1)].end_s() > span.budget_s + kSlack_s)
        keep--;
    s.sent[i] = keep;
    for (size_t k = size_t(keep); k < span.chunks.size(); k++)
      s.dropped_bytes += span.chunks[k].bytes;
  }
}

} // namespace

CheckpointSchedule make_checkpoint_schedule(Scheme scheme, PartitionInputs in,
                                            const std::vector<std::vector<double>>& profiled_spans_s,
                                            double span_threshold_s, const SchedulePlacement& where,
                                            double free_gpu_bytes)
{
  CheckpointSchedule s;
  s.scheme            = scheme;
  s.leftovers         = where.leftovers;
  s.source            = where.source;
  s.profile           = reduce_idle_spans(profiled_spans_s, where.warmup, span_threshold_s);
  in.spans_s          = s.profile.kept_seconds();
  s.inputs            = in;
  s.plan              = plan_partition(scheme, in);
  s.memory            = check_gpu_buffer(s.plan, free_gpu_bytes);
  s.buffers           = scheme == Scheme::gemini || scheme == Scheme::blocking ? in.sub_buffers : 1;
  const int ops       = int(where.ops.size());
  const bool artifact = where.leftovers == Leftovers::artifact && scheme != Scheme::blocking;
  for (size_t i = 0; i < s.plan.spans.size(); i++) {
    int after = ops - 1; // no span kept: after the last collective (the artifact's strategy[len(gaps)] = -1)
    if (scheme == Scheme::blocking)
      after = -1;
    else if (i < s.profile.kept.size()) {
      const int p = s.profile.kept[i].position;
      after       = where.position_after_op.empty() ? p : where.position_after_op.at(size_t(p));
      if (artifact) // remote_snapshot tests comm_gap_id (from -1) before incrementing it: one collective late
        after = p + 1;
    }
    s.after_op.push_back(after);
    const bool opens_after_gradient = after >= 0 && after < ops && where.ops[size_t(after)] != CollOp::all_gather;
    s.beside.push_back(scheme != Scheme::blocking && opens_after_gradient ? 1 : 0);
    s.sent.push_back(int(s.plan.spans[i].chunks.size()));
  }
  if (artifact)
    drop_leftovers(s, ops);
  return s;
}

CheckpointSchedule make_checkpoint_schedule(Scheme scheme, PartitionInputs in,
                                            const std::vector<std::vector<double>>& profiled_spans_s,
                                            double span_threshold_s, int ops_per_iteration, double free_gpu_bytes)
{
  SchedulePlacement where;
  where.ops.assign(size_t(ops_per_iteration), CollOp::all_gather);
  return make_checkpoint_schedule(scheme, std::move(in), profiled_spans_s, span_threshold_s, where, free_gpu_bytes);
}

} // namespace gsim
