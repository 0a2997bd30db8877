#include "sim/engine/zero3_replay.hpp"

#include "models/framework_schedule.hpp"
#include "models/zero3_memory.hpp"
#include "sim/engine/collectives.hpp"
#include "sim/engine/gpu_contention.hpp"
#include "sim/engine/iteration_stats.hpp"
#include "sim/engine/platform.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>

XBT_LOG_NEW_DEFAULT_CATEGORY(gsim_replay, "gemini-sim ZeRO-3 iteration replay");

namespace gsim {

namespace {

// What the two streams share: the communication stream's FIFO of issued collectives and which are done.
struct Streams {
  const Zero3Program* program        = nullptr;
  const FrameworkSchedule* schedule  = nullptr;
  const RingCollectives* collectives = nullptr;
  const GpuContention* contention    = nullptr;
  int iterations                     = 0;
  sg4::MutexPtr mutex                = sg4::Mutex::create();
  sg4::ConditionVariablePtr issued   = sg4::ConditionVariable::create();
  sg4::ConditionVariablePtr done_cv  = sg4::ConditionVariable::create();
  std::deque<size_t> queue; // record indices, issue order
  std::vector<char> done;   // per (iteration, op)
  bool finished                 = false;
  ReplayResult* out             = nullptr;
  CheckpointTraffic* checkpoint = nullptr;
  int profile_iterations        = 0; // iterations before the checkpointed ones
  std::function<void()> plan;        // called at the start of the first checkpointed one

  size_t id(int iteration, int op) const { return size_t(iteration) * program->comms.size() + size_t(op); }
};

// Below SimGrid's numerical accuracy (sleep_for warns and does nothing): the host is then level with the GPU.
constexpr double kHostResolution_s = 1e-9;

// The compute stream: runs each step's kernels once the collective it needs is complete, issuing
// collectives at the hooks; the optimizer step waits for every collective of the iteration.
void compute_stream(Streams* s)
{
  const Zero3Program& p = *s->program;
  auto issue            = [s](int it, const std::vector<int>& ops) {
    const std::unique_lock lock(*s->mutex);
    for (int op : ops) {
      s->out->comms[s->id(it, op)].issued = sg4::Engine::get_clock();
      s->queue.push_back(s->id(it, op));
    }
    if (not ops.empty())
      s->issued->notify_all();
  };
  auto wait = [s](size_t id) {
    std::unique_lock lock(*s->mutex);
    s->done_cv->wait(lock, [s, id] { return s->done[id] != 0; });
  };
  auto run = [s](int it, int step, double seconds) {
    if (seconds <= 0)
      return;
    const double start = sg4::Engine::get_clock();
    s->contention->compute(seconds);
    s->out->computes.push_back({it, step, start, sg4::Engine::get_clock()});
  };
  for (int it = 0; it < s->iterations; it++) {
    if (it == s->profile_iterations && s->plan)
      s->plan(); // the profiled iterations are all done: their spans are known
    s->out->iterations.push_back({sg4::Engine::get_clock(), 0});
    if (s->checkpoint)
      s->checkpoint->begin_iteration(it);
    // The host's clock: when it has launched the current hook's kernels. It starts level with the GPU (the
    // previous optimizer step synchronised them) and runs ahead by each hook's host work while the GPU
    // drains its queue; the GPU waits when the host falls behind. Collectives are issued at the later of
    // the two, as before the host was modelled (where the host runs ahead they would go earlier).
    double host = sg4::Engine::get_clock();
    for (size_t k = 0; k < p.steps.size(); k++) {
      const ComputeStep& step = p.steps[k];
      host += step.host_s;
      if (s->schedule->host_syncs_device) // gemini-none: torch.cuda.synchronize() in the fetch
        host = std::max(host, sg4::Engine::get_clock());
      if (host - sg4::Engine::get_clock() >= kHostResolution_s)
        sg4::this_actor::sleep_until(host);
      issue(it, step.issue);
      if (step.wait_for >= 0) {
        wait(s->id(it, step.wait_for));
        if (s->schedule->host_waits_gather) // the fork's hook blocks on the all-gather stream
          host = std::max(host, s->out->comms[s->id(it, step.wait_for)].end);
      }
      run(it, int(k), step.seconds);
      issue(it, step.issue_after);
      if (step.wait_after >= 0) { // the host syncs on what it just issued (gemini-*: reduce_stream.synchronize())
        wait(s->id(it, step.wait_after));
        host = std::max(host, s->out->comms[s->id(it, step.wait_after)].end);
      }
    }
    if (not p.comms.empty())
      wait(s->id(it, int(p.comms.size()) - 1)); // FIFO: the last one done means all done
    if (s->checkpoint)
      s->checkpoint->wait_update(it); // the update overwrites the states being checkpointed
    run(it, -1, p.optimizer_s);
    s->out->iterations.back().end = sg4::Engine::get_clock();
    if (s->checkpoint)
      s->checkpoint->end_iteration(it);
  }
  if (s->checkpoint)
    s->checkpoint->finish();
  const std::unique_lock lock(*s->mutex);
  s->finished = true;
  s->issued->notify_all();
}

// What the plan is made over: the profiled iterations' physical idle spans, or what the artifact's profiler
// records of them (then with its positions and its reader's warm-up lines); `spans` gets one list per iteration.
SchedulePlacement planning_view(const Experiment& e, const Zero3Program& program,
                                const std::vector<IterationStats>& profiled, std::vector<std::vector<double>>* spans)
{
  SchedulePlacement where;
  for (const auto& c : program.comms)
    where.ops.push_back(c.op);
  where.leftovers = e.checkpoint.leftovers;
  where.source    = e.checkpoint.span_source;
  for (const auto& st : profiled)
    spans->push_back(where.source == SpanSource::physical ? st.spans_s : st.profiler.values_s());
  if (where.source == SpanSource::profiler) {
    where.position_after_op = profiler_positions(where.ops);
    where.warmup            = std::clamp(e.checkpoint.profile_warmup_lines, 0, int(spans->size()) - 1);
  }
  return where;
}

// One collective on the communication stream, sharing the GPU with the kernels when interference is priced.
void run_collective(const Streams& s, CollOp op, double bytes)
{
  if (not s.contention->active())
    s.collectives->run(op, bytes);
  else if (s.collectives->mode() != CollectiveMode::flow && s.collectives->nvlink_bound())
    // NVLink bounds the ring (what the interference was measured on); hierarchical mode prices NVLink steps
    // analytically too, so both stretch the collective as measured.
    s.contention->comm(s.collectives->analytic_time_s(op, bytes));
  else if (s.collectives->mode() == CollectiveMode::analytic)
    s.contention->comm_network_bound(s.collectives->analytic_time_s(op, bytes));
  else
    s.contention->comm_flows([&s, op, bytes] { s.collectives->run(op, bytes); });
}

// The communication stream: one collective at a time, in issue order (NCCL serialises the kernels of
// one communicator, and ZeRO-3's all-gathers and reduce-scatters share the data-parallel one).
void comm_stream(Streams* s)
{
  for (;;) {
    size_t id = 0;
    {
      std::unique_lock lock(*s->mutex);
      s->issued->wait(lock, [s] { return not s->queue.empty() || s->finished; });
      if (s->queue.empty())
        return;
      id = s->queue.front();
      s->queue.pop_front();
    }
    const int it     = s->out->comms[id].iteration;
    const int op_idx = s->out->comms[id].op;
    if (s->checkpoint && op_idx == 0)
      s->checkpoint->after_op(it, -1); // blocking: the checkpoint goes before the iteration's training traffic
    if (s->checkpoint)                 // a reduce-scatter waits for the chunks queued after the previous one
      s->checkpoint->before_op(it, op_idx);
    CommRecord& rec  = s->out->comms[id];
    const CommOp& op = s->program->comms[size_t(rec.op)];
    rec.start        = sg4::Engine::get_clock();
    if (op.op == CollOp::all_reduce) { // NCCL's ring all-reduce: a reduce-scatter phase, then an all-gather phase
      run_collective(*s, CollOp::reduce_scatter, op.bytes);
      run_collective(*s, CollOp::all_gather, op.bytes);
    } else
      run_collective(*s, op.op, op.bytes);
    rec.end = sg4::Engine::get_clock();
    {
      const std::unique_lock lock(*s->mutex);
      s->done[id] = 1;
      s->done_cv->notify_all();
    }
    if (s->checkpoint) // chunks planned into the span this collective opens
      s->checkpoint->after_op(it, op_idx);
  }
}

// What interference added to each iteration: every record's time beyond its work alone.
InterferenceReplay interference_added(const ReplayResult& out, const RingCollectives& coll, int iterations,
                                      const Interference& m)
{
  InterferenceReplay r{m.describe(), std::vector<double>(size_t(iterations)), std::vector<double>(size_t(iterations))};
  const Zero3Program& p = out.program;
  for (const auto& c : out.computes)
    r.compute_stretch_s[size_t(c.iteration)] +=
        (c.end - c.start) - (c.step < 0 ? p.optimizer_s : p.steps[size_t(c.step)].seconds);
  if (coll.mode() == CollectiveMode::flow || (coll.mode() == CollectiveMode::hierarchical && not coll.nvlink_bound())) {
    r.pricing += "; flow mode: the collectives hold their GPU share, the network sets their time";
    return r;
  }
  for (const auto& c : out.comms) {
    const CommOp& op   = p.comms[size_t(c.op)];
    const double alone = op.op == CollOp::all_reduce ? coll.analytic_time_s(CollOp::reduce_scatter, op.bytes) +
                                                           coll.analytic_time_s(CollOp::all_gather, op.bytes)
                                                     : coll.analytic_time_s(op.op, op.bytes);
    r.comm_stretch_s[size_t(c.iteration)] += (c.end - c.start) - alone;
  }
  return r;
}

} // namespace

double typical_message_bytes(const Zero3Program& p)
{
  std::vector<double> sizes;
  double total = 0;
  for (const auto& c : p.comms) {
    sizes.push_back(c.bytes);
    total += c.bytes;
  }
  if (sizes.empty())
    return 0;
  std::sort(sizes.begin(), sizes.end());
  double above = total;
  for (double b : sizes) {
    if (above - b < total / 2)
      return b;
    above -= b;
  }
  return sizes.back();
}

namespace {

// Fig 8's bars: the idle time the profile saw in spans over `threshold`, and what is left of it once the
// checkpoint's chunks ran, per checkpointed iteration.
void account_idle_left(ReplayResult& out, double threshold)
{
  const auto its                 = iteration_stats(out, threshold);
  auto& ck                       = out.checkpoint;
  const std::vector<double>& was = ck.profile_spans_s;
  for (auto& rec : ck.iterations) {
    const auto& now = its[size_t(rec.iteration)];
    for (size_t p = 0; p < was.size() && p < now.spans_s.size(); p++)
      if (was[p] > threshold)
        rec.idle_left_s += now.spans_s[p];
    for (size_t k = 0; k < rec.span_busy_s.size(); k++) {
      const int after = ck.schedule.after_op[k];
      if (after >= 0 && size_t(after) < was.size() && was[size_t(after)] > threshold)
        rec.idle_left_s -= rec.span_busy_s[k];
    }
    rec.idle_left_s = std::max(0.0, rec.idle_left_s);
  }
}

} // namespace

ReplayResult replay_zero3(const Experiment& e, const CostModel& cost)
{
  static bool once = false;
  if (once)
    throw std::logic_error("replay_zero3: one SimGrid simulation per process (run a child process)");
  once = true;

  ReplayResult out;
  out.program = make_zero3_program(e, cost);
  out.spec    = platform_spec(e, cost, typical_message_bytes(out.program));

  sg4::Engine engine("gemini-sim");
  configure_network_model();
  const Platform platform(out.spec);
  RingCollectives collectives(out.spec, &platform, e.run.collectives);
  collectives.set_nvlink_shared(e.checkpoint.peers == PeerScope::same_instance && e.checkpoint.replicas > 1 &&
                                e.checkpoint.scheme != Scheme::none);
  NetworkActivity network; // who moves bytes when: lets a collective with the network to itself skip its flows
  collectives.set_network(&network);

  const bool checkpointing = e.checkpoint.scheme != Scheme::none;
  const int profiled       = checkpointing ? e.checkpoint.profile_iterations : 0;
  const int iterations     = profiled + e.run.iterations;
  CheckpointTraffic traffic(platform, e.run.collectives, {e.checkpoint.placement, e.checkpoint.peers}, &out.checkpoint);
  const std::optional<Interference> interference = interference_model(cost.calibration());
  const GpuContention contention(interference, platform.gpu(0)); // the GPU the actors replay
  traffic.set_contention(&contention);
  traffic.set_network(&network);

  Streams s;
  s.program           = &out.program;
  s.schedule          = &framework_schedule(e.training.framework);
  s.collectives       = &collectives;
  s.contention        = &contention;
  s.iterations        = iterations;
  s.out               = &out;
  const size_t n_comm = out.program.comms.size() * size_t(iterations);
  s.done.assign(n_comm, 0);
  out.comms.resize(n_comm);
  for (int it = 0; it < iterations; it++)
    for (size_t op = 0; op < out.program.comms.size(); op++)
      out.comms[s.id(it, int(op))] = {it, int(op), 0, 0, 0};
  out.computes.reserve(out.program.steps.size() * size_t(iterations));
  if (checkpointing) {
    // GEMINI's online profiling (§5.4): plan over what the first iterations left idle.
    const PartitionInputs in = checkpoint_partition_inputs(e, cost, true, "the replay's calibration").inputs;
    const double free_gpu    = estimate_gpu_memory(e).free();
    s.checkpoint             = &traffic;
    s.profile_iterations     = profiled;
    s.plan                   = [&out, &e, &traffic, in, free_gpu, profiled] {
      const auto profiled_stats = iteration_stats(out, e.checkpoint.span_threshold_s);
      std::vector<std::vector<double>> spans;
      const SchedulePlacement where = planning_view(e, out.program, profiled_stats, &spans);
      traffic.start(
                            make_checkpoint_schedule(e.checkpoint.scheme, in, spans, e.checkpoint.span_threshold_s, where, free_gpu),
                            profiled, where.ops);
      // Measured now, before any checkpoint traffic: the last profiled iteration's trailing span ends at
      // its own head (iteration_report.hpp), not at a checkpointed iteration's first collective.
      out.checkpoint.profile_iteration_time_s = profiled_stats.back().time_s;
      out.checkpoint.profile_idle_time_s      = profiled_stats.back().idle_long_s;
      out.checkpoint.profile_spans_s          = profiled_stats.back().spans_s;
    };
  }

  sg4::Actor::create("compute-stream", platform.gpu(0), compute_stream, &s);
  sg4::Actor::create("comm-stream", platform.gpu(0), comm_stream, &s);
  engine.run();
  if (out.iterations.size() != size_t(iterations) || not s.finished)
    throw std::logic_error("replay_zero3: the simulation ended before the last iteration (deadlock)");
  if (contention.active())
    out.interference = interference_added(out, collectives, iterations, *interference);
  else
    out.interference.pricing =
        interference ? interference->describe() : "none: the calibration has no interference_* series";
  if (checkpointing) {
    traffic.summarize();
    account_idle_left(out, e.checkpoint.span_threshold_s);
  }
  XBT_DEBUG("replayed %d iterations in %g simulated seconds", iterations, sg4::Engine::get_clock());
  return out;
}

} // namespace gsim
