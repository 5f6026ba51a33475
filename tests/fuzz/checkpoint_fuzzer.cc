// libFuzzer target: arbitrary bytes as a signed note (ParseSignedNote), and its body, or the
// bytes themselves, as a checkpoint body (ParseCheckpointBody). Both parsers accept only one
// spelling of each value, so whatever they accept must format back to the same bytes.
#include <cstdlib>
#include <string>
#include <string_view>

#include "lineage/checkpoint.h"

namespace {

void CheckBody(std::string_view body) {
  auto checkpoint = probity::lineage::ParseCheckpointBody(body, "fuzz.txt");
  if (!checkpoint.has_value()) {
    if (checkpoint.error().location().file != "fuzz.txt") std::abort();
    return;
  }
  if (checkpoint->Body() != body) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto note = probity::lineage::ParseSignedNote(text, "fuzz.txt");
  if (note.has_value()) {
    if (note->signatures.empty() || probity::lineage::FormatSignedNote(*note) != text) {
      std::abort();
    }
    CheckBody(note->body);
    // No trusted keys: every signature must come back as unknown.
    auto result = probity::lineage::VerifyNoteSignatures(*note, {});
    if (result.Count(probity::lineage::NoteSignatureStatus::kUnknownKey) !=
        note->signatures.size()) {
      std::abort();
    }
  } else if (note.error().location().file != "fuzz.txt") {
    std::abort();
  }
  CheckBody(text);
  return 0;
}
