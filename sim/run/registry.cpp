#include "sim/run/registry.hpp"

namespace gsim {

std::map<std::string, CommandSetup>& commands()
{
  static std::map<std::string, CommandSetup> c;
  return c;
}

} // namespace gsim
