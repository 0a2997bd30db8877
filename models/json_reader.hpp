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

/** What one key accepts, recorded by the reader call that validates it: the readers are the one registry of
 *  config keys (`gemini-sim keys` lists what they recorded, so the listing cannot drift from validation). */
struct KeySpec {
  std::string key;                  // dotted path from the experiment's root, e.g. "cluster.nic.count"
  std::string type;                 // number, integer, boolean, string, choice, number list, path
  nlohmann::json min, max;          // the range of a number or an integer (null otherwise)
  std::vector<std::string> options; // the values of a choice
  bool required = true;
  nlohmann::json value;    // the value read, or the fallback of an absent optional key
  nlohmann::json fallback; // an optional key's value when absent (null for a required key)
};
using KeyLog = std::vector<KeySpec>;

/** The candidate nearest to `key` by edit distance when it is close enough to be a misspelling of it (at most
 *  2 edits, and fewer than half of the key's characters), else "". Ties go to the first candidate. */
std::string nearest_key(const std::string& key, const std::vector<std::string>& candidates);

class JsonReader {
 public:
  /** Reads object `j` found at dotted `path` ("" for the root) of `file`; every key read is recorded in
   *  `log` when one is given (nested objects record into the same log). */
  JsonReader(const nlohmann::json& j, std::string file, std::string path = "", KeyLog* log = nullptr);

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
  /** Throws on the first key that was present but never read, naming the nearest known key when one is close. */
  void finish() const;

  /** Throws a ConfigError for `key` of this object. */
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
  std::string key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const std::string& file() const { return file_; }

 private:
  const nlohmann::json& get(const std::string& key);
  // Records (or, read again, replaces) what `key` accepts in log_.
  void note(const std::string& key, const std::string& type, nlohmann::json min, nlohmann::json max,
            std::vector<std::string> options, const nlohmann::json& value);
  // Marks `key` optional with its fallback (recording it first when it is absent).
  void note_fallback(const std::string& key, const std::string& type, nlohmann::json min, nlohmann::json max,
                     std::vector<std::string> options, const nlohmann::json& fallback);

  // The optional form of every reader: `read()` when `key` is present, else `fallback`; either way the key
  // is marked optional with its fallback in the registry.
  template <class T, class Read>
  T read_or(const std::string& key, const T& fallback, const std::string& type, nlohmann::json min, nlohmann::json max,
            std::vector<std::string> options, Read read)
  {
    read_.insert(key);
    T x = has(key) ? T(read()) : fallback;
    note_fallback(key, type, std::move(min), std::move(max), std::move(options), fallback);
    return x;
  }

  const nlohmann::json* j_;
  std::string file_;
  std::string path_;
  std::set<std::string> read_;
  KeyLog* log_;
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
