#include "models/measuring_cluster.hpp"

#include "models/config_error.hpp"
#include "models/json_reader.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace gsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string upper(std::string s)
{
  for (auto& ch : s)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// "NVIDIA H200" / "H200-SXM-141GB" -> "H200": the model, without vendor and variant.
std::string gpu_model(std::string name)
{
  name = upper(name);
  if (name.rfind("NVIDIA ", 0) == 0)
    name = name.substr(7);
  if (name.rfind("TESLA ", 0) == 0)
    name = name.substr(6);
  return name.substr(0, name.find_first_of(" -_"));
}

} // namespace

ClusterSpec cluster_for_gpu(const std::string& gpu_name, const std::string& clusters_dir, const std::string& who)
{
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(clusters_dir, ec))
    if (e.path().extension() == ".json")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  const std::string want = gpu_model(gpu_name);
  for (const auto& f : files) {
    // Peek at gpu.name without the strict reader, so an unrelated broken cluster file is not our error.
    json j;
    try {
      j = read_json_file(f.string());
    } catch (const ConfigError&) {
      continue;
    }
    if (j.is_object() && j.contains("gpu") && j["gpu"].is_object() && j["gpu"].contains("name") &&
        j["gpu"]["name"].is_string() && gpu_model(j["gpu"]["name"].get<std::string>()) == want)
      return load_cluster(f.string());
  }
  throw ConfigError(who, "context.gpu_name",
                    "\"" + gpu_name + "\": no " + clusters_dir + "/*.json has a GPU of that model (" + want +
                        "), so its datasheet peaks are unknown");
}

} // namespace gsim
