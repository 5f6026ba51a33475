// Flags columns that look like protected attributes (sex, race, age, religion, marital
// status, national origin, disability…) from their names and values, so that a profile can
// suggest fairness facets before anyone writes a schema. Suggestions only: a column is a
// facet when its schema says role: facet.
//
//   std::vector<FacetCandidate> facets = DetectFacetCandidates(name, top_values, declared);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace probity::ingest {

struct FacetCandidate {
  std::string column;
  std::string attribute;              // "sex", "race/ethnicity", "age", …
  std::vector<std::string> evidence;  // "schema role", "name", "values"
  std::string detail;                 // e.g. "name matches \"sex\"; values: Male, Female"
};

// Examines one column: its name, its most frequent values (may be empty) and whether the
// schema declares it a facet. Returns nullopt when nothing suggests a protected attribute.
std::optional<FacetCandidate> DetectFacetCandidate(std::string_view column,
                                                   const std::vector<std::string>& top_values,
                                                   bool declared_facet);

}  // namespace probity::ingest
