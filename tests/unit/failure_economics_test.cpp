// The closed-form failure economics (Expressions 1 and 2, the three systems, Fig 11) on hand numbers.
#include "models/failure_economics.hpp"
#include "models/transformer.hpp"

#include <gtest/gtest.h>

using namespace gsim;

namespace {
// Round numbers that make every term checkable by hand: 10 instances, a 1 TB checkpoint (100 GB per
// instance), storage 2.5 GB/s (t_ckpt 400 s), torch.save() at 1 GB/s (100 s per replica), T_iter 50 s.
EconomicsInputs hand_inputs()
{
  EconomicsInputs in;
  in.instances                 = 10;
  in.replicas                  = 2;
  in.checkpoint_bytes          = 1000e9;
  in.storage_Bps               = 2.5e9;
  in.instance_Bps              = 50e9;
  in.local_restore_Bps         = 100e9;
  in.serialization_Bps         = 1e9;
  in.iteration_s               = 50;
  in.strawman_interval_s       = 3600;
  in.gemini_storage_interval_s = 10800;
  in.detection_s               = 10;
  in.warmup_s                  = 200;
  in.replacement_s             = 300;
  in.hardware_fraction         = 0.25;
  return in;
}
} // namespace

TEST(Expressions, OneAndTwo)
{
  // Sec 2.2's MT-NLG example: t_ckpt = t_rtvl = 42 min, 1/f = 42 min -> 42 + 21 + 42 = 105 min.
  EXPECT_DOUBLE_EQ(wasted_time_s(42 * 60, 1.0 / (42 * 60), 42 * 60), 105 * 60);
  EXPECT_DOUBLE_EQ(wasted_time_s(480, 1.0 / 3600, 480), 480 + 1800 + 480);
  EXPECT_DOUBLE_EQ(max_checkpoint_frequency_hz(480, 62), 1.0 / 480);
  EXPECT_DOUBLE_EQ(max_checkpoint_frequency_hz(3, 62), 1.0 / 62);
}

TEST(Expressions, HighFreqInterval)
{
  EXPECT_EQ(highfreq_interval_iterations(481.344, 62), 8); // ceil(7.76)
  EXPECT_EQ(highfreq_interval_iterations(480, 60), 8);     // an exact multiple does not round up
  EXPECT_EQ(highfreq_interval_iterations(480.1, 60), 9);
  EXPECT_EQ(highfreq_interval_iterations(10, 62), 1);
  EXPECT_EQ(highfreq_interval_iterations(0, 62), 1);
}

TEST(Systems, HighFreqByHand)
{
  const auto h = system_economics(System::highfreq, hand_inputs());
  // ceil(400/50) = 8 iterations = 400 s of training, then 100 s of torch.save(): a 500 s cycle.
  EXPECT_DOUBLE_EQ(h.checkpoint_s, 400);
  EXPECT_DOUBLE_EQ(h.blocking_s, 100);
  EXPECT_DOUBLE_EQ(h.period_s, 500);
  EXPECT_DOUBLE_EQ(h.productive_fraction, 0.8);
  EXPECT_DOUBLE_EQ(h.checkpoints_per_hour_storage, 7.2);
  EXPECT_DOUBLE_EQ(h.checkpoints_per_hour_cpu, 0);
  // Expression (1): 400 + 500/2 + 400 (read back from storage); + detection 10 + warm-up 200.
  EXPECT_DOUBLE_EQ(h.software.expression1_s(), 1050);
  EXPECT_DOUBLE_EQ(h.software.total_s(), 1260);
  EXPECT_DOUBLE_EQ(h.hardware.total_s(), 1560); // + replacement 300
  EXPECT_DOUBLE_EQ(h.wasted_per_failure_s, 0.75 * 1260 + 0.25 * 1560);
}

TEST(Systems, StrawmanByHand)
{
  const auto s = system_economics(System::strawman, hand_inputs());
  EXPECT_DOUBLE_EQ(s.period_s, 3700);
  EXPECT_DOUBLE_EQ(s.productive_fraction, 3600.0 / 3700);
  EXPECT_DOUBLE_EQ(s.software.total_s(), 400 + 1850 + 400 + 210);
  EXPECT_DOUBLE_EQ(s.wasted_per_failure_s, 2860 + 0.25 * 300);
}

TEST(Systems, GeminiByHand)
{
  const auto g = system_economics(System::gemini, hand_inputs());
  EXPECT_DOUBLE_EQ(g.productive_fraction, 1);
  EXPECT_DOUBLE_EQ(g.checkpoints_per_hour_cpu, 72);
  EXPECT_DOUBLE_EQ(g.checkpoints_per_hour_storage, 1.0 / 3);
  // 1.5 iterations lost (t_ckpt = T_iter, f = 1/T_iter); torch.save() of m = 2 replicas of 100 GB at
  // 1 GB/s; local restore 100 GB at 100 GB/s; a replaced instance pulls 100 GB from a peer at 50 GB/s.
  EXPECT_DOUBLE_EQ(g.software.lost_progress_s, 75);
  EXPECT_DOUBLE_EQ(g.software.serialization_s, 200);
  EXPECT_DOUBLE_EQ(g.software.retrieval_s, 1);
  EXPECT_DOUBLE_EQ(g.hardware.retrieval_s, 2);
  EXPECT_DOUBLE_EQ(g.software.total_s(), 75 + 1 + 10 + 200 + 200);
  EXPECT_DOUBLE_EQ(g.hardware.total_s(), 75 + 2 + 10 + 200 + 300 + 200);
  const auto none = system_economics(System::none, hand_inputs());
  EXPECT_DOUBLE_EQ(none.wasted_per_failure_s, 0);
  EXPECT_DOUBLE_EQ(effective_training_time_ratio(none, 100), 1);
}

TEST(Systems, EffectiveRatioIsMultiplicativeAndFloored)
{
  const auto in = hand_inputs();
  const auto h  = system_economics(System::highfreq, in);
  // 0.8 * (1 - 4 * 1335 / 86400); the additive form 0.8 - 4 * 1335 / 86400 = 0.7382 would fail.
  EXPECT_NEAR(effective_training_time_ratio(h, 4), 0.8 * (1 - 4 * 1335.0 / 86400), 1e-12);
  EXPECT_DOUBLE_EQ(effective_training_time_ratio(h, 0), 0.8);
  const auto s = system_economics(System::strawman, in);
  EXPECT_EQ(effective_training_time_ratio(s, 40), 0); // 40 * 2935 s > a day
}

TEST(Systems, DerivedFromTheDefaultExperiment)
{
  const Experiment e  = load_experiment("configs/p4d16.json");
  const auto in       = economics_inputs(e, 62);
  const double params = total_params(e.model);
  EXPECT_DOUBLE_EQ(in.checkpoint_bytes, 12 * params);
  EXPECT_NEAR(in.checkpoint_bytes / in.storage_Bps, 12 * params / 2.5e9, 1e-6); // 20 Gbps
  EXPECT_DOUBLE_EQ(in.instance_Bps, 50e9);                                      // 4 x 100 Gbps
  const auto g              = system_economics(System::gemini, in);
  const double per_instance = 12 * params / 16;
  EXPECT_NEAR(g.software.total_s(), 93 + 15 + 253 + 2 * per_instance / 0.93e9 + per_instance / 126e9, 1e-6);
  EXPECT_EQ(g.wasted_per_failure_s, g.software.total_s()); // hardware_fraction 0

  const Experiment standby = load_experiment("configs/p4d16.json", {"failures.standby=true"});
  const auto gs            = system_economics(System::gemini, economics_inputs(standby, 62));
  EXPECT_DOUBLE_EQ(gs.hardware.replacement_s, 0);
  EXPECT_DOUBLE_EQ(g.hardware.replacement_s, 330);
  EXPECT_THROW(economics_inputs(e, 0), std::invalid_argument);
}

TEST(Fig11, ReductionIsAggregateNetworkOverStorage)
{
  // 16 instances x 0.85 x 400 Gbps over 20 Gbps, one peer copy each: 272.
  EXPECT_NEAR(checkpoint_time_reduction(16, 50e9, 2.5e9, 2, 0.85), 272, 1e-9);
  EXPECT_NEAR(checkpoint_time_reduction(4, 12.5e9, 2.5e9, 2, 0.85), 17, 1e-9);
  EXPECT_NEAR(checkpoint_time_reduction(16, 50e9, 2.5e9, 3, 0.85), 136, 1e-9); // two peer copies
  EXPECT_THROW(checkpoint_time_reduction(16, 50e9, 2.5e9, 1, 0.85), std::invalid_argument);
}
