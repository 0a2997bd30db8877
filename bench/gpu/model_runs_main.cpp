// Prints the model runs the kernel-variant benchmarks measure (bench/gpu/model_shapes.hpp model_runs) as one
// JSON array, so that bench/gpu/kernels_bench.py reads the shipped configs through the simulator's own strict
// loader instead of a second implementation of it. Usage: gsim_model_runs [SOURCE_DIR] (default: this build's).
#include "source_dir.hpp"
#include "bench/gpu/model_shapes.hpp"

#include "models/config_error.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

int main(int argc, char** argv)
{
  try {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : gsim::gpubench::model_runs(argc > 1 ? argv[1] : GSIM_SOURCE_DIR))
      out.push_back({{"model", r.model},
                     {"family", r.family},
                     {"micro_batch", r.micro_batch},
                     {"sequence", r.sequence},
                     {"precision", r.precision},
                     {"hidden", r.hidden},
                     {"heads", r.heads},
                     {"kv_heads", r.kv_heads},
                     {"intermediate", r.intermediate},
                     {"vocab", r.vocab},
                     {"from", r.from}});
    std::cout << out.dump(1) << "\n";
    return 0;
  } catch (const gsim::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
}
