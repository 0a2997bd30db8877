#pragma once
// Time units written once: the failure models count in days, the engine in seconds, traces and
// differences of simulated times in whole nanoseconds.
#include <cmath>
#include <cstdint>

namespace gsim {

inline constexpr double kSecondsPerDay  = 86400;
inline constexpr double kSecondsPerHour = 3600;

/** Seconds to whole nanoseconds: the grid on which two simulated times are compared or traced (SimGrid
 *  accumulates its clock in doubles, so equal spans can differ in their last bits). */
inline int64_t whole_ns(double seconds)
{
  return std::llround(seconds * 1e9);
}

} // namespace gsim
