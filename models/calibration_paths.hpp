#pragma once
// Where the calibration and the data beside it are found, and how paths are written into results. Nothing
// here is compiled in: a build runs from its checkout, from `cmake --install` and in tests alike.
//
// A data root is a directory holding traces/calibration: a checkout, or the share/gemini-sim directory that
// `cmake --install` fills (CMakeLists.txt installs configs/ and traces/calibration/ there). The default of
// run.calibration is <data root>/traces/calibration/h200, with the data root taken from, in this order:
//   1. the nearest ancestor of the experiment file's directory that is a data root;
//   2. the nearest ancestor of the executable's directory that is a data root, or that holds
//      share/gemini-sim as one (an installed <prefix>/bin/gemini-sim finds <prefix>/share/gemini-sim);
//   3. the same for the working directory (a config outside any data root, run from a checkout).
// Results name files relative to their data root (repo-relative), never by an absolute path.
#include <string>

namespace gsim {

/** The calibration directory the repository ships (relative to a data root). */
inline constexpr const char* kShippedCalibration = "traces/calibration/h200";

/** The nearest data root at or above `path` (a file or a directory; relative to the working directory);
 *  with `installed`, an ancestor's share/gemini-sim counts too. "" when there is none. */
std::string data_root_of(const std::string& path, bool installed = false);
/** The data root for `path`: data_root_of(path), else the executable's, else the working directory's (rules 2
 *  and 3 above); "" when none. */
std::string data_root_for(const std::string& path);
/** The default run.calibration of `experiment_file` (rules 1 to 3 above), absolute; "" when none is found. */
std::string default_calibration_dir(const std::string& experiment_file);
/** `relative` (e.g. "configs/p4d16.json") under the data root of the working directory or of the executable
 *  (rules 2 and 3 above): the default of a command-line option that names shipped data. `relative` itself when
 *  no data root is found (the command then reports the missing file). */
std::string shipped_path(const std::string& relative);
/** `path` as results write it: relative to its data root (e.g. traces/calibration/h200/gemm.json), else
 *  relative to the working directory; never absolute. */
std::string source_relative(const std::string& path);
/** `path` relative to the directory of `file` (how the effective config echoes a path key). */
std::string relative_to_file(const std::string& path, const std::string& file);

} // namespace gsim
