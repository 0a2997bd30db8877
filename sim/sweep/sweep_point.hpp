#pragma once
// One point's result directory, DIR/points/<hash>/: point.json (its grid values and the --set
// arguments that reproduce it with `gemini-sim run`) written before it runs, and summary.json written
// last and atomically by `run --out`. A directory without summary.json is not a result: it is redone.
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_table.hpp"

#include <string>

namespace gsim {

/** DIR/points/<hash>. */
std::string point_dir(const std::string& out, const PlannedPoint& p);

/** True when `dir` holds a summary.json that parses (written by a run that finished). */
bool point_finished(const std::string& dir);

/** DIR/summary.json parsed, or null when it is missing or does not parse. */
nlohmann::json read_point_summary(const std::string& dir);

/** Empties `dir` of what an interrupted run left and writes point.json. */
void prepare_point(const std::string& dir, const SweepSpec& spec, const PlannedPoint& p);

/** The point's row: its summary when finished, else status error with `error`. */
SweepRow point_row(const std::string& dir, const SweepSpec& spec, const PlannedPoint& p, const std::string& error);

} // namespace gsim
