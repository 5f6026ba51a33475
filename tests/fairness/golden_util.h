// Helpers of the fairness golden tests: run `probity fairness --json`, find facets, groups,
// comparisons and metrics in its report, and compare them with the reference values that
// tests/fairness/golden/make_golden.py computed independently (values: a number, "inf" /
// "-inf", or null for undefined; "clarify_compat" where Clarify's own arithmetic differs).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"
#include "tests/testing/test_data.h"

namespace probity::testing {

using Json = nlohmann::json;

inline Json LoadJson(const std::string& path) {
  const std::string text = Slurp(path);
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << path << " is not JSON";
  return doc;
}

// Runs probity with `args` plus --json and returns the parsed report (discarded on failure).
inline Json RunFairnessJson(std::vector<std::string> args) {
  args.insert(args.begin(), "fairness");
  args.push_back("--json");
  args.push_back("--quiet");
  const CommandResult r = RunProbity(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Json doc = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << "not JSON: " << r.out.substr(0, 400) << "\n" << r.err;
  if (!doc.is_discarded()) {
    EXPECT_EQ(doc.value("schema", ""), "probity.fairness/1");
  }
  return doc;
}

// The element of `array` whose `key` is `value`, or null.
inline const Json* FindBy(const Json& array, const std::string& key, const std::string& value) {
  if (!array.is_array()) return nullptr;
  for (const Json& e : array) {
    if (e.is_object() && e.contains(key) && e[key] == value) return &e;
  }
  return nullptr;
}

inline const Json* FindMetric(const Json& metrics, const std::string& name,
                              const std::string& source) {
  if (!metrics.is_array()) return nullptr;
  for (const Json& m : metrics) {
    if (m.value("name", "") == name && m.value("source", "") == source) return &m;
  }
  return nullptr;
}

// actual[key] against an expected value: a number (to `tolerance`), "inf"/"-inf", or null
// (undefined: actual null with a non-empty "<key>_reason").
inline void ExpectValue(const Json& actual, const std::string& key, const Json& expected,
                        const std::string& where, double tolerance = 1e-9) {
  SCOPED_TRACE(where + " " + key);
  ASSERT_TRUE(actual.contains(key)) << "missing " << key << " in " << actual.dump();
  const Json& v = actual[key];
  if (expected.is_null()) {
    EXPECT_TRUE(v.is_null()) << "expected undefined, got " << v.dump();
    const std::string reason = actual.value(key + "_reason", std::string());
    EXPECT_FALSE(reason.empty()) << "undefined " << key << " without a reason";
  } else if (expected.is_string()) {
    EXPECT_EQ(v, expected);
  } else {
    ASSERT_TRUE(v.is_number()) << "expected " << expected.dump() << ", got " << v.dump();
    EXPECT_NEAR(v.get<double>(), expected.get<double>(), tolerance);
  }
}

// Every expected group of a facet: its counts and rates (the keys the reference has).
inline void ExpectGroups(const Json& facet, const Json& expected, const std::string& where) {
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    const Json* g = FindBy(facet["groups"], "group", it.key());
    ASSERT_NE(g, nullptr) << where << ": no group " << it.key() << " in " << facet["groups"];
    for (auto k = it.value().begin(); k != it.value().end(); ++k) {
      ExpectValue(*g, k.key(), k.value(), where + " group " + it.key());
    }
  }
}

// Expected metric records [{name, source, value[, clarify_compat]}] against a report's metric
// array. `compat`: a Clarify metric's expected value is its clarify_compat one when present.
inline void ExpectMetrics(const Json& metrics, const Json& expected, bool compat,
                          const std::string& where) {
  for (const Json& e : expected) {
    const std::string name = e["name"], source = e["source"];
    const Json* m = FindMetric(metrics, name, source);
    if (m == nullptr) {
      ADD_FAILURE() << where << ": no metric " << name << " (" << source << ")";
      continue;
    }
    const Json& value = compat && source == "clarify" && e.contains("clarify_compat")
                            ? e["clarify_compat"]
                            : e["value"];
    ExpectValue(*m, "value", value, where + " " + name + " (" + source + ")");
  }
}

enum class Check { kGroups, kComparisons, kFacetMetrics };

// One analysis of the reference file ({rows, facets{name: {groups, comparisons, metrics}},
// dataset_metrics}) against a report. Comparisons are found by their d; `rest` says they
// must be one-vs-rest.
inline void ExpectAnalysis(const Json& report, const Json& expected, Check check, bool compat,
                           bool rest = true) {
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(report["rows"]["used"], expected["rows"]);
  const Json& facets = expected["facets"];
  for (auto f = facets.begin(); f != facets.end(); ++f) {
    const Json* facet = FindBy(report["facets"], "facet", f.key());
    ASSERT_NE(facet, nullptr) << "no facet " << f.key();
    switch (check) {
      case Check::kGroups: ExpectGroups(*facet, f.value()["groups"], f.key()); break;
      case Check::kComparisons:
        for (auto c = f.value()["comparisons"].begin(); c != f.value()["comparisons"].end(); ++c) {
          const Json* comparison = FindBy((*facet)["comparisons"], "d", c.key());
          ASSERT_NE(comparison, nullptr) << f.key() << ": no comparison d = " << c.key();
          if (rest) {
            EXPECT_EQ((*comparison)["a"], "rest");
          }
          ExpectMetrics((*comparison)["metrics"], c.value(), compat, f.key() + " d=" + c.key());
        }
        break;
      case Check::kFacetMetrics:
        ExpectMetrics((*facet)["metrics"], f.value()["metrics"], compat, f.key());
        break;
    }
  }
}

}  // namespace probity::testing
