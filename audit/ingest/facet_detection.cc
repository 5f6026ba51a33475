#include "audit/ingest/facet_detection.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace probity::ingest {
namespace {

struct Attribute {
  std::string_view name;
  std::vector<std::string_view> name_tokens;  // matched against whole name tokens
  std::vector<std::string_view> value_words;  // matched against words of values
  size_t min_value_matches;                   // distinct values that must match
};

const std::vector<Attribute>& Attributes() {
  static const std::vector<Attribute> attributes = {
      {"sex",
       {"sex", "gender"},
       {"male", "female", "man", "woman", "men", "women", "nonbinary", "non-binary"},
       2},
      {"race/ethnicity",
       {"race", "ethnicity", "ethnic", "ethnicgroup", "colour", "color"},
       {"white", "black", "asian", "hispanic", "latino", "latina", "caucasian", "african-american",
        "amer-indian-eskimo", "asian-pac-islander", "native"},
       2},
      {"age", {"age", "dob", "birthdate", "birthyear", "yob", "birth"}, {}, 0},
      {"religion",
       {"religion", "religious", "faith"},
       {"christian", "muslim", "jewish", "hindu", "buddhist", "catholic", "protestant", "atheist"},
       2},
      {"marital status",
       {"marital", "married", "spouse", "personal_status"},
       {"married", "divorced", "widowed", "single", "never-married", "separated"},
       2},
      {"national origin",
       {"nationality", "national", "citizenship", "citizen", "immigrant", "immigration", "foreign",
        "native_country", "birthplace"},
       {},
       0},
      {"disability", {"disability", "disabled", "handicap"}, {}, 0},
      {"pregnancy", {"pregnancy", "pregnant"}, {}, 0},
      {"sexual orientation", {"orientation", "lgbt", "lgbtq"}, {}, 0},
      {"veteran status", {"veteran"}, {}, 0},
  };
  return attributes;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits a column name into lower-case tokens at non-alphanumerics and camelCase humps,
// and also returns the whole lower-cased name.
std::set<std::string> NameTokens(std::string_view name) {
  std::set<std::string> tokens;
  std::string current;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = std::isalnum(static_cast<unsigned char>(c)) != 0;
    bool hump = i > 0 && std::isupper(static_cast<unsigned char>(c)) &&
                std::islower(static_cast<unsigned char>(name[i - 1]));
    if (!alnum || hump) {
      if (!current.empty()) tokens.insert(Lower(current));
      current.clear();
    }
    if (alnum) current += c;
  }
  if (!current.empty()) tokens.insert(Lower(current));
  tokens.insert(Lower(name));
  return tokens;
}

// Words of a value: lower-cased, split at spaces, ':' and '/'; the whole value too.
std::set<std::string> ValueWords(std::string_view value) {
  std::set<std::string> words;
  std::string lower = Lower(value);
  words.insert(lower);
  std::string current;
  for (char c : lower) {
    if (c == ' ' || c == ':' || c == '/' || c == ',' || c == '(' || c == ')') {
      if (!current.empty()) words.insert(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) words.insert(current);
  return words;
}

}  // namespace

std::optional<FacetCandidate> DetectFacetCandidate(std::string_view column,
                                                   const std::vector<std::string>& top_values,
                                                   bool declared_facet) {
  std::set<std::string> tokens = NameTokens(column);
  for (const Attribute& a : Attributes()) {
    std::string name_match;
    for (std::string_view t : a.name_tokens) {
      if (tokens.contains(std::string(t))) {
        name_match = std::string(t);
        break;
      }
    }
    std::vector<std::string> value_matches;
    if (a.min_value_matches > 0) {
      for (const std::string& v : top_values) {
        std::set<std::string> words = ValueWords(v);
        bool hit = std::any_of(a.value_words.begin(), a.value_words.end(),
                               [&](std::string_view w) { return words.contains(std::string(w)); });
        if (hit) value_matches.push_back(v);
      }
    }
    bool by_values = a.min_value_matches > 0 && value_matches.size() >= a.min_value_matches;
    if (name_match.empty() && !by_values) continue;
    FacetCandidate c;
    c.column = std::string(column);
    c.attribute = std::string(a.name);
    if (declared_facet) c.evidence.push_back("schema role");
    if (!name_match.empty()) {
      c.evidence.push_back("name");
      c.detail = "name matches \"" + name_match + "\"";
    }
    if (by_values) {
      c.evidence.push_back("values");
      if (!c.detail.empty()) c.detail += "; ";
      c.detail += "values include ";
      for (size_t i = 0; i < value_matches.size() && i < 4; ++i) {
        c.detail += (i > 0 ? ", " : "") + value_matches[i];
      }
    }
    return c;
  }
  if (declared_facet) {
    return FacetCandidate{
        std::string(column), "declared", {"schema role"}, "role: facet in the schema"};
  }
  return std::nullopt;
}

}  // namespace probity::ingest
