// The figure format's row options (docs/figures/README.md): format, divide_by, run, cells lists, items, and
// run.stages, the key that lets a figure's points run only the stages they need.
#include "models/config.hpp"
#include "models/config_error.hpp"
#include "sim/run/pipeline.hpp"
#include "sim/sweep/figure_spec.hpp"
#include "sim/sweep/figure_tables.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace gsim {
namespace {

using json = nlohmann::json;

std::string write_temp(const std::string& name, const std::string& text)
{
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

const std::string kRuns = R"("runs": {"r": {"config": "p4d16.json", "grid": {"instances": [8, 16]}},
  "o": {"config": "p4d16.json", "set": {"run.stages": "placement"}, "grid": {"instances": [8, 16]}}})";

TEST(FigureTables, CellsListsItemsOtherRunsAndFormats)
{
  const auto file = write_temp("fig_rows.json", R"({"figure": 3, "title": "t", )" + kRuns + R"(,
    "tables": [{"file": "f.csv", "columns": ["n", "p", "q"],
      "rows": [{"run": "r", "items": "list", "cells": [
        {"n": {"grid": "instances"}, "p": {"item": "x", "format": "%.2f"}, "q": {"summary": "v", "run": "o", "divide_by": 60}},
        {"n": {"value": "second"}, "p": {"item": "y"}, "q": {"summary": "v", "run": "o", "at": {"instances": 16}}}]}]}]})");
  const auto spec = read_figure_spec(file, "configs");
  const auto plan = plan_figure(spec);
  std::map<std::string, json> s;
  s[plan.at("r")[0].hash] = json{{"list", {{{"x", 1.234}, {"y", "a"}}}}};
  s[plan.at("r")[1].hash] = json{{"list", json::array()}}; // no element: no row
  s[plan.at("o")[0].hash] = json{{"v", 120.0}};
  s[plan.at("o")[1].hash] = json{{"v", 30.0}};
  // Row 1 reads run o at the row's own instances (8: 120 s = 2 min); row 2 at instances 16, as it is.
  EXPECT_EQ(figure_table_csv(spec, spec.tables[0], plan, s), "n,p,q\n8,1.23,2\nsecond,a,30\n");
  s[plan.at("r")[0].hash] = json{{"list", 1}}; // not a list: an error naming the block, not a blank table
  try {
    figure_table_csv(spec, spec.tables[0], plan, s);
    ADD_FAILURE() << "a non-list items key must be refused";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "f.csv.rows[0].items");
  }
}

TEST(FigureTables, BadOptionsNameTheKey)
{
  const auto expect_key = [&](const std::string& cells, const std::string& key) {
    const auto file = write_temp("fig_bad.json", R"({"figure": 3, "title": "t", )" + kRuns +
                                                     R"(, "tables": [{"file": "f.csv", "columns": ["n"],
      "rows": [{"run": "r", "cells": )" + cells + "}]}]}");
    try {
      read_figure_spec(file, "configs");
      ADD_FAILURE() << cells;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), key) << e.what();
    }
  };
  expect_key(R"({"n": {"summary": "v", "format": "%d"}})", "tables[0].rows[0].cells.n.format");
  expect_key(R"({"n": {"summary": "v", "format": "%.2f%s"}})", "tables[0].rows[0].cells.n.format");
  expect_key(R"({"n": {"summary": "v", "divide_by": 0}})", "tables[0].rows[0].cells.n.divide_by");
  expect_key(R"({"n": {"item": "x"}})", "tables[0].rows[0].cells.n.item"); // no items in the block
  expect_key(R"([{"n": {"value": 1}}, {}])", "tables[0].rows[0].cells[1].n");
  expect_key(R"({"n": {"summary": "v", "run": "o", "at": {"instances": {"grid": "model"}}}})",
             "tables[0].rows[0].cells.n.at.instances");
}

std::vector<std::string> stage_names(const std::vector<std::string>& sets)
{
  std::vector<std::string> names;
  for (const auto& s : selected_stages(load_experiment("configs/p4d16.json", sets)))
    names.push_back(s.name);
  return names;
}

TEST(RunStages, SelectsInPipelineOrderAndRefusesUnknownNames)
{
  EXPECT_EQ(stage_names({}).size(), pipeline().size()); // default: all
  EXPECT_EQ(stage_names({"run.stages=economics,model"}), (std::vector<std::string>{"model", "economics"}));
  EXPECT_EQ(stage_names({"run.stages=model,calibration,simulation,checkpoint_plan"}).size(), 4u);
  // A stage without the stages it reads from is refused, not run on empty inputs.
  for (const std::string bad : {"model,nope", "model,model", "", "model,", "simulation", "model,simulation",
                                "model,calibration,checkpoint_plan"}) {
    try {
      stage_names({"run.stages=" + bad});
      ADD_FAILURE() << bad;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "run.stages") << e.what();
    }
  }
}

} // namespace
} // namespace gsim
