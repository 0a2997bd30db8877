#pragma once
// The result of one run: the summary (JSON with stable, unit-suffixed keys, and the same values as
// readable lines) and any extra files (iterations.csv, timeline.json) to write with it.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace gsim {

/** summary.json's schema_version: raised when a key changes meaning or is removed. */
inline constexpr int kSummarySchemaVersion = 1;

class RunResult {
 public:
  /** Starts a titled block of the readable summary. */
  void section(const std::string& title);
  /** Sets a summary key, once (a second set of the same key is a std::logic_error); `shown` is how the
   *  readable summary prints it (empty: not printed). */
  void set(const std::string& key, const nlohmann::json& value, const std::string& label = "",
           const std::string& shown = "");
  /** Adds a readable line that has no summary key (a row of a small table). */
  void line(const std::string& label, const std::string& shown) { lines_.emplace_back(label, shown); }
  bool has(const std::string& key) const { return summary_.contains(key); }
  const nlohmann::json& get(const std::string& key) const { return summary_.at(key); }
  const nlohmann::json& summary() const { return summary_; }
  /** Adds a file to write beside summary.json when the run is given --out. */
  void add_file(const std::string& name, std::string content) { files_[name] = std::move(content); }
  const std::map<std::string, std::string>& files() const { return files_; }
  /** The readable summary, one "label  value" line each, aligned, sections in order. */
  std::string text() const;

 private:
  nlohmann::json summary_ = nlohmann::json::object();
  std::vector<std::pair<std::string, std::string>> lines_; // (label, shown); label "#" marks a section
  std::map<std::string, std::string> files_;
};

/** Formats with printf-style `fmt` (one number). */
std::string fmt(const char* format, double v);
/** Seconds as milliseconds with one decimal: "12.3 ms". */
std::string fmt_ms(double seconds);

/** Writes `content` to `path` through a temporary file and a rename: a reader never sees half a file. */
void write_file_atomically(const std::string& path, const std::string& content);

} // namespace gsim
