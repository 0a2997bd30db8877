#include "sim/run/registry.hpp"

#include <algorithm>

namespace gsim {

std::map<std::string, CommandSetup>& commands()
{
  static std::map<std::string, CommandSetup> c;
  return c;
}

std::vector<SummaryStage>& summary_stages()
{
  static std::vector<SummaryStage> s;
  return s;
}

RegisterSummaryStage::RegisterSummaryStage(SummaryStage stage)
{
  auto& s = summary_stages();
  s.push_back(std::move(stage));
  std::sort(s.begin(), s.end(), [](const SummaryStage& a, const SummaryStage& b) {
    return a.order != b.order ? a.order < b.order : a.name < b.name;
  });
}

} // namespace gsim
