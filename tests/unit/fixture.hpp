#pragma once
// What unit tests share: the calibrations they price with, each loaded once per test binary: the small fixed fixture
// under tests/data/calibration/h200 (tests/data/calibration/make_fixture.py; no kernels.json) and the shipped
// measurements under traces/calibration/h200. Tests may name the checkout (source_dir.hpp); the library
// finds its data by models/calibration_paths.hpp.
#include "models/calibration.hpp"
#include "models/config.hpp"
#include "models/config_error.hpp"
#include "source_dir.hpp"

#include <string>
#include <vector>

namespace gsim {

inline const std::string kSourceDir = GSIM_SOURCE_DIR;
inline const std::string kFixture   = kSourceDir + "/tests/data/calibration/h200";

inline const Calibration& fixture()
{
  return Calibration::cached(kFixture);
}

inline const Calibration& shipped()
{
  return Calibration::cached(kSourceDir + "/" + kShippedCalibration);
}

/** What loading `file` with `sets` refuses, as ConfigError says it; empty when it loads. */
inline std::string load_error(const std::string& file, const std::vector<std::string>& sets = {})
{
  try {
    load_experiment(file, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

} // namespace gsim
