// libFuzzer target: arbitrary bytes as a schema file (YAML or JSON).
#include <cstdlib>
#include <string>

#include "audit/ingest/schema_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto spec = probity::ingest::ParseSchemaFile(text, "fuzz.yaml");
  if (!spec.has_value() && spec.error().location().file != "fuzz.yaml") std::abort();
  return 0;
}
