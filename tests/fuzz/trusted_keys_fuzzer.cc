// libFuzzer target: arbitrary bytes as a trusted-keys file (ParseTrustedKeys). It must never
// crash; an error must name the file; an accepted file must name at least one key.
#include <cstdlib>
#include <string>

#include "lineage/trusted_keys.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto keys = probity::lineage::ParseTrustedKeys(text, "fuzz.pem");
  if (!keys.has_value()) {
    if (keys.error().location().file != "fuzz.pem") std::abort();
    return 0;
  }
  if (keys->empty()) std::abort();
  for (const auto& k : *keys) {
    if (k.name.empty() || k.key.id().size() != 64) std::abort();
  }
  return 0;
}
