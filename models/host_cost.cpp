#include "models/host_cost.hpp"

#include "models/calibration_paths.hpp"
#include "models/json_reader.hpp"

#include <filesystem>

namespace gsim {

std::optional<HostCost> host_cost(const Calibration& cal)
{
  const std::string file = (std::filesystem::path(cal.dir()) / "host" / "zero3_hooks.json").string();
  if (not std::filesystem::exists(file))
    return std::nullopt;
  const nlohmann::json j = read_json_file(file);
  // Only the fitted value is read: the rest of the file (fit inputs, spread, transfer rule) is provenance.
  JsonReader r(j, file);
  return HostCost{r.number("zero3_hook_host_s", 0, 0.1),
                  source_relative(file) + " (" + r.string_or("source", "no source") + ")"};
}

} // namespace gsim
