// The sweep's parts: grid parsing and typing, the cross product's order, shards, the point hash,
// CSV quoting, and the table's columns and number format.
#include "models/config.hpp"
#include "models/config_error.hpp"
#include "sim/sweep/figure_spec.hpp"
#include "sim/sweep/figure_tables.hpp"
#include "sim/sweep/sweep_csv.hpp"
#include "sim/sweep/sweep_grid.hpp"
#include "sim/sweep/sweep_hash.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_table.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace gsim;
using nlohmann::json;

TEST(SweepGrid, ValuesAreTypedLikeSetAndListsDoNotSplit)
{
  const auto a = parse_grid_axis("checkpoint.scheme=gemini,none");
  EXPECT_EQ(a.key, "checkpoint.scheme");
  EXPECT_EQ(a.values, (std::vector<json>{"gemini", "none"}));
  const auto b = parse_grid_axis("instances=8,16,0.5,true,\"8\"");
  EXPECT_EQ(b.values, (std::vector<json>{8, 16, 0.5, true, "8"}));
  EXPECT_TRUE(b.values[0].is_number_integer());
  const auto c = parse_grid_axis("x=[1,2],{\"a\":[3,4]},\"p,q\"");
  EXPECT_EQ(c.values, (std::vector<json>{json::array({1, 2}), json{{"a", {3, 4}}}, "p,q"}));
}

TEST(SweepGrid, BadAxesAreConfigErrors)
{
  EXPECT_THROW(parse_grid_axis("instances"), ConfigError);
  EXPECT_THROW(parse_grid_axis("=1,2"), ConfigError);
  EXPECT_THROW(parse_grid_axis("instances=8,,16"), ConfigError);
  EXPECT_THROW(cross_product({{"a", {1}}, {"a", {2}}}), ConfigError);
  EXPECT_THROW(cross_product({{"a", {8, 8.0}}}), ConfigError);
}

TEST(SweepGrid, CrossProductIsNestedLoopsLastAxisFastest)
{
  const auto p = cross_product({{"a", {1, 2}}, {"b", {"x", "y", "z"}}});
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p[0].values, (std::vector<json>{1, "x"}));
  EXPECT_EQ(p[1].values, (std::vector<json>{1, "y"}));
  EXPECT_EQ(p[3].values, (std::vector<json>{2, "x"}));
  EXPECT_EQ(p[5].values, (std::vector<json>{2, "z"}));
  EXPECT_EQ(p[4].index, 4u);
  EXPECT_EQ(point_sets({{"a", {1, 2}}, {"b", {"x", "y", "z"}}}, p[4]), (std::vector<std::string>{"a=2", "b=\"y\""}));
}

TEST(SweepGrid, GridFileKeepsItsKeyOrder)
{
  const std::string f = testing::TempDir() + "grid.json";
  std::ofstream(f) << R"({"zeta": [1, 2], "alpha": ["s"], "mid": [[1, 2]]})";
  const auto axes = read_grid_file(f);
  ASSERT_EQ(axes.size(), 3u);
  EXPECT_EQ(axes[0].key, "zeta");
  EXPECT_EQ(axes[1].key, "alpha");
  EXPECT_EQ(axes[2].values[0], json::array({1, 2}));
  std::ofstream(f) << R"({"zeta": []})";
  EXPECT_THROW(read_grid_file(f), ConfigError);
  std::remove(f.c_str());
}

TEST(SweepGrid, ShardsSplitByIndexModuloCount)
{
  const Shard s = parse_shard("1/3");
  EXPECT_TRUE(s.owns(1));
  EXPECT_TRUE(s.owns(4));
  EXPECT_FALSE(s.owns(3));
  EXPECT_THROW(parse_shard("3/3"), ConfigError);
  EXPECT_THROW(parse_shard("1"), ConfigError);
  EXPECT_THROW(parse_shard("a/2"), ConfigError);
  EXPECT_THROW(parse_shard("0/0"), ConfigError);
}

TEST(SweepHash, Fnv1a64KnownVectorsAndCanonicalDump)
{
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);  // the offset basis
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL); // published FNV-1a test vector
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
  // Key order does not matter (objects are sorted), values do.
  EXPECT_EQ(config_hash(json::parse(R"({"b": 1, "a": 0.1})")), config_hash(json::parse(R"({"a": 0.1, "b": 1})")));
  EXPECT_NE(config_hash(json{{"a", 1}}), config_hash(json{{"a", 2}}));
  EXPECT_EQ(config_hash(json{{"a", 1}}).size(), 16u);
}

TEST(SweepPlan, PointsAreValidatedAndNamedByTheirResolvedConfig)
{
  SweepSpec spec{"configs/p4d16.json", {}, {{"instances", {8, 16}}}};
  const auto plan = plan_sweep(spec);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[1].hash, config_hash(load_experiment("configs/p4d16.json", {"instances=16"}).effective));
  EXPECT_NE(plan[0].hash, plan[1].hash);
  spec.axes = {{"cluster", {"clusters/p4d.json", "./clusters/p4d.json"}}};
  EXPECT_THROW(plan_sweep(spec), ConfigError); // two spellings of one file: one config, one directory
  spec.axes = {{"checkpoint.replicas", {2, 99}}};
  try {
    plan_sweep(spec);
    FAIL() << "replicas 99 > 16 instances must be rejected";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "configs/p4d16.json (--grid)");
    EXPECT_EQ(e.key(), "checkpoint.replicas");
  }
}

TEST(SweepCsv, QuotesOnlyWhenNeededAndRoundTrips)
{
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  const std::vector<std::string> r = {"", "x,y", "q\"", "line\nbreak", "[1,2]"};
  const auto parsed                = parse_csv(csv_record(r) + csv_record({"1", "2"}));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0], r);
  EXPECT_THROW(parse_csv("\"open"), std::runtime_error);
}

TEST(SweepTable, CellsColumnsAndRoundTrip)
{
  EXPECT_EQ(json_cell(0.1), "0.1"); // shortest round-trip: reads back as the same double
  EXPECT_EQ(std::stod(json_cell(0.1 + 0.2)), 0.1 + 0.2);
  EXPECT_EQ(json_cell(json(nullptr)), "");
  EXPECT_EQ(json_cell(16), "16");
  EXPECT_EQ(json_cell("gemini"), "gemini");
  EXPECT_EQ(json_cell(json::array({1.5, 2})), "[1.5,2]");
  const auto flat = flatten_summary(json::parse(R"({"z": 1, "a": {"b": 2.5, "c": [1]}, "config": {"x": 1}})"));
  EXPECT_EQ(flat, (std::map<std::string, std::string>{{"a.b", "2.5"}, {"a.c", "[1]"}, {"z", "1"}}));
  // With a side-file map, a list leaves the table: its cell names the file, the list goes to the map.
  std::map<std::string, json> lists;
  const auto side = flatten_summary(json::parse(R"({"spans": [1, 2, 3], "t": 0.5})"), {}, &lists);
  EXPECT_EQ(side.at("spans"), "spans.json");
  EXPECT_EQ(lists.at("spans"), json::array({1, 2, 3}));
  // A summary key named like a grid key (or a fixed column) gets its own name.
  EXPECT_EQ(flatten_summary(json::parse(R"({"instances": 8, "status": "x", "t": 1})"), {"instances"}),
            (std::map<std::string, std::string>{{"summary.instances", "8"}, {"summary.status", "x"}, {"t", "1"}}));

  SweepRow ok{1, "h1", {"16"}, true, "", {{"t_s", "2.5"}, {"list", "[1,2]"}}};
  SweepRow bad{0, "h0", {"8"}, false, "exit status 1: boom, \"quoted\"", {}};
  const std::string csv = sweep_table_csv({"instances"}, {ok, bad});
  EXPECT_EQ(csv, "point,hash,instances,status,error,list,t_s\n"
                 "0,h0,8,error,\"exit status 1: boom, \"\"quoted\"\"\",,\n"
                 "1,h1,16,ok,,\"[1,2]\",2.5\n");
  std::vector<std::string> keys;
  const auto rows = read_sweep_table(csv, "t.csv", keys);
  EXPECT_EQ(keys, std::vector<std::string>{"instances"});
  EXPECT_EQ(sweep_table_csv(keys, rows), csv); // read and written again: the same bytes
  EXPECT_THROW(read_sweep_table("a,b\n", "t.csv", keys), ConfigError);
}

namespace {
std::string write_temp(const std::string& name, const std::string& text)
{
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}
} // namespace

TEST(SweepGrid, GridFileRefusesAKeyGivenTwice)
{
  const auto file = write_temp("dup_grid.json", R"({"instances": [8, 16], "instances": [32]})");
  try {
    read_grid_file(file);
    FAIL() << "a key given twice must be refused";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), file);
    EXPECT_EQ(e.key(), "instances");
  }
}

TEST(FigureSpec, ShippedConfigsReadInNumericOrder)
{
  const auto specs = read_figure_specs(std::string("configs"));
  ASSERT_FALSE(specs.empty());
  for (size_t i = 1; i < specs.size(); i++)
    EXPECT_LT(specs[i - 1].id, specs[i].id);
}

TEST(FigureSpec, ErrorsNameTheKey)
{
  const std::string configs = std::string("configs");
  const std::string run     = R"("runs": {"r": {"config": "p4d16.json", "grid": {"instances": [8, 16]}}})";
  const auto expect_key     = [&](const std::string& body, const std::string& key) {
    const auto file = write_temp("fig.json", "{\"figure\": 3, \"title\": \"t\", " + body + "}");
    try {
      read_figure_spec(file, configs);
      ADD_FAILURE() << body;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), key) << e.what();
    }
  };
  const std::string table = R"("tables": [{"file": "f.csv", "columns": ["n"], "rows": [{"run": "r", "cells": )";
  expect_key(run + ", " + table + R"({"n": {"grid": "instances"}}}]}], "colour": 1)", "colour");
  expect_key(run + ", " + table + R"({"n": {"grid": "model"}}}]}])", "tables[0].rows[0].cells.n.grid");
  expect_key(run + ", " + table + R"({}}]}])", "tables[0].rows[0].cells.n");
  expect_key(run + ", " + table + R"({"n": {"summary": "x", "value": 1}}}]}])", "tables[0].rows[0].cells.n");
}

TEST(FigureSpec, TableRowsFromSummaries)
{
  const std::string configs = std::string("configs");
  const auto file           = write_temp("fig_ok.json", R"({"figure": 3, "title": "t",
    "runs": {"r": {"config": "p4d16.json", "grid": {"checkpoint.scheme": ["none", "gemini"]}}},
    "tables": [{"file": "f.csv", "columns": ["scheme", "t", "idle_none", "sys", "x"],
      "rows": [{"run": "r", "where": {"checkpoint.scheme": "gemini"}, "each": {"system": ["a", "b"]},
        "cells": {"scheme": {"grid": "checkpoint.scheme"}, "t": {"summary": "per.{system}"},
                  "idle_none": {"summary": "idle", "at": {"checkpoint.scheme": "none"}},
                  "sys": {"each": "system"},
                  "x": {"summary": "status", "default": "ok", "when": {"summary": "status", "equals": "oom", "then": null}}}}]}]})");
  const auto spec           = read_figure_spec(file, configs);
  const auto plan           = plan_figure(spec);
  std::map<std::string, json> summaries;
  const auto& pts        = plan.at("r");
  summaries[pts[0].hash] = json{{"idle", 0.03}};
  summaries[pts[1].hash] = json{{"per", {{"a", 1.5}, {"b", 2}}}, {"status", "oom"}};
  const std::string csv  = figure_table_csv(spec, spec.tables[0], plan, summaries);
  EXPECT_EQ(csv, "scheme,t,idle_none,sys,x\ngemini,1.5,0.03,a,\ngemini,2,0.03,b,\n");
  summaries.erase(pts[0].hash); // a failed point: an error naming the cell, not a blank table
  EXPECT_THROW(figure_table_csv(spec, spec.tables[0], plan, summaries), ConfigError);
}
