#include "sim/sweep/sweep_hash.hpp"

#include <cstdio>

namespace gsim {

uint64_t fnv1a64(std::string_view bytes)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string config_hash(const nlohmann::json& resolved)
{
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(resolved.dump())));
  return buf;
}

} // namespace gsim
