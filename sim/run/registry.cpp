#include "sim/run/registry.hpp"

namespace gsim {

std::map<std::string, CommandSetup>& commands()
{
  static std::map<std::string, CommandSetup> c;
  return c;
}

std::map<std::string, Figure>& figures()
{
  static std::map<std::string, Figure> f;
  return f;
}

} // namespace gsim
