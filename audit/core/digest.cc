#include "audit/core/digest.h"

#include <openssl/evp.h>

#include "audit/core/check.h"

namespace probity {

struct Sha256::Context {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  context_->ctx = EVP_MD_CTX_new();
  PROBITY_CHECK(context_->ctx != nullptr);
  PROBITY_CHECK(EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) == 1);
}

Sha256::~Sha256() {
  if (context_ != nullptr) EVP_MD_CTX_free(context_->ctx);
}

Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    if (context_ != nullptr) EVP_MD_CTX_free(context_->ctx);
    context_ = std::move(other.context_);
  }
  return *this;
}

void Sha256::Update(std::string_view bytes) {
  PROBITY_CHECK(EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size()) == 1);
}

Digest Sha256::Finish() {
  Digest d;
  unsigned int length = 0;
  PROBITY_CHECK(EVP_DigestFinal_ex(context_->ctx, d.bytes.data(), &length) == 1);
  PROBITY_CHECK(length == d.bytes.size());
  PROBITY_CHECK(EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) == 1);
  return d;
}

Digest Sha256Of(std::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.Finish();
}

std::string Digest::Hex() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Result<Digest> Digest::Parse(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  auto bad = [&] {
    return InvalidArgumentError("malformed digest \"" + std::string(text) + "\"")
        .Expecting("\"sha256:\" followed by 64 lower-case hex digits");
  };
  if (!text.starts_with(kPrefix) || text.size() != kPrefix.size() + 64) return bad();
  Digest d;
  for (size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (size_t k = 0; k < 2; ++k) {
      char c = text[kPrefix.size() + 2 * i + k];
      int nibble = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (nibble < 0) return bad();
      v = v * 16 + nibble;
    }
    d.bytes[i] = static_cast<uint8_t>(v);
  }
  return d;
}

}  // namespace probity
