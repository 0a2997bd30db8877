#pragma once
// Time units written once: the failure models count in days, the engine in seconds.
namespace gsim {

inline constexpr double kSecondsPerDay  = 86400;
inline constexpr double kSecondsPerHour = 3600;

} // namespace gsim
