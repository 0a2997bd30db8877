#include "models/figure_failure_keys.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gsim {

void read_figure_failure_keys(JsonReader& f, int instances, FailureSpec& out)
{
  constexpr int64_t kMaxInt      = std::numeric_limits<int>::max();
  constexpr double kBig          = 1e12;
  out.recovery_simulation_events = int(f.integer_or("recovery_simulation_events", 0, 0, kMaxInt));
  out.counted_instances          = int(f.integer_or("counted_instances", 0, 0, kMaxInt));
  if (f.has("script")) {
    auto s = f.object("script");
    ScriptedFailure script;
    script.at_iterations = s.number("at_iterations", 0, 1e9);
    const auto ids       = s.number_list("instances", 0, double(instances - 1));
    for (size_t i = 0; i < ids.size(); i++) {
      if (ids[i] != std::floor(ids[i]) || (i > 0 && not(ids[i] > ids[i - 1])))
        s.fail("instances", "must be increasing instance ids 0 .. " + std::to_string(instances - 1));
      script.instances.push_back(int(ids[i]));
    }
    script.hardware = s.boolean("hardware");
    s.finish();
    out.script = script;
  }
  if (f.has("spaced")) {
    if (f.has("script"))
      f.fail("spaced", "give failures.script or failures.spaced, not both");
    auto s = f.object("spaced");
    SpacedFailures spaced;
    spaced.events     = int(s.integer("events", 1, 1000000));
    spaced.spacing_s  = s.number("spacing_s", 1e-9, kBig);
    spaced.replaced   = int(s.integer("replaced", 0, std::min<int64_t>(2, instances)));
    spaced.same_group = s.boolean("same_group");
    if (spaced.same_group && spaced.replaced != 2)
      s.fail("same_group", "two instances of one placement group need replaced = 2");
    s.finish();
    out.spaced = spaced;
  }
}

} // namespace gsim
