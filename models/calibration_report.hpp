#pragma once
// The calibration's tables for people: how well each measured series fits (the 5 % bar above 1 MiB),
// and what the transfer to a target cluster gives. Printed by `gemini-sim calibration`, pasted into
// traces/calibration/README.md.
#include "models/calibration.hpp"
#include "models/transformer.hpp"

#include <string>
#include <vector>

namespace gsim {

/** Per alpha-beta series: points, segments (range, alpha, beta), worst relative error >= 1 MiB, verdict. */
std::string fit_table(const Calibration& cal, bool markdown);
/** Per measured GEMM shape: achieved TFLOP/s and efficiency against the measuring GPU's peak. */
std::string gemm_table(const Calibration& cal, bool markdown);
/** The transferred costs on the target: GEMM efficiency and time for `shapes`, HBM, PCIe, NVLink and
 *  network bandwidths and latencies at `probe_bytes`, each with the numbers it was scaled by. */
std::string transfer_table(const CostModel& model, const std::vector<GemmShape>& shapes, Dtype dtype,
                           double probe_bytes, bool markdown);

} // namespace gsim
