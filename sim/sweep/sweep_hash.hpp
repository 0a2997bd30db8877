#pragma once
// The name of a sweep point's result directory: a hash of the point's resolved config, so the same
// config finds its finished result again (resume), whatever the grid, shard or machine that ran it.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace gsim {

/** FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3), of `bytes`. */
uint64_t fnv1a64(std::string_view bytes);

/** FNV-1a 64 of `resolved.dump()` as 16 lower-case hex digits. The dump is canonical: object keys
 *  sorted, no whitespace, numbers in nlohmann's shortest round-trip form, so the name is the same
 *  on every run and machine for the same resolved config. */
std::string config_hash(const nlohmann::json& resolved);

} // namespace gsim
