#include "models/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace gsim {

namespace {
bool is_citation(const std::string& key)
{
  auto ends_with = [&](const std::string& s) {
    return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0;
  };
  return key == "source" || key == "notes" || key == "description" || ends_with("_source");
}

// Levenshtein distance, to point at a misspelt key when a required one is missing.
size_t edit_distance(const std::string& a, const std::string& b)
{
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    size_t diag = row[0];
    row[0]      = i;
    for (size_t j = 1; j <= b.size(); j++) {
      size_t up = row[j];
      row[j]    = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag      = up;
    }
  }
  return row[b.size()];
}

std::string range_text(double min, double max)
{
  std::ostringstream s;
  s << "must be in [" << min << ", " << max << "]";
  return s.str();
}
} // namespace

std::string nearest_key(const std::string& key, const std::vector<std::string>& candidates)
{
  std::string best;
  size_t best_d = 3; // more than 2 edits is a different word, not a typo
  for (const auto& c : candidates)
    if (const size_t d = edit_distance(key, c); d < best_d && 2 * d < key.size()) {
      best   = c;
      best_d = d;
    }
  return best;
}

JsonReader::JsonReader(const nlohmann::json& j, std::string file, std::string path, KeyLog* log)
    : j_(&j), file_(std::move(file)), path_(std::move(path)), log_(log)
{
  if (not j.is_object())
    throw ConfigError(file_, path_.empty() ? "(root)" : path_, "must be a JSON object");
}

void JsonReader::fail(const std::string& key, const std::string& problem) const
{
  throw ConfigError(file_, key_path(key), problem);
}

bool JsonReader::has(const std::string& key) const
{
  return j_->contains(key) && not(*j_)[key].is_null();
}

void JsonReader::note(const std::string& key, const std::string& type, nlohmann::json min, nlohmann::json max,
                      std::vector<std::string> options, const nlohmann::json& value)
{
  if (log_ == nullptr)
    return;
  KeySpec k{key_path(key), type, std::move(min), std::move(max), std::move(options), true, value, nullptr};
  for (auto& old : *log_)
    if (old.key == k.key) {
      k.required = old.required;
      k.fallback = old.fallback;
      old        = std::move(k); // read again as a narrower type (a string read as a choice)
      return;
    }
  log_->push_back(std::move(k));
}

void JsonReader::note_fallback(const std::string& key, const std::string& type, nlohmann::json min, nlohmann::json max,
                               std::vector<std::string> options, const nlohmann::json& fallback)
{
  if (log_ == nullptr)
    return;
  if (not has(key)) // absent: nothing was read, so the key is known by this call alone
    note(key, type, std::move(min), std::move(max), std::move(options), fallback);
  for (auto& k : *log_)
    if (k.key == key_path(key)) {
      k.required = false;
      k.fallback = fallback;
    }
}

const nlohmann::json& JsonReader::get(const std::string& key)
{
  read_.insert(key);
  if (not j_->contains(key)) {
    for (const auto& [k, v] : j_->items())
      if (not read_.count(k) && edit_distance(k, key) <= 2)
        fail(key, "missing key (is \"" + k + "\" a misspelling of it?)");
    fail(key, "missing key");
  }
  return (*j_)[key];
}

double JsonReader::number(const std::string& key, double min, double max)
{
  const auto& v = get(key);
  if (not v.is_number())
    fail(key, "must be a number, got " + shown(v));
  double x = v.get<double>();
  if (not std::isfinite(x) || x < min || x > max)
    fail(key, range_text(min, max) + ", got " + shown(v));
  note(key, "number", min, max, {}, v);
  return x;
}

double JsonReader::number_or(const std::string& key, double fallback, double min, double max)
{
  return read_or(key, fallback, "number", min, max, {}, [&] { return number(key, min, max); });
}

int64_t JsonReader::integer(const std::string& key, int64_t min, int64_t max)
{
  const auto& v = get(key);
  // Integers are read as integers (a seed of 2^53 + 1 stays exact); a float only when it is integral and
  // exactly representable (|x| <= 2^53), so no conversion to int64 is ever out of range.
  constexpr double kExact = 9007199254740992.0; // 2^53
  int64_t x               = 0;
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (max < 0 || u > uint64_t(max))
      fail(key, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + shown(v));
    x = int64_t(u);
  } else if (v.is_number_integer()) {
    x = v.get<int64_t>();
  } else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
             std::fabs(v.get<double>()) <= kExact) {
    x = int64_t(v.get<double>());
  } else {
    fail(key, "must be an integer, got " + shown(v));
  }
  if (x < min || x > max)
    fail(key, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + shown(v));
  note(key, "integer", min, max, {}, v);
  return x;
}

int64_t JsonReader::integer_or(const std::string& key, int64_t fallback, int64_t min, int64_t max)
{
  return read_or(key, fallback, "integer", min, max, {}, [&] { return integer(key, min, max); });
}

bool JsonReader::boolean(const std::string& key)
{
  const auto& v = get(key);
  if (not v.is_boolean())
    fail(key, "must be true or false, got " + shown(v));
  note(key, "boolean", nullptr, nullptr, {}, v);
  return v.get<bool>();
}

bool JsonReader::boolean_or(const std::string& key, bool fallback)
{
  return read_or(key, fallback, "boolean", nullptr, nullptr, {}, [&] { return boolean(key); });
}

std::string JsonReader::string(const std::string& key)
{
  const auto& v = get(key);
  if (not v.is_string())
    fail(key, "must be a string, got " + shown(v));
  note(key, "string", nullptr, nullptr, {}, v);
  return v.get<std::string>();
}

std::string JsonReader::string_or(const std::string& key, const std::string& fallback)
{
  return read_or(key, fallback, "string", nullptr, nullptr, {}, [&] { return string(key); });
}

std::string JsonReader::choice(const std::string& key, const std::vector<std::string>& options)
{
  std::string s = string(key);
  for (const auto& o : options)
    if (s == o) {
      note(key, "choice", nullptr, nullptr, options, s);
      return s;
    }
  std::string list;
  for (const auto& o : options)
    list += (list.empty() ? "" : ", ") + o;
  fail(key, "must be one of " + list + ", got \"" + s + "\"");
}

std::string JsonReader::choice_or(const std::string& key, const std::string& fallback,
                                  const std::vector<std::string>& options)
{
  return read_or(key, fallback, "choice", nullptr, nullptr, options, [&] { return choice(key, options); });
}

std::vector<double> JsonReader::number_list(const std::string& key, double min, double max)
{
  const auto& v = get(key);
  if (not v.is_array() || v.empty())
    fail(key, "must be a non-empty list of numbers, got " + shown(v));
  std::vector<double> out;
  for (const auto& x : v) {
    if (not x.is_number() || x.get<double>() < min || x.get<double>() > max)
      fail(key, "every element " + range_text(min, max) + ", got " + shown(x));
    out.push_back(x.get<double>());
  }
  note(key, "number list", min, max, {}, v);
  return out;
}

JsonReader JsonReader::object(const std::string& key)
{
  const auto& v = get(key);
  if (not v.is_object())
    fail(key, "must be an object, got " + shown(v));
  return JsonReader(v, file_, key_path(key), log_);
}

void JsonReader::finish() const
{
  const std::vector<std::string> known(read_.begin(), read_.end());
  for (const auto& [k, v] : j_->items())
    if (not read_.count(k) && not is_citation(k)) {
      const std::string near = nearest_key(k, known);
      fail(k, near.empty() ? "unknown key" : "unknown key (did you mean \"" + key_path(near) + "\"?)");
    }
}

std::string shown(const nlohmann::json& v)
{
  std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return text.size() > 120 ? text.substr(0, 120) + "..." : text;
}

std::string file_problem(const std::string& path)
{
  namespace fs = std::filesystem;
  if (path.empty())
    return "an empty path names no file";
  std::error_code ec;
  const auto st = fs::status(path, ec); // follows symlinks: a loop is ELOOP here
  if (st.type() == fs::file_type::not_found)
    return "file does not exist";
  if (ec)
    return "cannot be read: " + ec.message();
  if (st.type() == fs::file_type::regular)
    return "";
  if (st.type() == fs::file_type::directory)
    return "is a directory, not a file";
  static const std::map<fs::file_type, std::string> special = {{fs::file_type::fifo, "a FIFO"},
                                                               {fs::file_type::character, "a character device"},
                                                               {fs::file_type::block, "a block device"},
                                                               {fs::file_type::socket, "a socket"}};

  const auto it = special.find(st.type());
  return it == special.end() ? "is not a regular file" : "is " + it->second + ", not a regular file";
}

nlohmann::json parse_json_text(const std::string& text, const std::string& file, const std::string& key)
{
  // The callback sees every value with its depth; refusing deep input here keeps the DOM shallow.
  bool too_deep = false;
  auto limit    = [&too_deep](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxJsonDepth)
      too_deep = true;
    return not too_deep;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, limit, true, /*ignore_comments=*/false);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(file, key, "not valid JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::exception& e) { // 1e400: out_of_range 406, not a parse_error
    throw ConfigError(file, key, std::string("not valid JSON: ") + e.what());
  }
  if (too_deep)
    throw ConfigError(file, key, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  return j;
}

nlohmann::json read_json_file(const std::string& file)
{
  if (const auto problem = file_problem(file); not problem.empty())
    throw ConfigError(file, "(file)", problem);
  std::ifstream in(file, std::ios::binary);
  if (not in)
    throw ConfigError(file, "(file)", "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw ConfigError(file, "(file)", "cannot read the file");
  return parse_json_text(text.str(), file, "(syntax)");
}

} // namespace gsim
