#pragma once
// The figures that are not configs yet (docs/figures/README.md "Figures not yet configs": closed forms
// and failure simulations that no run reports per point): C++ generators, self-registered, run by
// `gemini-sim figure` as child processes (`figure N --builtin`) beside the configs' points. Each one goes
// once its quantities are run outputs; new figures are configs (configs/figures/), never generators.
#include "models/config.hpp"
#include "sim/report/summary.hpp" // fmt, write_file_atomically

#include <functional>
#include <map>
#include <string>

namespace gsim {

struct FigureContext {
  std::string out_dir;     // where figNN.csv goes
  std::string configs_dir; // the configs/ folder (experiments, clusters, models)
};

struct FigureGenerator {
  std::string id; // "9", "15", ...
  std::string help;
  std::function<void(const FigureContext&)> make;
};

std::map<std::string, FigureGenerator>& figure_generators();

struct RegisterFigure {
  explicit RegisterFigure(FigureGenerator f) { figure_generators()[f.id] = std::move(f); }
};

} // namespace gsim
