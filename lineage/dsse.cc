#include "lineage/dsse.h"

#include <algorithm>

#include "audit/core/base64.h"
#include "lineage/canonical_json.h"

namespace probity::lineage {
namespace {

using Json = nlohmann::json;

Status FieldError(std::string_view origin, const std::string& field, std::string message,
                  std::string expected) {
  return InvalidArgumentError("DSSE envelope field \"" + field + "\": " + std::move(message))
      .At({std::string(origin)})
      .Expecting(std::move(expected));
}

// The string member `name` of `object` (required), or an error naming `field`.
Result<const std::string*> StringMember(const Json& object, const char* name,
                                        const std::string& field, std::string_view origin) {
  const auto it = object.find(name);
  if (it == object.end()) return FieldError(origin, field, "missing", "a string");
  if (!it->is_string()) {
    return FieldError(origin, field, std::string("is ") + it->type_name(), "a string");
  }
  return &it->get_ref<const std::string&>();
}

Result<std::string> Base64Member(const Json& object, const char* name, const std::string& field,
                                 std::string_view origin) {
  PROBITY_ASSIGN_OR_RETURN(const std::string* text, StringMember(object, name, field, origin));
  std::optional<std::string> bytes = Base64Decode(*text, Base64Alphabet::kStandardOrUrl);
  if (!bytes) {
    return FieldError(origin, field, "is not base64",
                      "standard or URL-safe base64 (RFC 4648 §4, §5)");
  }
  return std::move(*bytes);
}

}  // namespace

std::string Pae(std::string_view type, std::string_view body) {
  std::string out = "DSSEv1 ";
  out.reserve(32 + type.size() + body.size());
  out += std::to_string(type.size());
  out += ' ';
  out += type;
  out += ' ';
  out += std::to_string(body.size());
  out += ' ';
  out += body;
  return out;
}

Result<Envelope> SignEnvelope(std::string_view payload_type, std::string payload,
                              const Signer& signer) {
  PROBITY_ASSIGN_OR_RETURN(std::string sig, signer.Sign(Pae(payload_type, payload)));
  Envelope envelope;
  envelope.payload_type = std::string(payload_type);
  envelope.payload = std::move(payload);
  envelope.signatures.push_back({signer.key_id(), std::move(sig)});
  return envelope;
}

std::string EnvelopeJson(const Envelope& envelope) {
  // Written by hand in RFC 8785 member order (payload < payloadType < signatures; keyid <
  // sig): base64 needs no escaping, and this avoids building a DOM per envelope.
  std::string out = "{\"payload\":\"";
  out += Base64Encode(envelope.payload);
  out += "\",\"payloadType\":";
  AppendCanonicalString(out, envelope.payload_type);
  out += ",\"signatures\":[";
  for (size_t i = 0; i < envelope.signatures.size(); ++i) {
    const Envelope::Signature& s = envelope.signatures[i];
    out += i == 0 ? "{" : ",{";
    if (!s.keyid.empty()) {
      out += "\"keyid\":";
      AppendCanonicalString(out, s.keyid);
      out += ',';
    }
    out += "\"sig\":\"";
    out += Base64Encode(s.sig);
    out += "\"}";
  }
  out += "]}";
  return out;
}

Result<Envelope> ParseEnvelope(std::string_view json, std::string_view origin) {
  PROBITY_ASSIGN_OR_RETURN(Json root, ParseStrictJson(json, origin));
  if (!root.is_object()) {
    return InvalidArgumentError(std::string("a DSSE envelope is a JSON object, found ") +
                                root.type_name())
        .At({std::string(origin)})
        .Expecting("{\"payload\", \"payloadType\", \"signatures\"}");
  }
  Envelope envelope;
  PROBITY_ASSIGN_OR_RETURN(envelope.payload, Base64Member(root, "payload", "payload", origin));
  PROBITY_ASSIGN_OR_RETURN(const std::string* type,
                           StringMember(root, "payloadType", "payloadType", origin));
  envelope.payload_type = *type;
  const auto signatures = root.find("signatures");
  if (signatures == root.end()) {
    return FieldError(origin, "signatures", "missing", "an array of signatures");
  }
  if (!signatures->is_array()) {
    return FieldError(origin, "signatures", std::string("is ") + signatures->type_name(),
                      "an array of signatures");
  }
  for (size_t i = 0; i < signatures->size(); ++i) {
    const Json& s = (*signatures)[i];
    const std::string field = "signatures[" + std::to_string(i) + "]";
    if (!s.is_object()) {
      return FieldError(origin, field, std::string("is ") + s.type_name(),
                        "an object {\"keyid\", \"sig\"}");
    }
    Envelope::Signature signature;
    PROBITY_ASSIGN_OR_RETURN(signature.sig, Base64Member(s, "sig", field + ".sig", origin));
    if (s.contains("keyid")) {
      PROBITY_ASSIGN_OR_RETURN(const std::string* keyid,
                               StringMember(s, "keyid", field + ".keyid", origin));
      signature.keyid = *keyid;
    }
    envelope.signatures.push_back(std::move(signature));
  }
  return envelope;
}

Result<VerifiedPayload> VerifyEnvelope(const Envelope& envelope,
                                       const std::vector<TrustedKey>& trusted, size_t threshold,
                                       std::optional<TimePoint> at) {
  if (threshold == 0) {
    return InvalidArgumentError("a signature threshold of 0 accepts anything")
        .Expecting("a threshold of at least 1");
  }
  std::vector<const TrustedKey*> usable;
  for (const TrustedKey& key : trusted) {
    if (!at || key.ValidAt(*at)) usable.push_back(&key);
  }
  const std::string pae = Pae(envelope.payload_type, envelope.payload);
  std::vector<std::string> verified;  // distinct key ids
  const auto counted = [&](const std::string& id) {
    return std::find(verified.begin(), verified.end(), id) != verified.end();
  };
  for (const Envelope::Signature& signature : envelope.signatures) {
    const bool hinted = !signature.keyid.empty() &&
                        std::any_of(usable.begin(), usable.end(), [&](const TrustedKey* k) {
                          return k->key.id() == signature.keyid;
                        });
    for (const TrustedKey* key : usable) {
      const std::string& id = key->key.id();
      if ((hinted && id != signature.keyid) || counted(id)) continue;
      if (key->key.Verify(pae, signature.sig)) {
        verified.push_back(id);
        break;  // one signature vouches for one key
      }
    }
  }
  if (verified.size() < threshold) {
    return IntegrityViolationError("the DSSE envelope (payloadType \"" + envelope.payload_type +
                                   "\", " + std::to_string(envelope.signatures.size()) +
                                   " signature(s)) is signed by " +
                                   std::to_string(verified.size()) + " distinct trusted key(s)")
        .Expecting("signatures by at least " + std::to_string(threshold) +
                   " distinct trusted key(s)" + (at ? " valid at " + FormatRfc3339(*at) : ""));
  }
  std::sort(verified.begin(), verified.end());
  return VerifiedPayload{envelope.payload_type, envelope.payload, std::move(verified)};
}

}  // namespace probity::lineage
