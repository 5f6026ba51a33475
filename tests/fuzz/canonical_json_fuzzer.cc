// libFuzzer target: arbitrary bytes through the strict JSON parser and the RFC 8785 writer.
// Canonical output must be a fixed point: parsing it and writing it again gives the same
// bytes. Errors must name the fuzz input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lineage/canonical_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto value = probity::lineage::ParseStrictJson(text, "fuzz.json");
  if (!value.has_value()) {
    if (value.error().location().file != "fuzz.json") std::abort();
    return 0;
  }
  auto canonical = probity::lineage::CanonicalJson(*value);
  if (!canonical.has_value()) return 0;  // e.g. nothing: parsed values always canonicalize
  if (!probity::lineage::IsValidUtf8(*canonical)) std::abort();
  auto again = probity::lineage::Canonicalize(*canonical, "canonical.json");
  if (!again.has_value() || *again != *canonical) {
    std::fprintf(stderr, "canonical form is not a fixed point:\n%s\n%s\n", canonical->c_str(),
                 again.has_value() ? again->c_str() : again.error().ToString().c_str());
    std::abort();
  }
  return 0;
}
