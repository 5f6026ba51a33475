// The scipy/numpy reference cases of tests/data/fairness/stats_cases.json (written by
// tests/fairness/make_stats_fixtures.py; see tests/data/fairness/SOURCES.md), and the
// tolerance check the interval, test and quantile suites share.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "tests/testing/test_data.h"

namespace probity::fairness::testing {

// The parsed fixture; an empty object (and a test failure) when it cannot be read.
inline const nlohmann::json& StatsCases() {
  static const nlohmann::json cases = [] {
    std::ifstream in(probity::testing::TestDataPath("fairness/stats_cases.json"));
    nlohmann::json parsed = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    return parsed.is_discarded() ? nlohmann::json::object() : parsed;
  }();
  EXPECT_TRUE(cases.contains("rates")) << "tests/data/fairness/stats_cases.json is missing";
  return cases;
}

// A fixture number; the strings "inf", "-inf" and "nan" stand for what JSON cannot hold.
inline double Number(const nlohmann::json& value) {
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text == "inf") return std::numeric_limits<double>::infinity();
    if (text == "-inf") return -std::numeric_limits<double>::infinity();
    return std::numeric_limits<double>::quiet_NaN();
  }
  return value.get<double>();
}

// |actual − expected| ≤ relative·|expected| + absolute; equal infinities and NaN pairs match.
inline ::testing::AssertionResult Close(double actual, double expected, double relative = 1e-9,
                                        double absolute = 0) {
  if (std::isnan(expected) ? std::isnan(actual)
                           : (actual == expected || std::abs(actual - expected) <=
                                                        relative * std::abs(expected) + absolute)) {
    return ::testing::AssertionSuccess();
  }
  std::ostringstream message;
  message << std::setprecision(17) << "actual " << actual << " vs expected " << expected
          << " (relative difference " << (actual - expected) / expected << ")";
  return ::testing::AssertionFailure() << message.str();
}

// A count for robustness tests: mostly ordinary integers, sometimes 0, a fraction, a negative
// number, a huge value, infinity or NaN.
inline double AwkwardCount(std::mt19937_64& engine) {
  switch (engine() % 10) {
    case 0: return 0;
    case 1: return static_cast<double>(engine() % 1000) / 7;
    case 2: return -static_cast<double>(engine() % 5);
    case 3: return std::ldexp(1.0, static_cast<int>(engine() % 1100));
    case 4:
      return engine() % 2 ? std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::quiet_NaN();
    default: return static_cast<double>(engine() % (uint64_t{1} << (engine() % 40)));
  }
}

}  // namespace probity::fairness::testing
