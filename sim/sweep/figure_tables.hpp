#pragma once
// A figure config's tables from its runs' summaries (sim/sweep/figure_spec.hpp): one row per point of a
// row block's run (in grid order, filtered by `where`), times its `each` values; cells through the one
// CSV writer (sim/report/csv_writer.hpp).
#include "sim/sweep/figure_spec.hpp"

#include <map>
#include <string>
#include <vector>

namespace gsim {

/** The points of each run of `f`, by run name (plan_sweep: validated, named by config hash). */
using FigurePlan = std::map<std::string, std::vector<PlannedPoint>>;

FigurePlan plan_figure(const FigureSpec& f);

/** The table's CSV text. `summaries`: a finished point's summary.json by config hash. Throws ConfigError
 *  naming the figure config and the cell when a point has no summary or a summary key is unknown. */
std::string figure_table_csv(const FigureSpec& f, const FigureTable& t, const FigurePlan& plan,
                             const std::map<std::string, nlohmann::json>& summaries);

} // namespace gsim
