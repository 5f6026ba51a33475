#include "lineage/keys.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "audit/core/base64.h"
#include "audit/core/digest.h"

namespace probity::lineage {

struct PublicKey::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

BioPtr MemoryBio(std::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), &BIO_free);
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

// The algorithm of a key OpenSSL parsed, or nullopt for one Probity does not verify.
std::optional<KeyAlgorithm> AlgorithmOf(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyAlgorithm::kEd25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof(group), &length) == 1 &&
        std::string_view(group) == "prime256v1") {
      return KeyAlgorithm::kEcdsaP256;
    }
  }
  return std::nullopt;
}

class EvpSigner final : public Signer {
 public:
  EvpSigner(PkeyPtr pkey, PublicKey public_key)
      : pkey_(std::move(pkey)), public_key_(std::move(public_key)) {}
  const PublicKey& public_key() const override { return public_key_; }
  Result<std::string> Sign(std::string_view message) const override {
    MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::string signature(64, '\0');
    size_t length = signature.size();
    if (ctx == nullptr ||
        EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
      return InternalError("Ed25519 signing failed in OpenSSL");
    }
    signature.resize(length);
    return signature;
  }
  EVP_PKEY* pkey() const { return pkey_.get(); }

 private:
  PkeyPtr pkey_;
  PublicKey public_key_;
};

Result<std::unique_ptr<Signer>> SignerFromKey(PkeyPtr pkey, std::string_view origin) {
  if (!EVP_PKEY_is_a(pkey.get(), "ED25519")) {
    return InvalidArgumentError("the private key is not an Ed25519 key")
        .At({std::string(origin)})
        .Expecting("an Ed25519 PKCS#8 private key (probity key generate)");
  }
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(pkey.get(), &der);
  if (n <= 0) return InternalError("cannot encode the public key");
  std::string der_bytes(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  PROBITY_ASSIGN_OR_RETURN(PublicKey public_key, PublicKey::FromDer(der_bytes, origin));
  return std::unique_ptr<Signer>(new EvpSigner(std::move(pkey), std::move(public_key)));
}

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

std::string_view KeyAlgorithmName(KeyAlgorithm algorithm) {
  return algorithm == KeyAlgorithm::kEd25519 ? "ed25519" : "ecdsa-p256";
}

Result<PublicKey> PublicKey::FromDer(std::string_view der, std::string_view origin) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (pkey == nullptr || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    EVP_PKEY_free(pkey);
    return InvalidArgumentError("not a DER SubjectPublicKeyInfo")
        .At({std::string(origin)})
        .Expecting("an Ed25519 or ECDSA P-256 public key");
  }
  auto key = std::make_shared<Key>();
  key->pkey = pkey;
  const std::optional<KeyAlgorithm> algorithm = AlgorithmOf(pkey);
  if (!algorithm) {
    return UnimplementedError("unsupported public key algorithm")
        .At({std::string(origin)})
        .Expecting("an Ed25519 or ECDSA P-256 public key");
  }
  PublicKey out;
  out.key_ = std::move(key);
  out.algorithm_ = *algorithm;
  out.der_ = std::string(der);
  out.id_ = Sha256Of(der).Hex();
  return out;
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem, std::string_view origin) {
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    return InvalidArgumentError("not a PEM public key")
        .At({std::string(origin)})
        .Expecting("a \"-----BEGIN PUBLIC KEY-----\" block");
  }
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(pkey, &der);
  EVP_PKEY_free(pkey);
  if (n <= 0) return InternalError("cannot encode the public key");
  std::string der_bytes(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return FromDer(der_bytes, origin);
}

Result<PublicKey> PublicKey::FromRawEd25519(std::string_view raw) {
  if (raw.size() != 32) {
    return InvalidArgumentError("an Ed25519 public key of " + std::to_string(raw.size()) +
                                " bytes")
        .Expecting("32 bytes");
  }
  // SPKI DER for Ed25519 is a fixed 12-byte prefix followed by the raw key (RFC 8410).
  static constexpr char kPrefix[] = "\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00";
  std::string der(kPrefix, 12);
  der.append(raw);
  return FromDer(der, "Ed25519 key");
}

std::string PublicKey::RawEd25519() const {
  if (algorithm_ != KeyAlgorithm::kEd25519) return {};
  return der_.substr(12);
}

std::string PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key_->pkey);
  return BioContents(bio.get());
}

bool PublicKey::Verify(std::string_view message, std::string_view signature) const {
  if (key_ == nullptr) return false;
  if (algorithm_ == KeyAlgorithm::kEd25519 && signature.size() != 64) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (ctx == nullptr) return false;
  const EVP_MD* md = algorithm_ == KeyAlgorithm::kEd25519 ? nullptr : EVP_sha256();
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key_->pkey) != 1) return false;
  // Only 1 means valid; 0 and negative values both reject.
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

Result<std::unique_ptr<Signer>> GenerateEd25519Signer() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (pkey == nullptr) return InternalError("Ed25519 key generation failed in OpenSSL");
  return SignerFromKey(PkeyPtr(pkey, &EVP_PKEY_free), "generated key");
}

Result<std::unique_ptr<Signer>> LoadSigner(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    return FailedPreconditionError("cannot read the signing key: " + ErrnoText())
        .At({path})
        .Expecting("a key made by `probity key generate`");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return FailedPreconditionError(std::string("the signing key is readable by others (mode ") +
                                   mode + "); refusing to sign with it")
        .At({path})
        .Expecting("mode 0600 (chmod 600 " + path + ")");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return IoError("cannot read the signing key").At({path});
  const std::string pem = text.str();
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    return InvalidArgumentError("not a PEM private key")
        .At({path})
        .Expecting("a \"-----BEGIN PRIVATE KEY-----\" block (PKCS#8)");
  }
  return SignerFromKey(PkeyPtr(pkey, &EVP_PKEY_free), path);
}

Status WriteKeyPair(const Signer& signer, const std::string& key_path) {
  const auto* evp = dynamic_cast<const EvpSigner*>(&signer);
  if (evp == nullptr) return InternalError("this signer's private key cannot be exported");
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (PEM_write_bio_PrivateKey(bio.get(), evp->pkey(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return InternalError("cannot encode the private key");
  }
  const std::string pem = BioContents(bio.get());
  const int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return (errno == EEXIST ? FailedPreconditionError("a key already exists here")
                            : IoError("cannot create the key file: " + ErrnoText()))
        .At({key_path});
  }
  const bool written = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    ::unlink(key_path.c_str());
    return IoError("cannot write the key file: " + ErrnoText()).At({key_path});
  }
  const std::string pub_path = key_path + ".pub";
  std::ofstream pub(pub_path, std::ios::binary | std::ios::trunc);
  pub << signer.public_key().ToPem();
  pub.close();
  if (!pub) return IoError("cannot write the public key").At({pub_path});
  return OkStatus();
}

}  // namespace probity::lineage
