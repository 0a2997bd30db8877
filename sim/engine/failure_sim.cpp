// The failure simulation's actors (sim/engine/failure_sim.hpp describes the model): the trainers that
// simulate each recovery event by event and the injector that delivers the failures. The closed-arithmetic
// bookkeeping between failures is sim/engine/failure_ledger.cpp, the platform sim/engine/failure_net.cpp.
#include "sim/engine/failure_sim.hpp"

#include "models/units.hpp"
#include "sim/engine/failure_ledger.hpp"
#include "sim/engine/failure_net.hpp"
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

using namespace failure_sim_detail;

// Waits for every transfer; returns when the last one has finished.
void wait_all(std::vector<sg4::CommPtr>& comms)
{
  sg4::Comm::wait_all(comms);
}

enum class Woke { done, failure, horizon };

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

// One copy of the platform per group of systems that recover alike (recovers_from_cpu), named after
// the group's first system; groups in the order of their first system in `systems` (indices into it).
std::vector<std::vector<size_t>> recovery_groups(const std::vector<System>& systems)
{
  std::vector<std::vector<size_t>> groups;
  for (size_t k = 0; k < systems.size(); k++) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const std::vector<size_t>& m) {
      return recovers_from_cpu(systems[m[0]]) == recovers_from_cpu(systems[k]);
    });
    if (g == groups.end())
      groups.push_back({k});
    else
      g->push_back(k);
  }
  return groups;
}

// The groups' copies of the platform: every copy's links first, then the zones (failure_net.hpp says why).
std::vector<Net> build_copies(sg4::NetZone* root, const std::vector<std::vector<size_t>>& groups,
                              const std::vector<System>& systems, const FailureSimSetup& setup)
{
  std::vector<NetLinks> links;
  for (const auto& g : groups)
    links.push_back(create_links(root, to_string(systems[g[0]]) + "/", setup));
  std::vector<Net> nets;
  for (size_t k = 0; k < groups.size(); k++)
    nets.push_back(build_net(root, to_string(systems[groups[k][0]]) + "/", links[k], setup));
  return nets;
}

// Steady state, simulated once: all instances write their shard to storage at once. The seconds it took.
double simulate_upload(sg4::Engine& engine, sg4::Host* control, const Net& net, const FailureSimSetup& setup)
{
  const double t0 = sg4::Engine::get_clock();
  double upload_s = 0;
  sg4::Actor::create("upload-probe", control, [&] {
    std::vector<sg4::CommPtr> comms;
    for (size_t i = 0; i < net.cpu.size(); i++)
      comms.push_back(sg4::Comm::sendto_async(net.cpu[i], net.storage, uint64_t(setup.econ.per_instance_bytes())));
    wait_all(comms);
    upload_s = sg4::Engine::get_clock() - t0;
  });
  engine.run();
  return upload_s;
}

} // namespace

FailureSimSetup failure_sim_setup(const Experiment& e, double iteration_s)
{
  FailureSimSetup s;
  s.econ           = economics_inputs(e, iteration_s);
  s.placement      = make_placement(e.instances, e.checkpoint.instance_replicas(), e.checkpoint.placement);
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
  auto* root                  = sg4::create_star_zone("failure-sim"); // the copies' zones, never routed between
  const auto groups           = recovery_groups(opt.systems);
  const std::vector<Net> nets = build_copies(root, groups, opt.systems, setup);
  root->seal();
  sg4::Host* control      = nets[0].cpu[0]; // every control actor lives here (mailbox messages carry no bytes)
  result.storage_upload_s = simulate_upload(engine, control, nets[0], setup);

  // The run itself; the clock goes on, so every time is measured from t0.
  const double t0 = sg4::Engine::get_clock();
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
