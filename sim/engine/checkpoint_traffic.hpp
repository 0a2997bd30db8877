#pragma once
// GEMINI's checkpoint traffic inside the ZeRO-3 replay (paper §5, shared/gemini-paper.md §1.4).
//
// The replay first runs checkpoint.profile_iterations iterations without checkpoints and records the
// network's idle spans (sim/engine/iteration_stats.hpp), as GEMINI's online profiling does (§5.4). It then plans
// the partition (models/checkpoint_partition.hpp: Algorithm 2 or a Fig 16 scheme) over them, and every
// following iteration carries one whole checkpoint:
//  * the chunks run on a checkpoint stream of their own, as the artifact's do (torch.distributed
//    batch_isend_irecv inside torch.cuda.stream(checkpoint_comm_stream), its own NCCL point-to-point
//    communicator: deepspeed/runtime/snapshot/snapshot_comm.py, remote_snapshot_blocks). A plan span's chunks
//    are queued there when the collective that opens the span has ended (blocking: before the iteration's
//    first collective), and what waits for them depends on that collective:
//      - after an all-gather: the all-gather stream waits for the checkpoint stream (stream.wait_stream), so
//        every later collective queues behind the chunks;
//      - after a reduce-scatter (or all-reduce): the chunks start at once and run beside the all-gathers that
//        follow (flow mode: flows on the same NICs and links), and only the next reduce-scatter waits;
//  * a chunk goes GPU -> peer GPU (the peer GPU of the same local index on the instance the placement
//    names, models/placement.hpp) into one of the receiver's sub-buffers, and waits for that sub-buffer
//    until its previous chunk has been copied out; the receiver then copies it GPU -> CPU over PCIe, one
//    chunk after another (p sub-buffers: receiving i+1 overlaps copying i; one buffer: no overlap);
//  * the local copy GPU -> own CPU is partitioned like the first remote copy, each local chunk issued when
//    its remote twin starts, on a stream of its own;
//  * checkpoint.leftovers = delay_update (GEMINI as published): the optimizer step waits until every chunk
//    has left the GPU and every local chunk is in CPU memory; = artifact: the chunks past the last span's
//    budget are never sent (the artifact's strategy[-1], which remote_snapshot_blocks returns on), each span
//    is issued one collective late (comm_gap_id starts at -1 and is tested before it is incremented), and
//    the checkpoint is incomplete whenever a chunk was dropped.
// The checkpoint is complete when every remote and local chunk is in CPU memory; it is `incomplete` when that
// happens after its iteration ended (or never). Flow mode: every transfer is a SimGrid communication on the
// routes of models/topology.hpp, sharing NICs and PCIe with the training collectives; analytic mode: the
// transfers are timed with the plan's own cost model (alpha + s / B on the network, copy latency + s / copy B
// on PCIe), so only their timing consequences (stalled collectives, delayed update) appear: a chunk beside an
// all-gather slows neither.
#include "models/checkpoint_partition.hpp"
#include "models/idle_profile.hpp"
#include "sim/engine/gpu_contention.hpp"
#include "sim/engine/network_activity.hpp"
#include "sim/engine/platform.hpp"

#include <string>
#include <vector>

namespace gsim {

/** Algorithm 2's inputs for `e` without the spans: C, m, R, p, mu from the config; B and alpha from the
 *  network (an instance's NIC bandwidth at the calibrated efficiency, split over its GPUs, which all send at
 *  once); the GPU -> CPU copy from PCIe (the switch uplink shared by its GPUs). `calibrated` false: the copy
 *  runs at its datasheet bandwidth with no latency (no calibration committed). */
struct PartitionCosts {
  PartitionInputs inputs;
  std::string copy_source;
};
PartitionCosts checkpoint_partition_inputs(const Experiment& e, const CostModel& cost, bool calibrated,
                                           const std::string& calibration_dir);

/** The plan the replay executes, made from the profiled iterations. */
struct CheckpointSchedule {
  Scheme scheme = Scheme::none;
  PartitionInputs inputs; // spans_s: the kept profiled spans
  ReducedSpans profile;   // the reduction of the profiled spans
  PartitionPlan plan;
  BufferCheck memory;
  std::vector<int> after_op; // per plan span: the collective it follows (-1: the iteration's start; >= the
                             // iteration's collectives: never issued, its chunks dropped)
  std::vector<char> beside;  // per plan span: issued after a reduce-scatter, it runs beside the all-gathers
  std::vector<int> sent;     // per plan span: how many of its chunks (in order) are sent; the rest dropped
  Leftovers leftovers   = Leftovers::delay_update;
  SpanSource source     = SpanSource::physical;
  int64_t dropped_bytes = 0; // per checkpoint: bytes never sent (artifact leftovers)
  int buffers           = 1; // receive sub-buffers the scheme cycles through
  /** Whether the replay carries checkpoint traffic (a scheme is set and its buffer fits). */
  bool runs() const { return scheme != Scheme::none && memory.ok; }
};

/** Where the profile's positions sit in the iteration and how the plan is applied. */
struct SchedulePlacement {
  std::vector<CollOp> ops;            // the iteration's collectives, in issue order
  std::vector<int> position_after_op; // per profile position: the collective whose end opens it (-1: the
                                      // iteration's start); empty: position p follows collective p
  int warmup          = 0;            // profiled iterations the reduction skips
  Leftovers leftovers = Leftovers::delay_update;
  SpanSource source   = SpanSource::physical;
};

/** Plans `scheme` over `profiled_spans_s` (per profiled iteration: iteration_stats order, the gap after
 *  collective j for j < ops - 1 then the trailing span; or the profiler's values, with `where` naming their
 *  positions). */
CheckpointSchedule make_checkpoint_schedule(Scheme scheme, PartitionInputs in,
                                            const std::vector<std::vector<double>>& profiled_spans_s,
                                            double span_threshold_s, const SchedulePlacement& where,
                                            double free_gpu_bytes);
/** The physical spans of `ops_per_iteration` all-gathers, the plan as published (every span queues later
 *  collectives behind it). */
CheckpointSchedule make_checkpoint_schedule(Scheme scheme, PartitionInputs in,
                                            const std::vector<std::vector<double>>& profiled_spans_s,
                                            double span_threshold_s, int ops_per_iteration, double free_gpu_bytes);

/** Per position of ProfilerLine::values_s (the all-gathers, then the reduce-scatters, in issue order): the
 *  collective whose end opens it. An all-gather's launch bracket opens after the collective issued before it;
 *  a reduce-scatter-free interval after the previous reduce-scatter (the first: after the last all-gather). */
std::vector<int> profiler_positions(const std::vector<CollOp>& ops);

struct ChunkRecord {
  int iteration        = 0;
  int plan_span        = 0;
  int replica          = 0; // remote copy, 0 .. m - 2
  int64_t offset_bytes = 0;
  int64_t bytes        = 0;
  int buffer           = 0;
  double queued        = 0; // the stream reached it (span start or after the previous chunk)
  double sent_start    = 0; // its sub-buffer was free: the network transfer starts
  double sent_end      = 0;
  double copy_start    = -1; // the receiver's GPU -> CPU copy started
  double in_cpu        = -1; // the receiver's GPU -> CPU copy ended (-1: never)
};

struct LocalCopyRecord {
  int iteration        = 0;
  int64_t offset_bytes = 0;
  int64_t bytes        = 0;
  double start         = 0;  // issued (with its remote twin)
  double copy_start    = -1; // the local copy stream started it
  double in_cpu        = -1;
};

struct CheckpointIteration {
  int iteration        = 0;
  double start         = 0;        // the iteration's start
  double end           = 0;        // its optimizer step ended
  double sends_done    = 0;        // the last chunk left the GPU
  double in_cpu        = 0;        // the last chunk (remote or local) landed in CPU memory
  double network_s     = 0;        // checkpoint-stream time on checkpoint chunks (buffer waits included)
  double update_wait_s = 0;        // the optimizer step waited this long for the checkpoint
  double idle_left_s   = 0;        // the profile's long spans, now, less the checkpoint chunks run in them
  std::vector<double> span_busy_s; // per plan span: checkpoint-stream time on its chunks
  int64_t dropped_bytes = 0;       // never sent (checkpoint.leftovers = artifact)
  bool complete() const { return in_cpu <= end && dropped_bytes == 0; }
};

/** What the replay's checkpoint traffic did (empty when the scheme is none). */
struct CheckpointReplay {
  CheckpointSchedule schedule;
  int profile_iterations          = 0; // the first iterations of the replay, without checkpoints
  double profile_iteration_time_s = 0; // the last profiled iteration's time
  double profile_idle_time_s      = 0; // its idle spans longer than checkpoint.span_threshold
  std::vector<double> profile_spans_s; // its idle spans (iteration_stats order)
  std::vector<std::vector<int>> peers; // peers[k][rank]: the GPU rank receiving `rank`'s remote copy k
  std::vector<ChunkRecord> chunks;
  std::vector<LocalCopyRecord> local;
  std::vector<CheckpointIteration> iterations; // the checkpointed iterations
};

/** Where the peers are: the placement over instances, or the other GPUs of the same instance. */
struct PeerPolicy {
  PlacementKind placement = PlacementKind::mixed;
  PeerScope scope         = PeerScope::other_instances;
};
/** peers[k][rank]: rank's (k+1)-th peer GPU, m = `replicas`. Other instances: GPU g of the k-th peer instance
 *  the placement of `spec.instances` instances names; same instance: GPU g + k + 1 (mod G) of its own. */
std::vector<std::vector<int>> checkpoint_peers(const PlatformSpec& spec, int replicas, PeerPolicy policy);

/** "ok", "oom" (the scheme's buffer does not fit) or "incomplete" (a checkpoint landed after its iteration). */
std::string checkpoint_status(const CheckpointReplay& c);

} // namespace gsim

namespace gsim {

/** The SimGrid side: executes a CheckpointSchedule from the replay's streams (sim/engine/zero3_replay.cpp) and
 *  records into a CheckpointReplay. Every call is made from a SimGrid actor; waits block that actor. */
class CheckpointTraffic {
 public:
  /** `platform` carries the flows (flow mode); `placement` names each GPU's peers. */
  CheckpointTraffic(const Platform& platform, CollectiveMode mode, PeerPolicy peers, CheckpointReplay* out);
  /** The GPU sharing the chunk sends (NCCL point-to-point kernels) take part in; none: timed waits. */
  void set_contention(const GpuContention* c) { contention_ = c; }
  /** Where the transfers say they are on the network (flow and hierarchical modes), so that a collective priced
   *  analytically turns into flows beside them (sim/engine/network_activity.hpp). None: they say nothing. */
  void set_network(NetworkActivity* n) { network_ = n; }
  /** Installs the schedule (made at the end of profiling) and starts the copy actors when it runs. */
  void start(const CheckpointSchedule& schedule, int first_iteration, const std::vector<CollOp>& ops);
  /** Whether iteration `it` carries a checkpoint. */
  bool active(int it) const;
  /** Compute stream, at the start of iteration `it`. */
  void begin_iteration(int it);
  /** Communication stream, after collective `op` of iteration `it` ended (-1: before its first collective):
   *  queues the plan spans it opens on the checkpoint stream; after an all-gather (and for blocking) waits
   *  until they are sent, so that later collectives queue behind them. */
  void after_op(int it, int op);
  /** Communication stream, before collective `op` of iteration `it` starts: a reduce-scatter (all-reduce)
   *  waits for the chunks queued after the previous one. */
  void before_op(int it, int op);
  /** Compute stream, before the optimizer step: waits until every chunk has left the GPU and every local
   *  chunk is in CPU memory. */
  void wait_update(int it);
  /** Compute stream, after the optimizer step. */
  void end_iteration(int it);
  /** No more iterations: the copy actors exit once their queues are empty. */
  void finish();
  /** After the simulation: per-iteration completion times. */
  void summarize();

 private:
  /** The three moves of a chunk: over the network to the peer GPU, the peer's copy of it to its CPU, and
   *  the local copy to the own CPU. One function: they differ only in their endpoints and analytic cost. */
  enum class Leg { send, copy_received, copy_local };
  void transfer(Leg leg, int replica, int64_t bytes) const;
  /** A copy actor (one per queue: remote chunks, local copies): copies the records `queue` names, in order, to
   *  the CPU over `leg`, then releases each (copied()); returns once finish() was called and the queue is empty. */
  template <class Record>
  void copier(std::vector<Record>& records, const std::vector<size_t>& queue, size_t& head, Leg leg);
  /** The checkpoint stream: runs the queued plan spans in order; returns once finish() was called and the
   *  queue is empty. */
  void checkpoint_stream();
  void send_span(int it, size_t span);
  void copied(const ChunkRecord& c);     // the receiver's sub-buffer is free again
  void copied(const LocalCopyRecord& l); // one more local copy of its iteration is in the CPU
  CheckpointIteration& iteration(int it);

  const Platform& platform_;
  CollectiveMode mode_;
  PeerPolicy peer_policy_;
  CheckpointReplay* out_;
  const GpuContention* contention_ = nullptr;
  NetworkActivity* network_        = nullptr;
  int first_                       = 0;
  std::vector<std::vector<size_t>> spans_after_; // per op + 1: plan spans to run after it
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr changed_;
  std::vector<char> buffer_busy_;
  size_t next_buffer_ = 0;
  std::vector<size_t> remote_queue_, local_queue_; // FIFO (index of the next in *_head_)
  size_t remote_head_ = 0, local_head_ = 0;
  std::vector<std::pair<int, size_t>> jobs_; // (iteration, plan span) queued on the checkpoint stream
  size_t jobs_done_ = 0, rs_gate_ = 0;       // spans sent; the next reduce-scatter waits for this many
  std::vector<CollOp> ops_;
  std::vector<int> sent_, local_done_, expected_sent_, expected_local_; // per iteration - first_
  int local_per_iteration_ = 0;
  int expected_sends_      = 0; // chunks sent per checkpoint (the dropped ones excluded)
  bool finished_           = false;
};

} // namespace gsim
