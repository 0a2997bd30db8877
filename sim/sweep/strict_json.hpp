#pragma once
// JSON files a person writes for a sweep (grid files, figure configs), read keeping the key order and
// refusing a key given twice in one object (nlohmann would keep the last one silently).
#include <nlohmann/json.hpp>

#include <string>

namespace gsim {

/** Reads `file` (read_json_file's one-line errors for a missing or malformed file). Throws ConfigError
 *  naming the file and the repeated key. */
nlohmann::ordered_json read_strict_json(const std::string& file);

} // namespace gsim
