#include "sim/report/summary.hpp"

#include "models/config_error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace gsim {

void RunResult::section(const std::string& title)
{
  lines_.emplace_back("#", title);
}

void RunResult::set(const std::string& key, const nlohmann::json& value, const std::string& label,
                    const std::string& shown)
{
  // One place reports each key: a second set is a stage reading or overwriting another stage's result.
  if (summary_.contains(key))
    throw std::logic_error("summary key " + key + " is reported twice");
  summary_[key] = value;
  if (not label.empty())
    lines_.emplace_back(label, shown.empty() ? value.dump() : shown);
}

std::string RunResult::text() const
{
  size_t width = 0;
  for (const auto& [label, shown] : lines_)
    if (label != "#")
      width = std::max(width, label.size());
  std::ostringstream out;
  for (const auto& [label, shown] : lines_) {
    if (label == "#")
      out << "\n" << shown << "\n";
    else
      out << "  " << label << std::string(width - label.size() + 2, ' ') << shown << "\n";
  }
  return out.str();
}

std::string fmt(const char* format, double v)
{
  char buf[128];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string fmt_ms(double seconds)
{
  return fmt("%.1f ms", seconds * 1e3);
}

void write_file_atomically(const std::string& path, const std::string& content)
{
  namespace fs = std::filesystem;
  fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path())
    fs::create_directories(p.parent_path(), ec);
  if (ec)
    throw ConfigError(p.parent_path().string(), "--out", "cannot create the directory: " + ec.message());
  fs::path tmp = p;
  // Host and pid make the temporary name unique when processes on several machines write into one
  // shared directory (sweep shards on a cluster file system): pids alone repeat across hosts.
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  tmp += ".tmp." + std::string(host) + "." + std::to_string(::getpid());
  // A read-only directory or a full disk is the user's to fix (exit 2), and leaves no partial file behind.
  auto fail = [&](const std::string& why) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw ConfigError(path, "--out", "cannot write the file: " + why);
  };
  {
    std::ofstream out(tmp, std::ios::binary);
    if (not out)
      fail(std::strerror(errno));
    out << content;
    out.close();
    if (not out)
      fail(errno != 0 ? std::strerror(errno) : "write failed");
  }
  fs::rename(tmp, p, ec);
  if (ec)
    fail(ec.message());
}

} // namespace gsim
