// pugixml helpers for the PMML compiler: namespace-agnostic element lookup (PMML 3.2–4.4
// put their elements in different namespaces, so only local names are matched), attribute
// parsing with located errors, and byte offset → line mapping for messages.
#pragma once

#include <cstdint>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/result.h"
#include "audit/core/status.h"

namespace probity::models::pmml_internal {

// The element name without its namespace prefix ("pmml:Node" → "Node").
std::string_view LocalName(const pugi::xml_node& node);

// First child element with this local name; an empty node when there is none.
pugi::xml_node Child(const pugi::xml_node& node, std::string_view name);
// Every child element with this local name, in document order.
std::vector<pugi::xml_node> Children(const pugi::xml_node& node, std::string_view name);
// Every child element (skipping text, comments and Extension elements).
std::vector<pugi::xml_node> Elements(const pugi::xml_node& node);

// The document being compiled: its source name (for messages) and a line index.
class XmlSource {
 public:
  XmlSource(std::string source, std::string_view text);

  const std::string& name() const { return source_; }
  int64_t LineOf(ptrdiff_t offset) const;
  int64_t LineOf(const pugi::xml_node& node) const { return LineOf(node.offset_debug()); }

  // kInvalidArgument / kUnimplemented located at `node` (ToString() reads
  // "<source>:<line>: <message>").
  Status Invalid(const pugi::xml_node& node, const std::string& message) const;
  Status Unsupported(const pugi::xml_node& node, const std::string& what) const;

  // Attribute accessors. Required ones return kInvalidArgument naming the attribute when
  // absent or malformed; optional ones return the fallback when absent, an error when
  // present but malformed.
  Result<std::string> RequiredText(const pugi::xml_node& node, const char* attribute) const;
  Result<double> RequiredNumber(const pugi::xml_node& node, const char* attribute) const;
  Result<double> Number(const pugi::xml_node& node, const char* attribute, double fallback) const;
  // An integer in [min, max]; anything else (including "1e12" where max is small) is
  // kInvalidArgument.
  Result<int64_t> Integer(const pugi::xml_node& node, const char* attribute, int64_t fallback,
                          int64_t min, int64_t max) const;
  // A numeric attribute/text parsed strictly ("1.5", "-2e3", "NaN", "INF").
  static std::optional<double> ParseNumber(std::string_view text);
  // An <Array> of numbers (type real/int) with its declared size checked against the
  // content; `expected` (when >= 0) is the size it must have.
  Result<std::vector<double>> NumberArray(const pugi::xml_node& array, int64_t expected) const;
  // An <Array type="string"> (quoted or space separated tokens).
  Result<std::vector<std::string>> StringArray(const pugi::xml_node& array) const;

 private:
  std::string source_;
  std::vector<ptrdiff_t> line_starts_;
};

// Upper bound on any count a document declares (numberOfFields, array sizes, neurons…):
// larger declarations are rejected before anything is allocated from them.
inline constexpr int64_t kMaxDeclaredCount = 10'000'000;

}  // namespace probity::models::pmml_internal
