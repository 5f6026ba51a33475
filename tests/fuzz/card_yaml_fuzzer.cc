// libFuzzer target: arbitrary bytes as the owner's model card file (lineage/card.h
// ApplyCardYaml), then validation and the three exports of whatever card results.
#include <cstdlib>
#include <string>

#include "lineage/card.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const probity::lineage::ModelCard base = [] {
    probity::lineage::ModelCard card;
    card.document = {
        {"schema", "probity.model-card/1"},
        {"card_version", 1},
        {"status", "draft"},
        {"model",
         {{"artifact", 3},
          {"digest", "sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdef0123"},
          {"hyperparameters", {{"max_depth", 4}}}}},
        {"training_data",
         {{{"digest", "sha256:1111111111111111111111111111111111111111111111111111111111111111"},
           {"name", "train.csv"}}}},
        {"status_history",
         {{{"version", 1},
           {"status", "draft"},
           {"change", "init"},
           {"key_id", "k"},
           {"time", "2026-11-28T00:00:00Z"}}}}};
    return card;
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  auto card = probity::lineage::ApplyCardYaml(base, text, "fuzz.yaml");
  if (!card.has_value()) {
    if (card.error().location().file != "fuzz.yaml") std::abort();
    return 0;
  }
  if (probity::lineage::ValidateCard(*card).ok()) {
    // A card that validates must export to MCT and CycloneDX (SageMaker may refuse limits).
    if (!probity::lineage::ExportMct(*card).has_value()) std::abort();
    if (!probity::lineage::ExportCycloneDx(*card).has_value()) std::abort();
    (void)probity::lineage::ExportSageMaker(*card);
  }
  return 0;
}
