#pragma once
// SimGrid allows one simulation per process (shared/simgrid-notes.md), so every command that needs
// several simulations (figures, sweeps) runs each one as a child process of this executable.
#include <string>
#include <vector>

namespace gsim {

struct ChildResult {
  int exit_code = -1; // the child's status; 128 + signal when it was killed
  std::string out;    // its standard output
  std::string err;    // its standard error
};

/** Runs each argv (argv[0] is the program) with at most `parallel` at once; results in input order. */
std::vector<ChildResult> run_children(const std::vector<std::vector<std::string>>& jobs, int parallel);

/** The absolute path of the running executable. */
std::string self_executable();

} // namespace gsim
