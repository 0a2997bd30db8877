#include "sim/engine/failure_sim.hpp"

#include "models/units.hpp"
#include "sim/engine/platform.hpp" // configure_network_model

#include <simgrid/s4u.hpp>
#include <xbt/config.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

XBT_LOG_NEW_DEFAULT_CATEGORY(gsim_failures, "gemini-sim failure simulation");

namespace gsim {

namespace {

// Hosts only source and sink bytes; SimGrid needs a positive speed.
constexpr double kUnusedHostSpeed = 1.0;

// One system's copy of the platform.
struct Net {
  std::vector<sg4::Host*> cpu; // CPU memory of instance i
  std::vector<sg4::Host*> gpu; // the GPUs of instance i
  sg4::Host* storage = nullptr;
};

// The links of one system, created in the root zone before any child zone exists (SimGrid 3.32 checks a
// new link's name against every zone of the tree: quadratic otherwise, sim/engine/platform.cpp).
struct NetLinks {
  sg4::Link* storage = nullptr;
  std::vector<sg4::SplitDuplexLink*> nic;
  std::vector<sg4::Link*> pcie;
};

NetLinks create_links(sg4::NetZone* root, const std::string& prefix, const FailureSimSetup& s)
{
  NetLinks l;
  l.storage = root->create_link(prefix + "storage", s.econ.storage_Bps)->seal();
  for (int i = 0; i < s.econ.instances; i++) {
    const std::string id = prefix + "i" + std::to_string(i);
    auto* nic            = root->create_split_duplex_link(id + "-nic", s.econ.instance_Bps);
    nic->set_latency(s.nic_latency_s)->seal();
    l.nic.push_back(nic);
    l.pcie.push_back(root->create_link(id + "-pcie", s.econ.local_restore_Bps)->set_latency(s.pcie_latency_s)->seal());
  }
  return l;
}

// A star zone per system (routes through the non-blocking spine are each end's link: O(1) to resolve),
// holding a full zone per instance (CPU and GPU hosts, the PCIe link between them; the GPU host is the
// gateway, so network traffic lands in GPU memory) and one for the storage.
Net build_net(sg4::NetZone* root, const std::string& prefix, const NetLinks& l, const FailureSimSetup& s)
{
  using Dir = sg4::LinkInRoute::Direction;
  Net net;
  auto* sys = sg4::create_star_zone(prefix + "spine");
  sys->set_parent(root);
  for (int i = 0; i < s.econ.instances; i++) {
    auto* zone = sg4::create_full_zone(prefix + "i" + std::to_string(i));
    zone->set_parent(sys);
    const std::string id = prefix + "i" + std::to_string(i);
    sg4::Host* gpu       = zone->create_host(id + "-gpu", kUnusedHostSpeed)->seal();
    sg4::Host* cpu       = zone->create_host(id + "-cpu", kUnusedHostSpeed)->seal();
    zone->add_route(cpu->get_netpoint(), gpu->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(l.pcie[size_t(i)])},
                    true);
    zone->seal();
    sys->add_route(zone->get_netpoint(), nullptr, gpu->get_netpoint(), nullptr,
                   {sg4::LinkInRoute(l.nic[size_t(i)], Dir::UP)}, false);
    sys->add_route(nullptr, zone->get_netpoint(), nullptr, gpu->get_netpoint(),
                   {sg4::LinkInRoute(l.nic[size_t(i)], Dir::DOWN)}, false);
    net.cpu.push_back(cpu);
    net.gpu.push_back(gpu);
  }
  auto* store = sg4::create_full_zone(prefix + "storage");
  store->set_parent(sys);
  net.storage = store->create_host(prefix + "storage", kUnusedHostSpeed)->seal();
  store->seal();
  sys->add_route(store->get_netpoint(), nullptr, net.storage->get_netpoint(), nullptr, {sg4::LinkInRoute(l.storage)},
                 true);
  sys->seal();
  return net;
}

// Waits for every transfer; returns when the last one has finished.
void wait_all(std::vector<sg4::CommPtr>& comms)
{
  sg4::Comm::wait_all(comms);
}

enum class Woke { done, failure, horizon };

// The checkpoint cadence of one system in steady state (models/failure_economics.hpp for the why).
struct Cadence {
  double period_s     = 0; // wall time of one cycle: training then (storage systems) the blocking torch.save()
  double training_s   = 0; // training within a cycle
  double cpu_ckpt_s   = 0; // GEMINI: snapshot to a complete checkpoint in CPU memory
  double storage_s    = 0; // wall time between storage snapshots (the cycle, or GEMINI's storage interval)
  double upload_s     = 0; // snapshot (end of serialisation) to a complete checkpoint in storage
  bool cpu_checkpoint = false;
};

// Systems whose recovery is the same event for event share one trainer and one copy of the platform:
// only GEMINI recovers from CPU memory; every other system's recovery (detection, replacement, the
// retrieval from storage, warm-up) does not depend on its cadence, so their transfers would be copies of
// each other on disjoint links, finishing at the same instants. Simulating them once keeps every time
// bit for bit and saves the copies' flows (each detached SimGrid 3.32 flow costs a scan of every flow in
// flight when it ends).
bool recovers_from_cpu(System s)
{
  return s == System::gemini;
}

struct Target {
  double work    = 0; // progress restored
  double lost_s  = 0; // wall time of training redone
  long iteration = 0; // iterations restored (GEMINI's CPU checkpoints)
};

// One system's training progress and checkpoints between failures, in closed arithmetic.
class Ledger {
 public:
  Ledger(System sys, const FailureSimSetup& setup, const FailureSimOptions& opt, double upload_s, SystemOutcome* out)
      : sys_(sys), opt_(opt), out_(out)
  {
    const auto& in          = setup.econ;
    const SystemEconomics e = system_economics(sys, in);
    if (recovers_from_cpu(sys)) {
      c_.period_s       = in.iteration_s;
      c_.training_s     = in.iteration_s;
      c_.cpu_ckpt_s     = e.checkpoint_s;
      c_.storage_s      = in.gemini_storage_interval_s;
      c_.cpu_checkpoint = true;
    } else {
      c_.period_s   = e.period_s;
      c_.training_s = e.period_s - e.blocking_s;
      c_.storage_s  = e.period_s;
    }
    c_.upload_s               = upload_s;
    out_->system              = sys;
    out_->horizon_s           = opt.horizon_s;
    out_->productive_fraction = c_.training_s / c_.period_s;
  }

  SystemOutcome& out() { return *out_; }

  // Training progress at time t of the current stretch (started at resume_ from progress base_).
  double work_at(double t) const
  {
    const double elapsed = std::max(0.0, t - resume_);
    const double cycles  = std::floor(elapsed / c_.period_s);
    return base_ + cycles * c_.training_s + std::min(c_.training_s, elapsed - cycles * c_.period_s);
  }

  void record(const std::string& phase, double start, double duration)
  {
    if (opt_.record_phases)
      out_->phases.push_back({sys_, out_->episodes, phase, start, duration});
  }

  // The iterations and checkpoints before a failure at t, for the timeline.
  void record_training(double t)
  {
    if (not opt_.record_phases)
      return;
    const long current = long(std::floor((t - resume_) / c_.period_s)); // 0-based, in progress at t
    for (long j = std::max(0L, current - opt_.recorded_iterations + 1); j <= current; j++) {
      const double start = resume_ + double(j) * c_.period_s;
      record("iteration_" + std::to_string(iteration0_ + j + 1), start, std::min(c_.period_s, t - start));
      if (c_.cpu_checkpoint && j >= 1) { // the checkpoint of iteration j runs during iteration j + 1
        const double ck = resume_ + double(j) * c_.period_s;
        const bool done = ck + c_.cpu_ckpt_s <= t;
        record("checkpoint_" + std::to_string(iteration0_ + j) + (done ? "" : "_incomplete"), ck,
               std::min(c_.cpu_ckpt_s, t - ck));
      }
    }
  }

  // The last complete checkpoint in CPU memory (GEMINI) at time t: iteration j's checkpoint (snapshot at
  // its end) is complete t_ckpt later; one still in flight does not count. j = 0: the restored state.
  Target cpu_target(double t) const
  {
    if (not c_.cpu_checkpoint)
      return {};
    const long j = std::max(0L, long(std::floor((t - resume_ - c_.cpu_ckpt_s) / c_.period_s)));
    return {base_ + double(j) * c_.training_s, t - (resume_ + double(j) * c_.period_s), iteration0_ + j};
  }

  // The last complete checkpoint in remote storage at time t; updates the durable one.
  Target storage_target(double t)
  {
    const long q = long(std::floor((t - resume_ - c_.upload_s) / c_.storage_s));
    if (q >= 1) {
      const double snap = resume_ + double(q) * c_.storage_s; // serialised and uploading from here
      stored_work_      = sys_ == System::gemini ? work_at(snap) : base_ + double(q) * c_.training_s;
      return {stored_work_, t - snap, 0};
    }
    // Nothing new in storage this stretch: back past its start, to the durable checkpoint.
    return {stored_work_, (t - resume_) + (base_ - stored_work_) / out_->productive_fraction, 0};
  }

  // The episode that began at t ended at `now`, restoring `target` (from CPU memory or storage).
  void resumed(double t, double now, const Target& target, bool from_cpu, double retrieval_s)
  {
    out_->episodes++;
    (from_cpu ? out_->recoveries_from_cpu_memory : out_->recoveries_from_storage)++;
    out_->lost_progress_s += target.lost_s;
    out_->retrieval_s += retrieval_s;
    out_->recovery_s += now - t;
    iteration0_ = from_cpu ? target.iteration : 0;
    record("resume_at_iteration_" + std::to_string(iteration0_ + 1), now, 0);
    resume_ = now;
    base_   = target.work;
  }

  // The horizon came during a recovery: the progress kept is the checkpoint being restored.
  void finish(const Target& target)
  {
    out_->useful_s = target.work;
    out_->lost_progress_s += target.lost_s;
  }

 private:
  System sys_;
  const FailureSimOptions& opt_;
  SystemOutcome* out_;
  Cadence c_;
  double resume_      = 0; // wall time the current stretch of training began
  double base_        = 0; // progress restored at resume_
  double stored_work_ = 0; // progress of the latest durable checkpoint in storage (0: the job's start)
  long iteration0_    = 0; // GEMINI: iterations restored at resume_ (timeline numbering)
};

// The recovery of one or more systems that recover alike (recovers_from_cpu), on one copy of the platform.
class Trainer {
 public:
  Trainer(std::vector<Ledger> ledgers, const FailureSimSetup& setup, const Net& net, sg4::Mailbox* mailbox, double t0,
          const FailureSimOptions& opt, bool from_cpu)
      : ledgers_(std::move(ledgers)), setup_(setup), net_(net), mailbox_(mailbox), t0_(t0), horizon_(opt.horizon_s),
        cpu_checkpoint_(from_cpu)
  {
    failed_.assign(size_t(setup.econ.instances), 0);
  }

  void run()
  {
    arm();
    while (true) {
      if (wait_until(horizon_) == Woke::horizon) {
        for (auto& l : ledgers_)
          l.out().useful_s = l.work_at(horizon_);
        break;
      }
      if (not episode())
        break;
    }
    rx_->cancel();
  }

 private:
  double now() const { return sg4::Engine::get_clock() - t0_; }
  void arm() { rx_ = mailbox_->get_async<FailureEvent>(&event_); }

  // Waits until `until` (capped at the horizon) or a failure, whichever comes first.
  Woke wait_until(double until)
  {
    const double end = std::min(until, horizon_);
    const double dt  = end - now();
    if (rx_->test() || (dt > 0 && sg4::Comm::wait_any_for({rx_}, dt) == 0)) {
      take(event_);
      arm();
      return Woke::failure;
    }
    return until >= horizon_ ? Woke::horizon : Woke::done;
  }

  // Transfers with the failure mailbox watched: all done, a failure (transfers cancelled) or the horizon.
  Woke transfer(std::vector<sg4::CommPtr> comms)
  {
    comms.insert(comms.begin(), rx_);
    while (comms.size() > 1) {
      const ssize_t k = sg4::Comm::wait_any_for(comms, horizon_ - now());
      if (k <= 0) {
        for (size_t i = 1; i < comms.size(); i++)
          comms[i]->cancel();
        if (k == -1)
          return Woke::horizon;
        take(event_);
        arm();
        return Woke::failure;
      }
      // Equal transfers end together: drop every finished one at once (wait_any is linear in the set).
      comms.erase(comms.begin() + k);
      comms.erase(std::remove_if(comms.begin() + 1, comms.end(), [](const sg4::CommPtr& c) { return c->test(); }),
                  comms.end());
    }
    return Woke::done;
  }

  void take(const FailureEvent* ev)
  {
    for (auto& l : ledgers_)
      l.out().failures++;
    if (ev->hardware)
      for (int i : ev->instances)
        failed_[size_t(i)] = 1;
    any_hardware_ = any_hardware_ || ev->hardware;
  }

  void record(const std::string& phase, double start, double duration)
  {
    for (auto& l : ledgers_)
      l.record(phase, start, duration);
  }

  bool cpu_recoverable() const { return cpu_checkpoint_ && recoverable(setup_.placement, failed_); }

  // Every instance loads its shard of the restored checkpoint into its GPUs: from storage, or from the
  // first surviving holder's CPU memory (itself, else a peer of its placement group). An instance that
  // restores from its own CPU memory, with no peer pulling through its PCIe link, is alone on that link:
  // all of those transfers are the same flow on disjoint idle links and end at the same instant, so one
  // of them stands for the rest (the same times, bit for bit, at a fraction of the flows).
  std::vector<sg4::CommPtr> retrieval(bool from_cpu) const
  {
    const auto& in   = setup_.econ;
    const auto shard = uint64_t(in.per_instance_bytes());
    const auto n     = size_t(in.instances);
    std::vector<sg4::CommPtr> comms;
    if (not from_cpu) {
      for (size_t i = 0; i < n; i++)
        comms.push_back(sg4::Comm::sendto_async(net_.storage, net_.gpu[i], shard));
      return comms;
    }
    std::vector<int> holder(n, -1);
    std::vector<char> pulled_from(n, 0);
    for (size_t i = 0; i < n; i++) {
      for (int h : setup_.placement.holders[i])
        if (not failed_[size_t(h)]) {
          holder[i] = h;
          break;
        }
      if (holder[i] != int(i))
        pulled_from[size_t(holder[i])] = 1;
    }
    bool local_done = false;
    for (size_t i = 0; i < n; i++) {
      const bool alone = holder[i] == int(i) && not pulled_from[i];
      if (alone && local_done)
        continue;
      local_done = local_done || alone;
      comms.push_back(sg4::Comm::sendto_async(net_.cpu[size_t(holder[i])], net_.gpu[i], shard));
    }
    return comms;
  }

  // The timed phases before the retrieval; false if a failure or the horizon interrupted them.
  Woke before_retrieval(bool from_cpu)
  {
    const auto& in = setup_.econ;
    struct Phase {
      std::string name;
      double s;
    };
    std::vector<Phase> before = {{"detection", in.detection_s}};
    if (from_cpu) // the live agents torch.save() the m in-memory replicas they hold (paper §7.1)
      before.push_back({"serialization", in.replicas * in.per_instance_bytes() / in.serialization_Bps});
    if (any_hardware_ && in.replacement_s > 0)
      before.push_back({"replacement", in.replacement_s});
    for (const auto& p : before) {
      const double start = now();
      const Woke w       = wait_until(start + p.s);
      record(p.name, start, now() - start);
      if (w != Woke::done)
        return w;
    }
    return Woke::done;
  }

  // One recovery episode, from the failure just taken to resumed training. False at the horizon.
  bool episode()
  {
    const double t = now();
    std::vector<Target> cpu, store;
    for (auto& l : ledgers_) {
      l.record_training(t);
      cpu.push_back(l.cpu_target(t));
      store.push_back(l.storage_target(t));
    }
    bool from_cpu      = cpu_recoverable();
    double retrieval_s = 0;
    bool restarted     = true;
    while (restarted) {
      restarted = false;
      if (from_cpu && not cpu_recoverable()) // a failure during recovery took the last holder
        from_cpu = false;
      Woke w = before_retrieval(from_cpu);
      if (w == Woke::horizon)
        return finish(from_cpu ? cpu : store);
      if (w == Woke::failure) {
        restarted = true;
        continue;
      }
      const double start = now();
      w                  = transfer(retrieval(from_cpu));
      record(from_cpu ? "retrieval_cpu_memory" : "retrieval_storage", start, now() - start);
      if (w == Woke::horizon)
        return finish(from_cpu ? cpu : store);
      if (w == Woke::failure) {
        restarted = true;
        continue;
      }
      retrieval_s        = now() - start;
      const double warm0 = now();
      w                  = wait_until(warm0 + setup_.econ.warmup_s);
      record("warmup", warm0, now() - warm0);
      if (w == Woke::horizon)
        return finish(from_cpu ? cpu : store);
      if (w == Woke::failure)
        restarted = true;
    }
    for (size_t k = 0; k < ledgers_.size(); k++)
      ledgers_[k].resumed(t, now(), from_cpu ? cpu[k] : store[k], from_cpu, retrieval_s);
    std::fill(failed_.begin(), failed_.end(), 0);
    any_hardware_ = false;
    return true;
  }

  bool finish(const std::vector<Target>& targets)
  {
    for (size_t k = 0; k < ledgers_.size(); k++)
      ledgers_[k].finish(targets[k]);
    return false;
  }

  std::vector<Ledger> ledgers_;
  const FailureSimSetup& setup_;
  const Net& net_;
  sg4::Mailbox* mailbox_;
  double t0_;
  double horizon_;
  bool cpu_checkpoint_;
  sg4::CommPtr rx_;
  FailureEvent* event_ = nullptr;
  std::vector<char> failed_;
  bool any_hardware_ = false;
};

} // namespace

FailureSimSetup failure_sim_setup(const Experiment& e, double iteration_s)
{
  FailureSimSetup s;
  s.econ           = economics_inputs(e, iteration_s);
  s.placement      = make_placement(e.instances, e.checkpoint.replicas, e.checkpoint.placement);
  s.nic_latency_s  = e.cluster.nic_latency_s;
  s.pcie_latency_s = e.cluster.pcie_latency_s;
  return s;
}

const SystemOutcome& FailureSimResult::of(System s) const
{
  for (const auto& o : systems)
    if (o.system == s)
      return o;
  throw std::out_of_range("failure simulation: system " + to_string(s) + " was not simulated");
}

FailureSimResult simulate_failures(const FailureSimSetup& setup, const std::vector<FailureEvent>& events,
                                   const FailureSimOptions& opt)
{
  if (sg4::Engine::is_initialized())
    throw std::logic_error("simulate_failures: a SimGrid Engine is alive; run after it is destroyed");
  if (opt.systems.empty() || not(opt.horizon_s > 0))
    throw std::invalid_argument("simulate_failures: needs a system and a positive horizon");
  const auto wall0 = std::chrono::steady_clock::now();
  FailureSimResult result;

  sg4::Engine engine("gemini-sim-failures");
  // The network model survives the previous Engine and cannot change once a platform existed.
  if (simgrid::config::get_value<std::string>("network/model") != "CM02")
    configure_network_model();
  auto* root = sg4::create_star_zone("failure-sim"); // the copies' zones, never routed between
  // One copy of the platform per group of systems that recover alike (recovers_from_cpu), named after
  // the group's first system; groups in the order of their first system in opt.systems.
  std::vector<std::vector<size_t>> groups; // indices into opt.systems
  for (size_t k = 0; k < opt.systems.size(); k++) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const std::vector<size_t>& m) {
      return recovers_from_cpu(opt.systems[m[0]]) == recovers_from_cpu(opt.systems[k]);
    });
    if (g == groups.end())
      groups.push_back({k});
    else
      g->push_back(k);
  }
  std::vector<NetLinks> links;
  for (const auto& g : groups)
    links.push_back(create_links(root, to_string(opt.systems[g[0]]) + "/", setup));
  std::vector<Net> nets;
  for (size_t k = 0; k < groups.size(); k++)
    nets.push_back(build_net(root, to_string(opt.systems[groups[k][0]]) + "/", links[k], setup));
  root->seal();
  sg4::Host* control = nets[0].cpu[0]; // every control actor lives here (mailbox messages carry no bytes)

  // Steady state, simulated once: all instances write their shard to storage at once.
  double t0 = sg4::Engine::get_clock();
  sg4::Actor::create("upload-probe", control, [&] {
    std::vector<sg4::CommPtr> comms;
    for (size_t i = 0; i < nets[0].cpu.size(); i++)
      comms.push_back(
          sg4::Comm::sendto_async(nets[0].cpu[i], nets[0].storage, uint64_t(setup.econ.per_instance_bytes())));
    wait_all(comms);
    result.storage_upload_s = sg4::Engine::get_clock() - t0;
  });
  engine.run();

  // The run itself; the clock goes on, so every time is measured from t0.
  t0 = sg4::Engine::get_clock();
  result.systems.resize(opt.systems.size());
  std::vector<sg4::Mailbox*> boxes;
  std::vector<std::unique_ptr<Trainer>> trainers;
  for (size_t k = 0; k < groups.size(); k++) {
    const System first = opt.systems[groups[k][0]];
    std::vector<Ledger> ledgers;
    for (size_t m : groups[k])
      ledgers.emplace_back(opt.systems[m], setup, opt, result.storage_upload_s, &result.systems[m]);
    boxes.push_back(sg4::Mailbox::by_name("failures/" + to_string(first)));
    trainers.push_back(
        std::make_unique<Trainer>(std::move(ledgers), setup, nets[k], boxes[k], t0, opt, recovers_from_cpu(first)));
  }
  int delivered = 0;
  sg4::Actor::create("failure-injector", control, [&] {
    for (const auto& ev : events) {
      if (ev.time_s >= opt.horizon_s)
        break;
      sg4::this_actor::sleep_until(t0 + ev.time_s);
      for (auto* box : boxes)
        box->put_init(const_cast<FailureEvent*>(&ev), 0)->detach();
      delivered++;
    }
  });
  for (size_t k = 0; k < trainers.size(); k++)
    sg4::Actor::create("trainer/" + to_string(opt.systems[groups[k][0]]), control,
                       [t = trainers[k].get()] { t->run(); });
  engine.run();
  result.events = delivered;
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  XBT_DEBUG("%d failure events over %g s simulated in %g s", delivered, opt.horizon_s, result.wall_s);
  return result;
}

MonteCarloEstimate simulated_recovery_probability(const Experiment& e, int events)
{
  const double horizon   = kSecondsPerDay * events;
  auto spec              = failure_process_spec(e.failures, e.instances, e.run.seed, horizon);
  spec.hardware_fraction = 1;
  // About two events a day drawn, then one kept a day: each recovery ends long before the next failure,
  // so every episode is one drawn set of instances.
  spec.rate_per_instance_day = 2 * instances_per_event(spec) / e.instances;
  const auto drawn           = generate_failures(spec);
  if (drawn.size() < size_t(events))
    throw std::logic_error("simulated_recovery_probability: too few events drawn");
  std::vector<FailureEvent> spaced(drawn.begin(), drawn.begin() + events);
  for (size_t i = 0; i < spaced.size(); i++)
    spaced[i].time_s = kSecondsPerDay * (double(i) + 0.5);
  FailureSimOptions opt;
  opt.horizon_s = horizon;
  opt.systems   = {System::gemini};
  // The iteration time does not change which tier recovers; any positive one will do.
  const double t_iter = e.failures.iteration_time_s > 0 ? e.failures.iteration_time_s : 1.0;
  const auto result   = simulate_failures(failure_sim_setup(e, t_iter), spaced, opt);
  const auto& g       = result.systems[0];
  MonteCarloEstimate m;
  m.samples        = g.episodes;
  m.probability    = g.episodes ? double(g.recoveries_from_cpu_memory) / double(g.episodes) : 0;
  m.standard_error = g.episodes ? std::sqrt(m.probability * (1 - m.probability) / double(g.episodes)) : 0;
  return m;
}

} // namespace gsim
