// Every shipped figure config states which model shape its runs use (configs/figures/*.json "model_shape":
// Table 2's or the artifact's templates, docs/memory.md), and the figure loader refuses any other value.
#include "models/config_error.hpp"
#include "sim/sweep/figure_spec.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace gsim {
namespace {

TEST(FigureShape, EveryShippedFigureStatesItsModelShape)
{
  const auto specs = read_figure_specs(std::string("configs"));
  ASSERT_FALSE(specs.empty());
  for (const auto& f : specs) {
    EXPECT_FALSE(f.model_shape.empty()) << f.file;
    EXPECT_FALSE(f.model_shape_why.empty()) << f.file;
  }
}

TEST(FigureShape, UnknownShapeNamesTheKey)
{
  const auto expect_key = [](const std::string& fields, const std::string& key) {
    const std::string path = ::testing::TempDir() + "fig_shape.json";
    std::ofstream(path) << R"({"figure": 3, "title": "t", )" << fields
                        << R"("runs": {"r": {"config": "p4d16.json", "grid": {"instances": [8, 16]}}},
      "tables": [{"file": "f.csv", "columns": ["n"], "rows": [{"run": "r", "cells": {"n": {"grid": "instances"}}}]}]})";
    try {
      read_figure_spec(path, "configs");
      ADD_FAILURE() << fields;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.file(), path);
      EXPECT_EQ(e.key(), key) << e.what();
    }
  };
  expect_key(R"("model_shape": "paper", "model_shape_why": "w", )", "model_shape");
  expect_key(R"("model_shape": "table2", )", "model_shape_why");
  expect_key(R"("model_shape_why": "w", )", "model_shape_why");
}

} // namespace
} // namespace gsim
