// The run pipeline (sim/run/pipeline.hpp): stages in data-flow order, each key reported by one stage,
// no non-finite number reaching a result, and the Chrome-trace builder every timeline goes through.
#include "models/config_error.hpp"
#include "sim/report/chrome_trace.hpp"
#include "sim/run/pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

namespace gsim {
namespace {

size_t position(const std::string& name)
{
  const auto& p = pipeline();
  const auto it = std::find_if(p.begin(), p.end(), [&](const Stage& s) { return s.name == name; });
  EXPECT_NE(it, p.end()) << name;
  return size_t(it - p.begin());
}

TEST(Pipeline, StagesRunInDataFlowOrder)
{
  EXPECT_LT(position("model"), position("simulation"));       // the simulation reads the memory estimate
  EXPECT_LT(position("calibration"), position("simulation")); // and prices with the calibration
  EXPECT_LT(position("simulation"), position("checkpoint_plan"));
  EXPECT_LT(position("simulation"), position("economics")); // the failure models use the simulated iteration
  EXPECT_LT(position("simulation"), position("failures"));
}

Experiment closed_form_experiment()
{
  // Only the closed forms run: no simulation (the stages under test are fakes).
  return load_experiment("configs/p4d16.json", {"checkpoint.scheme=none"});
}

TEST(Pipeline, NonFiniteResultIsAnErrorNamingStageAndKey)
{
  const Experiment e = closed_form_experiment();
  RunContext ctx(e);
  const std::vector<Stage> stages{
      {"fine", [](RunContext& c) { c.report.set("a_s", 1.5); }},
      {"broken",
       [](RunContext& c) {
         c.report.set("per_system", {{"gemini", std::nan("")}});
       }},
  };
  try {
    run_stages(ctx, stages);
    FAIL() << "a NaN reached the summary";
  } catch (const ConfigError& err) {
    EXPECT_EQ(err.key(), "per_system.gemini");
    EXPECT_NE(err.problem().find("broken stage"), std::string::npos) << err.what();
  }
}

TEST(Pipeline, InfinityInAnArrayIsCaughtToo)
{
  const Experiment e = closed_form_experiment();
  RunContext ctx(e);
  const std::vector<Stage> stages{{"spans", [](RunContext& c) {
                                     c.report.set("spans", {1.0, std::numeric_limits<double>::infinity()});
                                   }}};
  EXPECT_THROW(run_stages(ctx, stages), ConfigError);
}

TEST(Pipeline, AKeyIsReportedOnce)
{
  RunResult r;
  r.set("iteration_time_s", 1.0);
  EXPECT_THROW(r.set("iteration_time_s", 2.0), std::logic_error);
}

TEST(Pipeline, OutOfMemoryJobReportsNothingAsIfItRan)
{
  // GPT-2 100B on 4 p4d: 1.6 TB of model states in 32 x 40 GB.
  const Experiment e = load_experiment("configs/p4d16.json", {"instances=4"});
  RunContext ctx(e);
  run_pipeline(ctx);
  const auto& s = ctx.report.summary();
  EXPECT_FALSE(s.at("model_fits_gpu_memory").get<bool>());
  EXPECT_FALSE(ctx.simulated.has_value());
  EXPECT_FALSE(s.contains("iteration_time_s"));
  EXPECT_FALSE(s.contains("closed_form_effective_training_time_ratio"));
  EXPECT_FALSE(s.contains("effective_training_time_ratio"));
  EXPECT_NE(s.at("simulation_note").get<std::string>().find("does not fit in GPU memory"), std::string::npos);
}

TEST(ChromeTrace, TouchingSlicesStayTouchingOnTheNanosecondGrid)
{
  // Times whose microsecond values round differently when start and duration are rounded apart.
  ChromeTrace t;
  const double a = 0.1234564999, b = 0.2469130001, c = 0.3703695;
  t.slice(0, 0, "first", "x", a, b);
  t.slice(0, 0, "second", "x", b, c);
  t.slice(0, 0, "empty", "x", c, c + 1e-10); // shorter than a nanosecond: left out
  const auto doc = nlohmann::json::parse(t.json());
  const auto& ev = doc.at("traceEvents");
  ASSERT_EQ(ev.size(), 2u);
  const auto ns  = [](const nlohmann::json& v) { return std::llround(v.get<double>() * 1000); };
  const auto end = ns(ev[0]["ts"]) + ns(ev[0]["dur"]);
  EXPECT_EQ(end, ns(ev[1]["ts"]));
  EXPECT_EQ(ns(ev[0]["ts"]), std::llround(a * 1e9));
}

TEST(ChromeTrace, NamesAreEscaped)
{
  ChromeTrace t;
  t.thread_name(1, 2, "gpu \"0\" \\ compute");
  t.slice(1, 2, "a\nb", "c", 0, 1, {{"episode", 3}});
  const auto doc = nlohmann::json::parse(t.json());
  EXPECT_EQ(doc["traceEvents"][0]["args"]["name"], "gpu \"0\" \\ compute");
  EXPECT_EQ(doc["traceEvents"][1]["name"], "a\nb");
  EXPECT_EQ(doc["traceEvents"][1]["args"]["episode"], 3);
  EXPECT_EQ(doc["traceEvents"][1]["dur"], 1e6);
}

} // namespace
} // namespace gsim
