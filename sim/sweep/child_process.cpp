#include "sim/sweep/child_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <limits.h>
#include <map>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace gsim {

namespace {
// A child's standard output and error go to unlinked temporary files: the name is removed as soon as the
// file is open, so nothing is left in /tmp whatever ends the sweep (SIGINT, SIGTERM, SIGKILL, a crash).
int unlinked_temp_file(const char* tag)
{
  const char* dir  = std::getenv("TMPDIR");
  std::string name = std::string(dir && *dir ? dir : "/tmp") + "/gemini-sim-child-XXXXXX";
  const int fd     = ::mkostemp(name.data(), O_CLOEXEC); // other children do not inherit it; dup2 clears it
  if (fd < 0)
    throw std::runtime_error(std::string("cannot create a temporary file for a child's ") + tag);
  ::unlink(name.c_str());
  return fd;
}

std::string read_and_close(int fd)
{
  std::string s;
  char buf[65536];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    s.append(buf, size_t(n));
  ::close(fd);
  return s;
}

struct Running {
  size_t index;
  int out_fd;
  int err_fd;
};

// The children running now, for the signal handler: SIGINT/SIGTERM to the parent ends them too.
constexpr int kMaxTracked = 1024;
volatile sig_atomic_t g_pids[kMaxTracked];

void forward_and_die(int sig)
{
  for (auto& p : g_pids)
    if (p > 0)
      ::kill(pid_t(p), SIGTERM);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void track(pid_t pid, bool on)
{
  for (auto& p : g_pids)
    if (on ? p == 0 : p == pid) {
      p = on ? pid : 0;
      return;
    }
}

struct SignalGuard { // installs forward_and_die for the duration of run_children
  struct sigaction old_int {
  }, old_term{};
  SignalGuard()
  {
    struct sigaction sa {};
    sa.sa_handler = forward_and_die;
    ::sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int);
    ::sigaction(SIGTERM, &sa, &old_term);
  }
  ~SignalGuard()
  {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
  }
};
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
  const SignalGuard guard;
  const int slots = std::clamp(parallel, 1, kMaxTracked);
  std::fflush(nullptr); // a forked child must not flush our buffered output a second time
  while (next < jobs.size() || not running.empty()) {
    while (next < jobs.size() && int(running.size()) < slots) {
      Running r{next, unlinked_temp_file("stdout"), unlinked_temp_file("stderr")};
      pid_t pid = ::fork();
      if (pid < 0)
        throw std::runtime_error("fork failed");
      if (pid == 0) {
        int in = ::open("/dev/null", O_RDONLY);
        ::dup2(r.out_fd, 1);
        ::dup2(r.err_fd, 2);
        ::dup2(in, 0);
        std::vector<char*> argv;
        for (const auto& a : jobs[next])
          argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
      }
      track(pid, true);
      running[pid] = r;
      next++;
    }
    int status = 0;
    pid_t done = ::waitpid(-1, &status, 0);
    if (done < 0 && errno == EINTR)
      continue;
    if (done < 0)
      throw std::runtime_error("waitpid failed");
    auto it = running.find(done);
    if (it == running.end())
      continue;
    track(done, false);
    ChildResult& c = results[it->second.index];
    c.exit_code    = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    c.out          = read_and_close(it->second.out_fd);
    c.err          = read_and_close(it->second.err_fd);
    if (on_done)
      on_done(it->second.index, c);
    running.erase(it);
  }
  return results;
}

} // namespace gsim
