// Fuzzes the reason-code table parser (explain/reasons.h): any bytes give a table or an
// error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "explain/reasons.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)probity::explain::ParseReasonCodeTable(text, "fuzz.yaml");
  return 0;
}
