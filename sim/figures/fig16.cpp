// Fig 16: ablation of traffic interleaving, GPT-2 40B on 16 p3dn: no checkpoint, blocking, naive
// interleaving, interleaving without pipelining, GEMINI. Simulated from configs/p3dn16.json, one child per
// scheme; the schemes are models/checkpoint_partition.hpp's, executed by sim/engine/checkpoint_traffic.hpp.
//
// fig16.csv: scheme,iteration_time_s,status
//   status: the run's checkpoint_status (ok, oom when the scheme's GPU buffer does not fit in the free GPU
//   memory, incomplete when a checkpoint landed in CPU memory after its iteration); "ok" for none. The
//   time is empty when oom (the scheme cannot run).
#include "sim/figures/no_checkpoint_runs.hpp"

#include <sstream>

namespace gsim {
namespace {

const std::vector<std::string> kSchemes = {"none", "blocking", "naive", "no_pipeline", "gemini"};

void make_fig16(const FigureContext& ctx)
{
  std::vector<SimRun> runs;
  for (const auto& s : kSchemes)
    runs.push_back({"gpt2-40b " + s, "p3dn16.json", {"model=models/gpt2-40b.json", "checkpoint.scheme=" + s}});
  const auto docs = run_summaries(ctx, runs);
  std::ostringstream csv;
  csv << "scheme,iteration_time_s,status\n";
  for (size_t i = 0; i < docs.size(); i++) {
    const std::string status = kSchemes[i] == "none" ? "ok" : docs[i].value("checkpoint_status", std::string(""));
    csv << kSchemes[i] << "," << (status == "oom" ? "" : csv_number(docs[i], "iteration_time_s")) << "," << status
        << "\n";
  }
  write_file_atomically(ctx.out_dir + "/fig16.csv", csv.str());
}

const RegisterFigure reg({"16", "interleaving ablation, GPT-2 40B on 16 p3dn (simulated)", make_fig16});

} // namespace
} // namespace gsim
