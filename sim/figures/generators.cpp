#include "sim/figures/generators.hpp"

namespace gsim {

std::map<std::string, FigureGenerator>& figure_generators()
{
  static std::map<std::string, FigureGenerator> f;
  return f;
}

} // namespace gsim
