// Runs every case under tests/golden/: each folder holds `args` (one argument per line),
// `exit` (the expected exit code) and optionally `stderr` (the exact expected stderr),
// `stdout.json` (a JSON document the output must contain: every key given must match,
// arrays element by element, numbers to 1e-9 relative) and `requires` (a path that must
// exist, else the case is skipped with a message). In all files, {data} is tests/data,
// {examples} is examples/data, {shared} is ../shared/data and {case} is the case folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/testing/run_command.h"

namespace probity {
namespace {

namespace fs = std::filesystem;

const std::string kGoldenDir = std::string(PROBITY_SOURCE_DIR) + "/tests/golden";

std::vector<std::string> Cases() {
  std::vector<std::string> cases;
  for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
    if (entry.is_directory() && fs::exists(entry.path() / "args"))
      cases.push_back(entry.path().filename());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

std::string Expand(std::string text, const std::string& case_dir) {
  const std::pair<std::string, std::string> vars[] = {
      {"{data}", std::string(PROBITY_SOURCE_DIR) + "/tests/data"},
      {"{examples}", std::string(PROBITY_SOURCE_DIR) + "/examples/data"},
      {"{shared}", std::string(PROBITY_SHARED_DIR) + "/data"},
      {"{case}", case_dir},
  };
  for (const auto& [name, value] : vars) {
    for (size_t at = text.find(name); at != std::string::npos;
         at = text.find(name, at + value.size())) {
      text.replace(at, name.size(), value);
    }
  }
  return text;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Empty when `actual` contains `expected`; otherwise the path and the difference.
std::string Mismatch(const nlohmann::json& expected, const nlohmann::json& actual,
                     const std::string& path) {
  if (expected.is_object()) {
    if (!actual.is_object()) return path + ": expected an object, found " + actual.dump();
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key)) return path + "/" + key + ": missing";
      std::string m = Mismatch(value, actual[key], path + "/" + key);
      if (!m.empty()) return m;
    }
    return "";
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      return path + ": expected an array of " + std::to_string(expected.size()) + ", found " +
             actual.dump().substr(0, 200);
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      std::string m = Mismatch(expected[i], actual[i], path + "/" + std::to_string(i));
      if (!m.empty()) return m;
    }
    return "";
  }
  if (expected.is_number() && actual.is_number()) {
    double e = expected.get<double>();
    double a = actual.get<double>();
    if (std::abs(a - e) <= 1e-9 * std::max(1.0, std::abs(e))) return "";
  }
  if (expected == actual) return "";
  return path + ": expected " + expected.dump() + ", found " + actual.dump();
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, Runs) {
  const std::string dir = kGoldenDir + "/" + GetParam();
  auto read = [&](const std::string& name) {
    return Expand(testing::Slurp(dir + "/" + name), dir);
  };
  if (fs::exists(dir + "/requires")) {
    std::string required = Trimmed(read("requires"));
    if (!fs::exists(required))
      GTEST_SKIP() << required << " is absent (the shared data folder is not here)";
  }
  std::vector<std::string> args;
  std::istringstream lines(read("args"));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) args.push_back(line);
  }
  auto result = testing::RunProbity(args, ::testing::TempDir());
  EXPECT_EQ(result.exit_code, std::stoi(read("exit"))) << "stderr: " << result.err;
  if (fs::exists(dir + "/stderr")) {
    EXPECT_EQ(Trimmed(result.err), Trimmed(read("stderr")));
  }
  if (fs::exists(dir + "/stdout.json")) {
    nlohmann::json expected = nlohmann::json::parse(read("stdout.json"));
    nlohmann::json actual = nlohmann::json::parse(result.out, nullptr, false);
    ASSERT_FALSE(actual.is_discarded()) << "stdout is not JSON: " << result.out.substr(0, 500);
    EXPECT_EQ(Mismatch(expected, actual, ""), "");
  }
}

std::string CaseName(const ::testing::TestParamInfo<std::string>& param) { return param.param; }

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(Cases()), CaseName);

}  // namespace
}  // namespace probity
