// libFuzzer target: arbitrary bytes as a DSSE envelope, parsed and verified against one fixed
// trusted key (RFC 8032 §7.1 TEST 1, which signed the seed envelope). A verified payload must
// be exactly the envelope's payload.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "audit/core/base64.h"
#include "lineage/dsse.h"

namespace {

const std::vector<probity::lineage::TrustedKey>& Trusted() {
  static const auto* keys = [] {
    auto key = probity::lineage::PublicKey::FromRawEd25519(
        *probity::HexDecode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    if (!key.has_value()) std::abort();
    return new std::vector<probity::lineage::TrustedKey>{{"rfc8032", *key, {}, {}}};
  }();
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto envelope = probity::lineage::ParseEnvelope(text, "fuzz.json");
  if (!envelope.has_value()) {
    if (envelope.error().location().file != "fuzz.json") std::abort();
    return 0;
  }
  for (size_t threshold : {1, 2}) {
    auto verified = probity::lineage::VerifyEnvelope(*envelope, Trusted(), threshold);
    if (verified.has_value() &&
        (threshold != 1 || verified->payload != envelope->payload ||
         verified->payload_type != envelope->payload_type || verified->key_ids.size() != 1)) {
      std::abort();  // one trusted key can never meet a threshold of 2
    }
  }
  // What Probity writes parses back to the same envelope.
  auto again = probity::lineage::ParseEnvelope(probity::lineage::EnvelopeJson(*envelope), "again");
  if (!again.has_value() || again->payload != envelope->payload ||
      again->signatures.size() != envelope->signatures.size()) {
    // Only a payloadType or keyid that is not valid UTF-8 may fail to round-trip; the strict
    // parser already refuses those, so any failure here is a bug.
    std::abort();
  }
  return 0;
}
