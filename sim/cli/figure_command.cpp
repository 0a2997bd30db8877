// `gemini-sim figure <N|all> --out DIR`: the data of one paper figure (or all) as CSV files.
#include "models/config_error.hpp"
#include "sim/run/registry.hpp"
#include "sim/sweep/child_process.hpp"
#include "source_dir.hpp"

#include <filesystem>
#include <iostream>
#include <thread>

namespace gsim {
namespace {

struct FigureOptions {
  std::string id;
  std::string out = "figures";
  std::string configs;
  int jobs = 0;
};

std::string default_configs_dir()
{
  if (std::filesystem::is_directory("configs"))
    return "configs";
  return std::string(GSIM_SOURCE_DIR) + "/configs";
}

std::string figure_list()
{
  std::string s;
  for (const auto& [id, f] : figures())
    s += (s.empty() ? "" : ", ") + id;
  return s;
}

int make_figures(const FigureOptions& o)
{
  std::vector<const Figure*> todo;
  if (o.id == "all") {
    for (const auto& [id, f] : figures())
      todo.push_back(&f);
  } else {
    std::string id = o.id;
    while (id.size() > 1 && id[0] == '0')
      id.erase(0, 1); // "07" is figure 7
    if (not figures().count(id))
      throw ConfigError("figure", o.id, "no such figure; known: " + figure_list() + ", all");
    todo.push_back(&figures().at(id));
  }
  FigureContext ctx;
  ctx.out_dir     = o.out;
  ctx.configs_dir = o.configs.empty() ? default_configs_dir() : o.configs;
  ctx.self_exe    = self_executable();
  ctx.jobs        = o.jobs > 0 ? o.jobs : int(std::max(1u, std::thread::hardware_concurrency()));
  std::error_code ec;
  std::filesystem::create_directories(ctx.out_dir, ec);
  if (ec)
    throw ConfigError("--out", o.out, "cannot create the directory: " + ec.message());
  for (const auto* f : todo) {
    f->make(ctx);
    std::cout << "figure " << f->id << ": written to " << ctx.out_dir << "\n";
  }
  return 0;
}

const RegisterCommand reg("figure", [](CLI::App& app) -> std::function<int()> {
  auto o   = std::make_shared<FigureOptions>();
  auto* sc = app.add_subcommand("figure", "write the data of a paper figure as CSV (figNN.csv)");
  sc->add_option("id", o->id, "figure number, or 'all'")->required();
  sc->add_option("--out", o->out, "output directory")->capture_default_str();
  sc->add_option("--configs", o->configs, "the configs/ directory (default: ./configs, else the source tree's)");
  sc->add_option("-j,--jobs", o->jobs, "simulations run at once (default: one per core)");
  return [o] { return make_figures(*o); };
});

} // namespace
} // namespace gsim
