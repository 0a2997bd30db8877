#include "models/calibration_paths.hpp"

#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace gsim {
namespace {

fs::path absolute_normal(const std::string& path)
{
  std::error_code ec;
  const fs::path p = fs::absolute(path.empty() ? "." : path, ec);
  return (ec ? fs::path(path) : p).lexically_normal();
}

bool is_data_root(const fs::path& dir)
{
  std::error_code ec;
  return fs::is_directory(dir / "traces" / "calibration", ec);
}

// The directory of the running executable (Linux: /proc/self/exe); "" when it cannot be read.
std::string executable_dir()
{
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "" : exe.parent_path().string();
}

} // namespace

std::string data_root_of(const std::string& path, bool installed)
{
  for (fs::path dir = absolute_normal(path);; dir = dir.parent_path()) {
    if (is_data_root(dir))
      return dir.string();
    if (installed && is_data_root(dir / "share" / "gemini-sim"))
      return (dir / "share" / "gemini-sim").string();
    if (dir == dir.parent_path() || dir.empty())
      return "";
  }
}

std::string data_root_for(const std::string& path)
{
  if (auto root = data_root_of(path); not root.empty())
    return root;
  const std::string exe = executable_dir();
  if (auto root = exe.empty() ? "" : data_root_of(exe, true); not root.empty())
    return root;
  return data_root_of(".", true);
}

std::string default_calibration_dir(const std::string& experiment_file)
{
  const std::string root = data_root_for(absolute_normal(experiment_file).parent_path().string());
  return root.empty() ? "" : (fs::path(root) / kShippedCalibration).string();
}

std::string shipped_path(const std::string& relative)
{
  const std::string root = data_root_for(".");
  return root.empty() ? relative : (fs::path(root) / relative).string();
}

std::string source_relative(const std::string& path)
{
  if (path.empty())
    return path;
  const fs::path p    = absolute_normal(path);
  const std::string r = data_root_of(p.string());
  const fs::path base = r.empty() ? absolute_normal(".") : fs::path(r);
  const fs::path rel  = p.lexically_relative(base);
  return rel.empty() ? path : rel.generic_string();
}

std::string relative_to_file(const std::string& path, const std::string& file)
{
  const fs::path rel = absolute_normal(path).lexically_relative(absolute_normal(file).parent_path());
  return rel.empty() ? path : rel.generic_string();
}

} // namespace gsim
