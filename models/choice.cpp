// The names of GSIM_CHOICE enums (models/choice.hpp says why they come from the enumerators).
#include "models/choice.hpp"

namespace gsim {

std::vector<std::string> split_choice_list(std::string_view list)
{
  std::vector<std::string> names;
  while (not list.empty()) {
    const size_t comma    = list.find(',');
    std::string_view name = list.substr(0, comma);
    while (not name.empty() && name.front() == ' ')
      name.remove_prefix(1);
    while (not name.empty() && name.back() == ' ')
      name.remove_suffix(1);
    names.emplace_back(name);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return names;
}

} // namespace gsim
