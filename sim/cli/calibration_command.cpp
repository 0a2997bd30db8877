// `gemini-sim calibration [--dir DIR] [--target CLUSTER] [--shapes-from EXPERIMENT] [--markdown]`:
// how well the measured microbenchmarks fit (the 5 % bar above 1 MiB) and what they transfer to on a
// target cluster, with the provenance of every number.
#include "models/calibration_paths.hpp"
#include "models/calibration_report.hpp"
#include "models/config_error.hpp"
#include "sim/run/registry.hpp"

#include <iostream>

namespace gsim {
namespace {

struct CalibrationOptions {
  std::string dir         = shipped_path(kShippedCalibration);
  std::string target      = shipped_path("configs/clusters/p4d.json");
  std::string shapes_from = shipped_path("configs/p4d16.json");
  double probe_MiB        = 64;
  bool markdown           = false;
};

// What `gemini-sim --help` says of the command.
constexpr const char* kAbout = "print the microbenchmark fits and their transfer to a target cluster";

void add_calibration_flags(CLI::App& sc, CalibrationOptions& o)
{
  sc.add_option("--dir", o.dir, "calibration directory of Google Benchmark JSON files")->capture_default_str();
  sc.add_option("--target", o.target, "cluster file to transfer to")->capture_default_str();
  sc.add_option("--shapes-from", o.shapes_from, "experiment whose model and micro-batch give the GEMM shapes")
      ->capture_default_str();
  sc.add_option("--probe-MiB", o.probe_MiB, "message size for the bandwidth columns, MiB")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sc.add_flag("--markdown", o.markdown, "print GitHub markdown tables");
}

int run_calibration(const CalibrationOptions& o)
{
  const Calibration cal    = Calibration::load(o.dir);
  const ClusterSpec target = load_cluster(o.target);
  const Experiment e       = load_experiment(o.shapes_from);
  CostModel model(cal, target);

  std::vector<GemmShape> shapes = layer_forward_gemms(e.model, e.training.micro_batch, e.training.sequence_length);
  for (const auto& g : layer_backward_gemms(e.model, e.training.micro_batch, e.training.sequence_length))
    shapes.push_back(g);

  const std::string h = o.markdown ? "### " : "# ";
  std::cout << h << "Calibration " << source_relative(cal.dir()) << "\n\n";
  for (const auto& [k, v] : cal.machine())
    std::cout << (o.markdown ? "* " : "  ") << k << ": " << v << "\n";
  std::cout << (o.markdown ? "* " : "  ") << "datasheet: " << cal.measured_on().file << "\n\n";
  std::cout << h << "Alpha-beta fits: t = alpha + bytes / beta, piecewise (fewest segments holding 5 % from 1 MiB)\n\n"
            << fit_table(cal, o.markdown) << "\n";
  std::cout << h << "GEMM efficiency on " << cal.measured_on().gpu.name << " (achieved / datasheet peak)\n\n"
            << gemm_table(cal, o.markdown) << "\n";
  std::cout << h << "Transferred to " << target.name << " (" << target.gpu.name << "), GEMMs of one " << e.model.name
            << " layer at micro-batch " << e.training.micro_batch << " x sequence " << e.training.sequence_length
            << "\n\n"
            << transfer_table(model, shapes, e.training.precision, o.probe_MiB * 1024 * 1024, o.markdown) << "\n";
  std::cout << h << "Provenance\n\n";
  for (const auto& line : model.provenance())
    std::cout << (o.markdown ? "* " : "  ") << line << "\n";
  return 0;
}

const Subcommand<CalibrationOptions> reg("calibration", kAbout, add_calibration_flags, run_calibration);

} // namespace
} // namespace gsim
