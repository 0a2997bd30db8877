#pragma once
// Which cluster file describes the GPU a calibration was measured on: its datasheet peaks are the
// denominators of every measured efficiency (models/cost_model.cpp's transfer rule).
#include "models/config.hpp"

#include <string>

namespace gsim {

/** The cluster file in `clusters_dir` whose GPU is the model `gpu_name` names (e.g. "NVIDIA H200");
 *  `who` (the calibration file that named the GPU) is the file a ConfigError names when there is none. */
ClusterSpec cluster_for_gpu(const std::string& gpu_name, const std::string& clusters_dir, const std::string& who);

} // namespace gsim
