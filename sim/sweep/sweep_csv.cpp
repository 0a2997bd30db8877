#include "sim/sweep/sweep_csv.hpp"

#include <stdexcept>

namespace gsim {

std::vector<std::vector<std::string>> parse_csv(const std::string& text)
{
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); i++) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        i++;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
    } else if (c != '\r' || i + 1 >= text.size() || text[i + 1] != '\n') {
      field += c; // a lone CR is data; CR LF ends a record like LF
    }
  }
  if (quoted)
    throw std::runtime_error("unterminated quoted field");
  if (not field.empty() || not record.empty()) { // a last record without its "\n"
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

} // namespace gsim
