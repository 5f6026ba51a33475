#include "audit/ingest/models/pmml/internal/xml.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace probity::models::pmml_internal {

std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& node, std::string_view name) {
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) return child;
  }
  return {};
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& node, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) out.push_back(child);
  }
  return out;
}

std::vector<pugi::xml_node> Elements(const pugi::xml_node& node) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child) != "Extension") {
      out.push_back(child);
    }
  }
  return out;
}

XmlSource::XmlSource(std::string source, std::string_view text) : source_(std::move(source)) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(static_cast<ptrdiff_t>(i + 1));
  }
}

int64_t XmlSource::LineOf(ptrdiff_t offset) const {
  if (offset < 0) return 0;
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<int64_t>(it - line_starts_.begin());
}

Status XmlSource::Invalid(const pugi::xml_node& node, const std::string& message) const {
  const int64_t line = LineOf(node);
  return InvalidArgumentError(message).At({source_, line, 0});
}

Status XmlSource::Unsupported(const pugi::xml_node& node, const std::string& what) const {
  const int64_t line = LineOf(node);
  return UnimplementedError(what + " is not supported").At({source_, line, 0});
}

std::optional<double> XmlSource::ParseNumber(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.empty()) return std::nullopt;
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "INF" || text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-INF" || text == "-Infinity") return -std::numeric_limits<double>::infinity();
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<std::string> XmlSource::RequiredText(const pugi::xml_node& node,
                                            const char* attribute) const {
  pugi::xml_attribute attr = node.attribute(attribute);
  if (!attr) {
    return Invalid(node, std::string("<") + std::string(LocalName(node)) +
                             "> lacks the required attribute \"" + attribute + "\"");
  }
  return std::string(attr.value());
}

Result<double> XmlSource::RequiredNumber(const pugi::xml_node& node, const char* attribute) const {
  if (!node.attribute(attribute)) {
    return Invalid(node, std::string("<") + std::string(LocalName(node)) +
                             "> lacks the required attribute \"" + attribute + "\"");
  }
  return Number(node, attribute, 0);
}

Result<double> XmlSource::Number(const pugi::xml_node& node, const char* attribute,
                                 double fallback) const {
  pugi::xml_attribute attr = node.attribute(attribute);
  if (!attr) return fallback;
  std::optional<double> value = ParseNumber(attr.value());
  if (!value) {
    return Invalid(node, std::string("attribute \"") + attribute + "\" of <" +
                             std::string(LocalName(node)) + "> is \"" + attr.value() +
                             "\"; expected a number");
  }
  return *value;
}

Result<int64_t> XmlSource::Integer(const pugi::xml_node& node, const char* attribute,
                                   int64_t fallback, int64_t min, int64_t max) const {
  pugi::xml_attribute attr = node.attribute(attribute);
  if (!attr) return fallback;
  std::optional<double> value = ParseNumber(attr.value());
  if (!value || !std::isfinite(*value) || *value != std::floor(*value) ||
      *value < static_cast<double>(min) || *value > static_cast<double>(max)) {
    return Invalid(node, std::string("attribute \"") + attribute + "\" of <" +
                             std::string(LocalName(node)) + "> is \"" + attr.value() +
                             "\"; expected an integer from " + std::to_string(min) + " to " +
                             std::to_string(max));
  }
  return static_cast<int64_t>(*value);
}

namespace {

// Splits array content into tokens; double-quoted tokens may contain spaces and \" escapes.
std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::string token;
    if (text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        token += text[i++];
      }
      ++i;
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
        token += text[i++];
      }
    }
    out.push_back(std::move(token));
  }
  return out;
}

}  // namespace

Result<std::vector<double>> XmlSource::NumberArray(const pugi::xml_node& array,
                                                   int64_t expected) const {
  PROBITY_ASSIGN_OR_RETURN(int64_t n, Integer(array, "n", -1, 0, kMaxDeclaredCount));
  std::vector<std::string> tokens = Tokens(array.child_value());
  if (n >= 0 && static_cast<size_t>(n) != tokens.size()) {
    return Invalid(array, "<Array> declares n=\"" + std::to_string(n) + "\" but holds " +
                              std::to_string(tokens.size()) + " values");
  }
  if (expected >= 0 && static_cast<size_t>(expected) != tokens.size()) {
    return Invalid(array, "<Array> holds " + std::to_string(tokens.size()) + " values; expected " +
                              std::to_string(expected));
  }
  std::vector<double> out;
  out.reserve(tokens.size());
  for (const std::string& token : tokens) {
    std::optional<double> value = ParseNumber(token);
    if (!value) return Invalid(array, "<Array> value \"" + token + "\" is not a number");
    out.push_back(*value);
  }
  return out;
}

Result<std::vector<std::string>> XmlSource::StringArray(const pugi::xml_node& array) const {
  PROBITY_ASSIGN_OR_RETURN(int64_t n, Integer(array, "n", -1, 0, kMaxDeclaredCount));
  std::vector<std::string> tokens = Tokens(array.child_value());
  if (n >= 0 && static_cast<size_t>(n) != tokens.size()) {
    return Invalid(array, "<Array> declares n=\"" + std::to_string(n) + "\" but holds " +
                              std::to_string(tokens.size()) + " values");
  }
  return tokens;
}

}  // namespace probity::models::pmml_internal
