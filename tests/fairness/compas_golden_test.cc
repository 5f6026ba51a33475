// ProPublica's COMPAS error rates ("Machine Bias", 2016) reproduced by `probity fairness`.
// The data (propublica/compas-analysis compas-scores-two-years.csv) has no license, so it is
// read from the shared folder and never copied into the project; without it the tests skip.
// Reference counts: tests/data/fairness/golden/compas.expected.json, from
// tests/fairness/golden/make_golden.py (pandas); see tests/data/fairness/golden/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/fairness/golden_util.h"

namespace probity::testing {
namespace {

constexpr char kCompas[] = "data/fairness/compas-scores-two-years.csv";

const Json& Expected() {
  static const Json doc = LoadJson(TestDataPath("fairness/golden/compas.expected.json"));
  return doc;
}

Json RunCompas(const std::string& path) {
  return RunFairnessJson({"--data", path, "--label", "two_year_recid", "--positive", "1",
                          "--prediction", "score_text", "--predicted-positive", "Medium,High",
                          "--facet", "race"});
}

// The fields of one CSV record (RFC 4180 quoting; the file has no line breaks in fields).
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

// ProPublica's notebook filter (Compas Analysis.ipynb): days_b_screening_arrest within
// [−30, 30] (rows without it dropped), is_recid != −1, c_charge_degree != "O", score_text !=
// "N/A". Writes race, two_year_recid and score_text of the kept rows; returns their number.
int WriteFilteredRows(const std::string& in_path, const std::string& out_path) {
  std::ifstream in(in_path);
  std::ofstream out(out_path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = SplitCsv(line);
  auto column = [&](const std::string& name) {  // the first column of that name
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const size_t days = column("days_b_screening_arrest"), is_recid = column("is_recid"),
               degree = column("c_charge_degree"), score = column("score_text"),
               race = column("race"), label = column("two_year_recid");
  EXPECT_LT(std::max({days, is_recid, degree, score, race, label}), header.size());
  out << "race,two_year_recid,score_text\n";
  int kept = 0;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = SplitCsv(line);
    if (f.size() != header.size() || f[days].empty()) continue;
    const double d = std::stod(f[days]);
    if (d < -30 || d > 30 || f[is_recid] == "-1" || f[degree] == "O" || f[score] == "N/A") {
      continue;
    }
    out << f[race] << ',' << f[label] << ',' << f[score] << '\n';
    ++kept;
  }
  return kept;
}

void ExpectRaceGroups(const Json& report, const Json& expected) {
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(report["rows"]["used"], expected["rows"]);
  const Json* race = FindBy(report["facets"], "facet", "race");
  ASSERT_NE(race, nullptr);
  ExpectGroups(*race, expected["groups"], "race");
}

// The published table ("Prediction Fails Differently for Black Defendants": labeled higher
// risk but didn't re-offend, White 23.5%, African American 44.9%; labeled lower risk yet did
// re-offend, White 47.7%, African American 28.0%; to two decimals FPR 44.85 / 23.45 %, FNR
// 27.99 / 47.72 %) are the rates on all 7,214 rows of this file, not on the filtered ones.
TEST(FairnessCompasTest, PublishedErrorRatesOnAllRows) {
  const std::string path = SharedPath(kCompas);
  if (path.empty()) GTEST_SKIP() << "the shared COMPAS data (" << kCompas << ") is absent";
  const Json report = RunCompas(path);
  ExpectRaceGroups(report, Expected()["all_rows"]);
  const Json* race = FindBy(report["facets"], "facet", "race");
  ASSERT_NE(race, nullptr);
  const Json* black = FindBy((*race)["groups"], "group", "African-American");
  const Json* white = FindBy((*race)["groups"], "group", "Caucasian");
  ASSERT_TRUE(black && white);
  ExpectValue(*black, "fpr", 0.4485, "African-American", 1e-4);
  ExpectValue(*black, "fnr", 0.2799, "African-American", 1e-4);
  ExpectValue(*white, "fpr", 0.2345, "Caucasian", 1e-4);
  ExpectValue(*white, "fnr", 0.4772, "Caucasian", 1e-4);
}

// The notebook's filtered 6,172 rows (the set of its logistic and Cox models): counts and rates
// per race as pandas computes them (FPR 42.34 % vs 22.01 %, FNR 28.48 % vs 49.64 %).
TEST(FairnessCompasTest, NotebookFilteredRows) {
  const std::string path = SharedPath(kCompas);
  if (path.empty()) GTEST_SKIP() << "the shared COMPAS data (" << kCompas << ") is absent";
  const std::string filtered = ::testing::TempDir() + "/compas_filtered.csv";
  EXPECT_EQ(WriteFilteredRows(path, filtered), 6172);
  ExpectRaceGroups(RunCompas(filtered), Expected()["filtered"]);
  std::remove(filtered.c_str());
}

}  // namespace
}  // namespace probity::testing
