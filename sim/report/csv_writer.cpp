#include "sim/report/csv_writer.hpp"

#include <charconv>
#include <cmath>

namespace gsim {

std::string csv_field(const std::string& s)
{
  if (s.find_first_of(",\"\r\n") == std::string::npos)
    return s;
  std::string q = "\"";
  for (char c : s)
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_record(const std::vector<std::string>& fields)
{
  std::string line;
  for (size_t i = 0; i < fields.size(); i++) {
    if (i > 0)
      line += ','; // appended apart: GCC 12 warns falsely (-Wrestrict) on ("," + string)
    line += csv_field(fields[i]);
  }
  return line + "\n";
}

std::string csv_number(double v)
{
  if (not std::isfinite(v))
    return ""; // a table cell is a number or nothing; a non-finite value is a missing one
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string json_cell(const nlohmann::json& v)
{
  if (v.is_number_float())
    return csv_number(v.get<double>());
  if (v.is_null())
    return "";
  if (v.is_string())
    return v.get<std::string>();
  return v.dump();
}

} // namespace gsim
