#pragma once
// A paper figure as data: configs/figures/figNN.json names the runs (sweeps: a base experiment, fixed
// overrides and a grid) and the CSV tables made from their summaries. `gemini-sim figure N` reads it; no
// C++ per figure. The format (docs/figures/README.md):
//   {"figure": 7, "title": "...", "plot": "plots/fig07.py",
//    "model_shape": "table2" | "artifact-template" | "both", "model_shape_why": "one line" (optional),
//    "runs":   {"NAME": {"config": "p4d16.json", "set": {"key": value}, "grid": {"key": [values]}}},
//    "tables": [{"file": "fig07.csv", "columns": ["model", ...],
//                "rows": [{"run": "NAME", "where": {"grid key": value}, "each": {"system": [...]},
//                          "cells": {"model": CELL, ...}}]}]}
//   CELL: {"summary": "dotted.key"} (or a list of keys: the first present), {"grid": "key"},
//         {"each": "name"} or {"value": literal}; "{name}" in a summary key is the `each` value; options:
//         "at": {"grid key": value} reads the point of the same run with those grid values instead (a value
//         {"grid": "own key"} takes the row point's value of that key);
//         "default": literal when the key is missing or null; "when": {"summary": key, "equals": v,
//         "then": literal} replaces the cell when the point's summary has key == v; "run": "NAME" reads the
//         point of another run with the same values of the grid keys both share (then "at");
//         "format": "%.6f" (or %.Ng, %.Ne) prints a number with that many digits instead of the shortest
//         round-trip form; "divide_by": 60 prints a number in another unit (seconds as minutes).
//         "cells" may be a list of CELL objects: that many rows per point, in order.
//   A row block's "items": "key" writes a row per element of the point's summary list `key`; a CELL
//   {"item": "field"} reads the element's field. A run may name "inputs" (a {config, set} file under
//   configs/, e.g. reproduction/p4d16-paper-inputs.json) instead of "config".
// Config paths are relative to the configs/ directory. Every error names the file and the key (exit 2).
#include "sim/sweep/sweep_plan.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace gsim {

/** "[i]", the index in a config path. Appended, not "[" + to_string(i) + "]": GCC 12 warns falsely on that
 *  (-Wrestrict, bug 105329). */
inline std::string index_suffix(size_t i)
{
  return std::string("[").append(std::to_string(i)).append("]");
}

struct FigureRun {
  std::string name;
  SweepSpec spec; // spec.config: the resolved path of the experiment
};

struct FigureCell {
  std::string column;
  nlohmann::json source; // the CELL object, validated
};

struct FigureRowBlock {
  std::string run;
  std::map<std::string, nlohmann::json> where;                        // grid key -> the value rows must have
  std::vector<std::pair<std::string, std::vector<std::string>>> each; // at most one: name -> values
  // One row per entry per point (per `each` value), each in the table's column order: "cells" is an object
  // (one row) or a list of them (rows written together, e.g. one series per row from `at` points).
  std::vector<std::vector<FigureCell>> cells;
  std::string items; // a summary key holding a list: one row per element (cells {"item": "field"}); "" for none
};

struct FigureTable {
  std::string file; // written to the --out directory
  std::vector<std::string> columns;
  std::vector<FigureRowBlock> rows;
};

struct FigureSpec {
  std::string file; // the figure config it came from
  int id = 0;
  std::string title;
  std::string plot;
  std::string model_shape;     // "table2", "artifact-template", "both"; "" when the config does not say
  std::string model_shape_why; // its one-line reason
  std::vector<FigureRun> runs;
  std::vector<FigureTable> tables;
  const FigureRun& run(const std::string& name) const;
};

/** Reads and validates one figure config. Throws ConfigError naming `file` and the key. */
FigureSpec read_figure_spec(const std::string& file, const std::string& configs_dir);

/** Every configs_dir/figures/<name>.json, sorted by figure id (7, 8, ..., 16). Throws ConfigError on a figure
 *  id given twice. */
std::vector<FigureSpec> read_figure_specs(const std::string& configs_dir);

} // namespace gsim
