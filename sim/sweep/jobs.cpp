#include "sim/sweep/jobs.hpp"

#include "models/config_error.hpp"

#include <algorithm>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace gsim {

int resolve_jobs(int jobs)
{
  if (jobs < 0)
    throw ConfigError("--jobs", std::to_string(jobs), "must be at least 1 (0: one per core)");
  return jobs > 0 ? jobs : int(std::max(1u, std::thread::hardware_concurrency()));
}

std::string child_failure(const ChildResult& c)
{
  std::string last;
  size_t end = c.err.size();
  while (last.empty() && end > 0) {
    const size_t start = c.err.rfind('\n', end - 1);
    const size_t from  = start == std::string::npos ? 0 : start + 1;
    last               = c.err.substr(from, end - from);
    end                = start == std::string::npos ? 0 : start;
  }
  const std::string status = c.exit_code > 128 ? "killed by signal " + std::to_string(c.exit_code - 128)
                                               : "exit status " + std::to_string(c.exit_code);
  return last.empty() ? status : status + ": " + last;
}

DirLock::DirLock(const std::string& dir, const std::string& name, const std::string& flag)
{
  const std::string path = dir + "/" + name;
  fd_                    = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw ConfigError(flag, dir, "cannot create the lock file " + path);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw ConfigError(flag, dir, "another gemini-sim sweep or figure is writing this directory (" + path + ")");
  }
}

DirLock::~DirLock()
{
  if (fd_ >= 0)
    ::close(fd_); // closing releases the flock
}

} // namespace gsim
