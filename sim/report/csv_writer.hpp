#pragma once
// The one CSV writer of gemini-sim (sweep tables, figure tables): RFC 4180 fields (quoted when they hold
// a comma, a double quote, CR or LF; a quote inside doubled), records ending in "\n", and numbers in
// std::to_chars' shortest round-trip form, so 0.03 prints as 0.03 and reads back as the same double
// (equal cells mean bit-equal doubles; a pandas filter `rate == 0.03` finds the row).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gsim {

/** One field, quoted when it must be. */
std::string csv_field(const std::string& s);

/** One record: the fields joined by commas, then "\n". */
std::string csv_record(const std::vector<std::string>& fields);

/** A double in the shortest form that reads back as the same double ("nan"/"inf" never: empty cell). */
std::string csv_number(double v);

/** A JSON value as a cell: numbers shortest round-trip, booleans and null as JSON (null: empty), strings
 *  bare, lists and objects as JSON text. */
std::string json_cell(const nlohmann::json& v);

} // namespace gsim
