// Fig 11: reduction in checkpoint time of GEMINI over the storage baselines against instances and
// inter-instance bandwidth. Closed form, in-process.
//
// fig11.csv: instances,bandwidth_gbps,reduction
// The storage bandwidth and m come from configs/p4d16.json; the instance counts and bandwidths are the
// figure's axes (paper Fig 11; artifact: 4, 8, 12, 16 instances at 100, 200, 400 Gbps). The achieved fraction
// of the instance bandwidth is the cluster's published network efficiency (configs/clusters/p4d.json names
// traces/calibration/published/efa.json: the artifact's measured utilisation), the one the simulator uses.
#include "models/failure_economics.hpp"
#include "sim/figures/generators.hpp"

#include <sstream>

namespace gsim {
namespace {

void make_fig11(const FigureContext& ctx)
{
  const Experiment e = load_experiment(ctx.configs_dir + "/p4d16.json");
  std::ostringstream csv;
  csv << "instances,bandwidth_gbps,reduction\n";
  for (int n : {4, 8, 12, 16})
    for (double gbps : {100.0, 200.0, 400.0}) {
      const double reduction = checkpoint_time_reduction(n, gbps * 1e9 / 8, e.storage.bandwidth_Bps,
                                                         e.checkpoint.replicas, e.cluster.network.efficiency);
      csv << n << "," << fmt("%.0f", gbps) << "," << fmt("%.6g", reduction) << "\n";
    }
  write_file_atomically(ctx.out_dir + "/fig11.csv", csv.str());
}

const RegisterFigure reg({"11", "checkpoint time reduction vs instances and bandwidth (closed form)", make_fig11});

} // namespace
} // namespace gsim
