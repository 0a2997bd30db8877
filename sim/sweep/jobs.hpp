#pragma once
// What sweeps and figures share around their child processes: one rule for -j, why a child failed in one
// line, and the lock that keeps two commands off one --out directory.
#include "sim/sweep/child_process.hpp"

#include <string>

namespace gsim {

/** -j/--jobs: 0 means one per core, a positive number that many; a negative one is refused (ConfigError). */
int resolve_jobs(int jobs);

/** Why a child failed, in one line: its last line on standard error and its exit status. */
std::string child_failure(const ChildResult& c);

/** An exclusive flock on DIR/<name>, held while the object lives (released when the process ends, however).
 *  Throws ConfigError naming the directory when another command holds it. */
class DirLock {
 public:
  DirLock(const std::string& dir, const std::string& name, const std::string& flag);
  ~DirLock();
  DirLock(const DirLock&)            = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

} // namespace gsim
