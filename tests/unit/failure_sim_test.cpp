// Failures and recovery as SimGrid events (sim/engine/failure_sim.hpp). Each test runs its own simulation; one
// process runs several in turn (each simulate_failures call owns an Engine; the clock runs on).
#include "models/config.hpp"
#include "models/placement.hpp"
#include "sim/engine/failure_sim.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace gsim;

namespace {
constexpr double kT = 62; // configs/p4d16.json failures.iteration_time_s

Experiment p4d(std::vector<std::string> sets = {})
{
  sets.push_back("failures.iteration_time_s=62");
  return load_experiment("configs/p4d16.json", sets);
}

FailureSimResult run(const Experiment& e, const std::vector<FailureEvent>& ev, double horizon_s,
                     std::vector<System> systems = {System::strawman, System::highfreq, System::gemini},
                     bool record                 = false)
{
  FailureSimOptions opt;
  opt.horizon_s     = horizon_s;
  opt.systems       = std::move(systems);
  opt.record_phases = record;
  return simulate_failures(failure_sim_setup(e, kT), ev, opt);
}

double phase_s(const SystemOutcome& o, const std::string& name)
{
  for (const auto& p : o.phases)
    if (p.phase == name)
      return p.duration_s;
  return -1;
}

bool has_phase(const SystemOutcome& o, const std::string& name)
{
  return phase_s(o, name) >= 0;
}

MonteCarloEstimate simulated_recovery(const std::vector<std::string>& sets, int events)
{
  return simulated_recovery_probability(p4d(sets), events);
}
} // namespace

TEST(FailureSim, SoftwareFailureRollsBackToTheLastCompleteCheckpoint)
{
  const auto e = p4d({"failures.standby=true"});
  // During iteration 4 (from 3 T to 4 T): checkpoint 3 is in flight, so the job rolls back to checkpoint 2
  // (the state after iteration 2) and loses 1.5 iterations of progress.
  const std::vector<FailureEvent> ev = {{3.5 * kT, {5}, false, false}};
  const auto r                       = run(e, ev, 86400, {System::gemini}, true);
  const auto& g                      = r.of(System::gemini);
  EXPECT_EQ(r.events, 1);
  EXPECT_EQ(g.failures, 1);
  EXPECT_EQ(g.recoveries_from_cpu_memory, 1);
  EXPECT_EQ(g.recoveries_from_storage, 0);
  EXPECT_NEAR(g.lost_progress_s, 1.5 * kT, 1e-6);
  EXPECT_TRUE(has_phase(g, "checkpoint_2"));
  EXPECT_TRUE(has_phase(g, "checkpoint_3_incomplete"));
  EXPECT_TRUE(has_phase(g, "resume_at_iteration_3"));
  EXPECT_NEAR(phase_s(g, "detection"), e.failures.detection_s, 1e-6);
  EXPECT_NEAR(phase_s(g, "warmup"), e.failures.warmup_s, 1e-6);
  // torch.save() of the m replicas of one instance's shard.
  const auto in = economics_inputs(e, kT);
  EXPECT_NEAR(phase_s(g, "serialization"), 2 * in.per_instance_bytes() / in.serialization_Bps, 1e-6);
  // Every instance restores its own copy over its PCIe: shard / bandwidth (plus the link latency).
  EXPECT_NEAR(g.retrieval_s, in.per_instance_bytes() / in.local_restore_Bps, 1e-3);
  EXPECT_FALSE(has_phase(g, "replacement"));
  // The kept progress: everything but the lost 1.5 iterations and the recovery time.
  EXPECT_NEAR(g.useful_s, 86400 - g.lost_progress_s - g.recovery_s, 1e-6);
}

TEST(FailureSim, ReplacedInstancePullsFromItsPeerOverTheNetwork)
{
  const auto e                       = p4d({"failures.standby=false"});
  const std::vector<FailureEvent> ev = {{1000, {4}, true, false}};
  const auto r                       = run(e, ev, 86400, {System::gemini}, true);
  const auto& g                      = r.of(System::gemini);
  const auto in                      = economics_inputs(e, kT);
  EXPECT_EQ(g.recoveries_from_cpu_memory, 1);
  EXPECT_NEAR(phase_s(g, "replacement"), e.failures.replacement_s, 1e-6);
  // The slowest transfer is the new instance's: its shard from instance 5's CPU over two NICs.
  EXPECT_NEAR(g.retrieval_s, in.per_instance_bytes() / in.instance_Bps, 0.01);
}

TEST(FailureSim, LosingAWholeGroupFallsBackToStorage)
{
  const auto e = p4d({"failures.standby=true"});
  // Instances 2 and 3 form a placement group: both replicas of each are gone. Everyone reads storage,
  // all sharing its link: N shards at the aggregate storage bandwidth.
  const std::vector<FailureEvent> ev = {{20000, {2, 3}, true, false}};
  const auto r                       = run(e, ev, 86400, {System::gemini});
  const auto& g                      = r.of(System::gemini);
  const auto in                      = economics_inputs(e, kT);
  EXPECT_EQ(g.recoveries_from_storage, 1);
  EXPECT_NEAR(g.retrieval_s, in.checkpoint_bytes / in.storage_Bps, 0.01 * in.checkpoint_bytes / in.storage_Bps);
  // GEMINI's storage copy of 3 h (10800 s) had completed by then (upload about 481 s): back to it.
  EXPECT_NEAR(g.lost_progress_s, 20000 - e.checkpoint.storage_interval_s, 1e-6);
  // Before the first storage copy completes: back to the start of the job.
  const auto r1 = run(e, {{11000, {2, 3}, true, false}}, 86400, {System::gemini});
  EXPECT_NEAR(r1.of(System::gemini).lost_progress_s, 11000, 1e-6);
  // Two instances of different groups: recoverable from CPU memory.
  const auto r2 = run(e, {{20000, {2, 4}, true, false}}, 86400, {System::gemini});
  EXPECT_EQ(r2.of(System::gemini).recoveries_from_cpu_memory, 1);
}

TEST(FailureSim, FailureDuringRecoveryJoinsTheEpisode)
{
  const auto e = p4d({"failures.standby=true"});
  // Instance 6 fails; 100 s later, during the recovery, its only peer 7 fails too: the episode restarts
  // and must read storage.
  const std::vector<FailureEvent> ev = {{5000, {6}, true, false}, {5100, {7}, true, false}};
  const auto r                       = run(e, ev, 86400, {System::gemini});
  const auto& g                      = r.of(System::gemini);
  EXPECT_EQ(g.failures, 2);
  EXPECT_EQ(g.episodes, 1);
  EXPECT_EQ(g.recoveries_from_storage, 1);
  EXPECT_GT(g.recovery_s, 100 + e.failures.detection_s + e.failures.warmup_s);
}

TEST(FailureSim, ExpressionOneAveragesMatchTheClosedForm)
{
  // Software failures at random phases of the checkpoint cycle, one every 6 h, 40 days: the simulated
  // mean of lost progress + retrieval is Expression (1) within the sampling error of a uniform phase.
  const auto e = p4d({"failures.standby=true", "failures.hardware_fraction=0"});
  std::vector<FailureEvent> ev;
  uint64_t x = 12345;
  for (int i = 0; i < 160; i++) {
    x              = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = double(x >> 11) * 0x1.0p-53;
    ev.push_back({(i + u) * 21600.0, {int(x % 16)}, false, false});
  }
  const auto r  = run(e, ev, 160 * 21600.0);
  const auto in = economics_inputs(e, kT);
  for (System s : {System::gemini, System::highfreq}) {
    const auto cf = system_economics(s, in);
    const auto& o = r.of(s);
    EXPECT_EQ(o.failures, 160);
    // Lost progress is uniform over one period: the mean's standard error is period / sqrt(12 n).
    const double se = cf.period_s / std::sqrt(12.0 * 160);
    EXPECT_NEAR(o.expression1_per_failure_s(), cf.software.expression1_s(), 4 * se + 0.02 * cf.software.retrieval_s)
        << to_string(s);
  }
}

TEST(FailureSim, RecoveryProbabilityMatchesTheClosedForms)
{
  // Simulated k-instance hardware failures against Corollary 1 (group) and the ring formula (exact for
  // k <= m), within 4 standard errors of the simulated share.
  struct Case {
    std::vector<std::string> sets;
    double closed_form;
  };
  const std::vector<Case> cases = {
      {{"failures.model=simultaneous", "failures.simultaneous=2"}, group_recovery_closed_form(16, 2, 2).probability},
      {{"failures.model=simultaneous", "failures.simultaneous=3"}, group_recovery_closed_form(16, 2, 3).probability},
      {{"failures.model=simultaneous", "failures.simultaneous=2", "checkpoint.placement=ring"},
       ring_recovery_closed_form(16, 2, 2).probability},
  };
  for (const auto& c : cases) {
    const auto m = simulated_recovery(c.sets, 1500);
    EXPECT_EQ(m.samples, 1500);
    EXPECT_NEAR(m.probability, c.closed_form, 4 * m.standard_error) << c.sets.back();
  }
  // Correlated failures of 2-instance domains that coincide with the placement groups: every domain
  // failure defeats the placement, every single failure does not.
  const auto corr = simulated_recovery(
      {"failures.model=correlated", "failures.correlated_group_size=2", "failures.correlated_fraction=0.5"}, 1500);
  EXPECT_NEAR(corr.probability, 0.5, 4 * std::sqrt(0.25 / 1500));
}
