#include "models/host_cost.hpp"

#include "models/json_reader.hpp"

#include <filesystem>
#include <map>
#include <mutex>

namespace gsim {

std::optional<HostCost> host_cost(const Calibration& cal)
{
  // Read once per calibration directory: every program build of a run asks.
  static std::mutex mutex;
  static std::map<std::string, std::optional<HostCost>> cache;
  const std::scoped_lock lock(mutex);
  if (const auto it = cache.find(cal.dir()); it != cache.end())
    return it->second;
  const std::string file = (std::filesystem::path(cal.dir()) / "host" / "zero3_hooks.json").string();
  std::optional<HostCost> out;
  if (std::filesystem::exists(file)) {
    const nlohmann::json j = read_json_file(file);
    // Only the fitted value is read: the rest of the file (fit inputs, spread, transfer rule) is provenance.
    JsonReader r(j, file);
    out = HostCost{r.number("zero3_hook_host_s", 0, 0.1), file + " (" + r.string_or("source", "no source") + ")"};
  }
  cache[cal.dir()] = out;
  return out;
}

} // namespace gsim
