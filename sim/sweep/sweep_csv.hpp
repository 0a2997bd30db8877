#pragma once
// CSV as RFC 4180 writes it: a field is quoted when it holds a comma, a double quote, CR or LF, and
// a quote inside is doubled. Records end with "\n". Reading back gives the same fields, so a table
// read and written again is byte-identical (what sweep-merge relies on).
// Writing is sim/report/csv_writer.hpp's (one writer for every table); this is the reading side.
#include "sim/report/csv_writer.hpp"

#include <string>
#include <vector>

namespace gsim {

/** Parses CSV text into records. Throws std::runtime_error on an unterminated quoted field. */
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

} // namespace gsim
