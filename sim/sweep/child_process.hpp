#pragma once
// SimGrid allows one simulation per process (shared/simgrid-notes.md), so every command that needs
// several simulations (figures, sweeps) runs each one as a child process of this executable.
#include <functional>
#include <string>
#include <vector>

namespace gsim {

struct ChildResult {
  int exit_code = -1; // the child's status; 128 + signal when it was killed
  std::string out;    // its standard output
  std::string err;    // its standard error
};

/** Called as each child finishes (in completion order), with its index in `jobs` and its result. */
using ChildDone = std::function<void(size_t index, const ChildResult& result)>;

/** Runs each argv (argv[0] is the program) with at most `parallel` at once; results in input order.
 *  `on_done`, when given, is called as each child finishes (progress reports, streaming results). */
std::vector<ChildResult> run_children(const std::vector<std::vector<std::string>>& jobs, int parallel,
                                      const ChildDone& on_done = {});

/** Runs `fn` in a forked child (its own SimGrid Engine: one simulation per process) and returns what it
 *  returned; an exception in the child comes back as "exception: <what>", a crash as "". */
std::string run_in_child(const std::function<std::string()>& fn);

/** The absolute path of the running executable. */
std::string self_executable();

} // namespace gsim
