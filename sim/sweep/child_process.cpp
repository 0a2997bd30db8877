#include "sim/sweep/child_process.hpp"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <limits.h>
#include <map>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace gsim {

namespace {
std::string slurp_and_remove(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::remove(path.c_str());
  return s.str();
}

struct Running {
  size_t index;
  std::string out_path;
  std::string err_path;
};

std::string temp_path(const char* tag)
{
  char name[] = "/tmp/gemini-sim-child-XXXXXX";
  int fd      = ::mkstemp(name);
  if (fd < 0)
    throw std::runtime_error(std::string("cannot create a temporary file for a child's ") + tag);
  ::close(fd);
  return name;
}
} // namespace

std::string run_in_child(const std::function<std::string()>& fn)
{
  int fd[2];
  if (::pipe(fd) != 0)
    throw std::runtime_error("run_in_child: pipe failed");
  std::fflush(nullptr); // or the child flushes the parent's buffered output a second time
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fd[0]);
    std::string out;
    try {
      out = fn();
    } catch (const std::exception& e) {
      out = std::string("exception: ") + e.what();
    }
    for (size_t done = 0; done < out.size();) {
      const ssize_t n = ::write(fd[1], out.data() + done, out.size() - done);
      if (n <= 0)
        break;
      done += size_t(n);
    }
    ::_exit(0);
  }
  ::close(fd[1]);
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd[0], buf, sizeof buf)) > 0;)
    out.append(buf, size_t(n));
  ::close(fd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

std::string self_executable()
{
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    throw std::runtime_error("cannot find this executable's path (/proc/self/exe)");
  return std::string(buf, size_t(n));
}

std::vector<ChildResult> run_children(const std::vector<std::vector<std::string>>& jobs, int parallel,
                                      const ChildDone& on_done)
{
  std::vector<ChildResult> results(jobs.size());
  std::map<pid_t, Running> running;
  size_t next = 0;
  std::fflush(nullptr); // a forked child must not flush our buffered output a second time
  while (next < jobs.size() || not running.empty()) {
    while (next < jobs.size() && int(running.size()) < std::max(1, parallel)) {
      Running r{next, temp_path("stdout"), temp_path("stderr")};
      pid_t pid = ::fork();
      if (pid < 0)
        throw std::runtime_error("fork failed");
      if (pid == 0) {
        int out = ::open(r.out_path.c_str(), O_WRONLY | O_TRUNC);
        int err = ::open(r.err_path.c_str(), O_WRONLY | O_TRUNC);
        int in  = ::open("/dev/null", O_RDONLY);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::dup2(in, 0);
        std::vector<char*> argv;
        for (const auto& a : jobs[next])
          argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
      }
      running[pid] = r;
      next++;
    }
    int status = 0;
    pid_t done = ::waitpid(-1, &status, 0);
    if (done < 0)
      throw std::runtime_error("waitpid failed");
    auto it = running.find(done);
    if (it == running.end())
      continue;
    ChildResult& c = results[it->second.index];
    c.exit_code    = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    c.out          = slurp_and_remove(it->second.out_path);
    c.err          = slurp_and_remove(it->second.err_path);
    if (on_done)
      on_done(it->second.index, c);
    running.erase(it);
  }
  return results;
}

} // namespace gsim
