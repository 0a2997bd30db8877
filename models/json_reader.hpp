#pragma once
// Strict reading of one JSON object (Calculon's rule, not ASTRA-sim's): every key is read by name,
// typed and range-checked; a key nobody read is an error; each error names file, key and problem.
// Keys named "source", "notes", "description" or ending in "_source" are citations and always allowed.
#include "models/config_error.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gsim {

class JsonReader {
 public:
  /** Reads object `j` found at dotted `path` ("" for the root) of `file`. */
  JsonReader(const nlohmann::json& j, std::string file, std::string path = "");

  double number(const std::string& key, double min, double max);
  double number_or(const std::string& key, double fallback, double min, double max);
  int64_t integer(const std::string& key, int64_t min, int64_t max);
  int64_t integer_or(const std::string& key, int64_t fallback, int64_t min, int64_t max);
  bool boolean(const std::string& key);
  bool boolean_or(const std::string& key, bool fallback);
  std::string string(const std::string& key);
  std::string string_or(const std::string& key, const std::string& fallback);
  /** A string that must be one of `options`. */
  std::string choice(const std::string& key, const std::vector<std::string>& options);
  std::string choice_or(const std::string& key, const std::string& fallback, const std::vector<std::string>& options);
  std::vector<double> number_list(const std::string& key, double min, double max);
  /** A nested object, read with the same rules. */
  JsonReader object(const std::string& key);
  bool has(const std::string& key) const;
  /** Throws on the first key that was present but never read. */
  void finish() const;

  /** Throws a ConfigError for `key` of this object. */
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
  std::string key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const std::string& file() const { return file_; }

 private:
  const nlohmann::json& get(const std::string& key);

  const nlohmann::json* j_;
  std::string file_;
  std::string path_;
  std::set<std::string> read_;
};

/** Objects and arrays nest at most this deep in a config (the shipped ones nest 3 deep). Deeper input is
 *  refused while parsing: nlohmann's parser is iterative, but copying or printing such a value recurses
 *  once per level and overflows the stack near 10^5. */
constexpr int kMaxJsonDepth = 64;

/** Why `path` cannot be read as a config file ("" when it is a regular file): "does not exist", "is a
 *  directory", "is not a regular file (a FIFO...)", or the system's reason (symlink loop, name too long).
 *  Checked before opening, so a FIFO never blocks. */
std::string file_problem(const std::string& path);

/** Parses JSON text; throws ConfigError(`file`, `key`, ...) for a syntax error, a number out of the double
 *  range (1e400) or nesting beyond kMaxJsonDepth. */
nlohmann::json parse_json_text(const std::string& text, const std::string& file, const std::string& key);

/** Parses a JSON file; a missing file or a syntax error is a ConfigError naming the file. */
nlohmann::json read_json_file(const std::string& file);

/** `v` as JSON text for an error message: invalid UTF-8 replaced, cut after 120 characters. */
std::string shown(const nlohmann::json& v);

} // namespace gsim
