#include "lineage/merkle.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "audit/core/base64.h"
#include "audit/core/check.h"

namespace probity::lineage {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// One SHA-256 implementation fetched once, and one context per thread reused for every hash:
// creating a context per hash (what OpenSSL 3's one-shot SHA256() does) costs more than the
// 65-byte compression itself, and node hashing is on the append and verify hot paths.
const EVP_MD* Sha256Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  PROBITY_CHECK(md != nullptr);
  return md;
}

class ThreadHasher {
 public:
  ThreadHasher() : ctx_(EVP_MD_CTX_new()) { PROBITY_CHECK(ctx_ != nullptr); }
  ~ThreadHasher() { EVP_MD_CTX_free(ctx_); }
  ThreadHasher(const ThreadHasher&) = delete;
  ThreadHasher& operator=(const ThreadHasher&) = delete;

  Digest Hash(std::string_view first, std::string_view second) {
    PROBITY_CHECK(EVP_DigestInit_ex2(ctx_, Sha256Md(), nullptr) == 1);
    PROBITY_CHECK(EVP_DigestUpdate(ctx_, first.data(), first.size()) == 1);
    PROBITY_CHECK(EVP_DigestUpdate(ctx_, second.data(), second.size()) == 1);
    Digest digest;
    unsigned int length = 0;
    PROBITY_CHECK(EVP_DigestFinal_ex(ctx_, digest.bytes.data(), &length) == 1 && length == 32);
    return digest;
  }

 private:
  EVP_MD_CTX* ctx_;
};

Digest HashTwo(std::string_view first, std::string_view second) {
  thread_local ThreadHasher hasher;
  return hasher.Hash(first, second);
}

// The hash of the leaves [begin, end) when begin is a multiple of a power of two larger than
// end - begin (true of every range a proof needs): the range splits into perfect subtrees,
// one per set bit of its size, largest first, folded from the right like an RFC 6962 MTH.
Result<Digest> RangeHash(uint64_t begin, uint64_t end, const NodeReader& nodes) {
  std::array<Digest, 64> parts;
  int count = 0;
  for (uint64_t rest = end - begin; rest != 0; ++count) {
    const int level = std::bit_width(rest) - 1;
    PROBITY_ASSIGN_OR_RETURN(parts[count], nodes.Node(level, begin >> level));
    begin += uint64_t{1} << level;
    rest -= uint64_t{1} << level;
  }
  Digest hash = parts[count - 1];
  for (int i = count - 2; i >= 0; --i) hash = NodeHash(parts[i], hash);
  return hash;
}

// Appends to `out` the path from the complete node (level, index) to the root of the tree of
// `size` leaves: first the siblings below the level where the node's path and the last leaf's
// path meet (the one at that level may be a ragged right edge, hashed by RangeHash), then the
// left siblings along the right border. With level 0 this is RFC 9162 PATH(index, D[size]).
Status AppendPath(int level, uint64_t index, uint64_t size, const NodeReader& nodes,
                  std::vector<Digest>& out) {
  const uint64_t last = (size - 1) >> level;
  const int inner = std::bit_width(index ^ last);
  for (int i = 0; i < inner; ++i) {
    const int node_level = level + i;
    const uint64_t sibling = (index >> i) ^ 1;
    const uint64_t begin = sibling << node_level;
    const uint64_t width = uint64_t{1} << node_level;
    if (size - begin >= width) {
      PROBITY_ASSIGN_OR_RETURN(Digest hash, nodes.Node(node_level, sibling));
      out.push_back(hash);
    } else {
      PROBITY_ASSIGN_OR_RETURN(Digest hash, RangeHash(begin, size, nodes));
      out.push_back(hash);
    }
  }
  for (int i = inner; i < 64 && (index >> i) != 0; ++i) {
    if (((index >> i) & 1) == 0) continue;
    PROBITY_ASSIGN_OR_RETURN(Digest hash, nodes.Node(level + i, (index >> i) ^ 1));
    out.push_back(hash);
  }
  return OkStatus();
}

std::string SizeWord(uint64_t n) { return std::to_string(n) + (n == 1 ? " leaf" : " leaves"); }

Status WrongLength(std::string_view what, size_t length) {
  return InvalidArgumentError(std::string(what) + " is " + std::to_string(length) + " bytes")
      .Expecting("a 32-byte SHA-256 hash");
}

Result<Digest> ToDigest(std::string_view what, std::string_view bytes) {
  if (bytes.size() != 32) return WrongLength(what, bytes.size());
  Digest digest;
  std::memcpy(digest.bytes.data(), bytes.data(), 32);
  return digest;
}

Result<std::vector<Digest>> ToDigests(std::span<const std::string> proof) {
  std::vector<Digest> digests;
  digests.reserve(proof.size());
  for (size_t i = 0; i < proof.size(); ++i) {
    PROBITY_ASSIGN_OR_RETURN(Digest digest, ToDigest("proof hash " + std::to_string(i), proof[i]));
    digests.push_back(digest);
  }
  return digests;
}

Status RootMismatch(std::string_view which, const Digest& computed, const Digest& expected) {
  return IntegrityViolationError(std::string(which) + " computed from the proof is " +
                                 computed.Hex())
      .Expecting(expected.Hex());
}

std::string_view Raw(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.bytes.data()), digest.bytes.size()};
}

Status WrongConsistencyProofSize(uint64_t old_size, uint64_t new_size, size_t count) {
  return IntegrityViolationError("the consistency proof from " + SizeWord(old_size) + " to " +
                                 std::to_string(new_size) + " has " + std::to_string(count) +
                                 " hashes")
      .Expecting(std::to_string(ConsistencyProofSize(old_size, new_size)));
}

// Two trees of the same size are consistent exactly when their roots are the same bytes and
// the proof is empty (RFC 9162 §2.1.4.2). Nothing is hashed, so, as in transparency-dev's
// verifier (and its vector sizes-are-equal-one-and-proof-is-empty), root lengths are not
// checked here: checkpoints are parsed with 32-byte roots before they get this far.
Status CheckEqualTrees(uint64_t size, std::string_view old_root, std::string_view new_root,
                       size_t proof_size) {
  if (proof_size != 0) return WrongConsistencyProofSize(size, size, proof_size);
  if (old_root != new_root) {
    return IntegrityViolationError("two trees of " + SizeWord(size) + " have different roots " +
                                   HexEncode(old_root) + " and " + HexEncode(new_root));
  }
  return OkStatus();
}

// Right-shifts fn and sn together while fn is even and non-zero (RFC 9162 §2.1.3.2 step 3b).
void ShiftWhileEven(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Digest LeafHash(std::string_view entry) {
  const char prefix = static_cast<char>(kLeafPrefix);
  return HashTwo(std::string_view(&prefix, 1), entry);
}

Digest NodeHash(const Digest& left, const Digest& right) {
  std::array<char, 65> buffer;
  buffer[0] = static_cast<char>(kNodePrefix);
  std::memcpy(buffer.data() + 1, left.bytes.data(), 32);
  std::memcpy(buffer.data() + 33, right.bytes.data(), 32);
  return HashTwo(std::string_view(buffer.data(), buffer.size()), {});
}

Digest EmptyRoot() { return HashTwo({}, {}); }

Result<CompactRange> CompactRange::Resume(uint64_t size, std::vector<Digest> roots) {
  if (size > kMaxTreeSize) {
    return InvalidArgumentError("tree size " + std::to_string(size) + " is too large")
        .Expecting("at most 2^63 leaves");
  }
  const auto want = static_cast<size_t>(std::popcount(size));
  if (roots.size() != want) {
    return InvalidArgumentError("a tree of " + SizeWord(size) + " was given " +
                                std::to_string(roots.size()) + " subtree roots")
        .Expecting(std::to_string(want) + " (one per set bit of the size)");
  }
  CompactRange range;
  range.size_ = size;
  range.roots_ = std::move(roots);
  return range;
}

Digest CompactRange::Root() const {
  if (roots_.empty()) return EmptyRoot();
  Digest hash = roots_.back();
  for (size_t i = roots_.size() - 1; i-- > 0;) hash = NodeHash(roots_[i], hash);
  return hash;
}

Result<Digest> RootAt(uint64_t size, const NodeReader& nodes) {
  if (size == 0) return EmptyRoot();
  return RangeHash(0, size, nodes);
}

Result<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& nodes) {
  if (index >= size) {
    return InvalidArgumentError("no leaf " + std::to_string(index) + " in a tree of " +
                                SizeWord(size))
        .Expecting("a leaf index below the tree size");
  }
  std::vector<Digest> proof;
  proof.reserve(InclusionProofSize(index, size));
  PROBITY_RETURN_IF_ERROR(AppendPath(0, index, size, nodes, proof));
  return proof;
}

Result<std::vector<Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                             const NodeReader& nodes) {
  if (old_size == 0) {
    return InvalidArgumentError("a consistency proof from the empty tree is meaningless")
        .Expecting("an old size of at least 1");
  }
  if (old_size > new_size) {
    return InvalidArgumentError("old size " + std::to_string(old_size) +
                                " is larger than the new size " + std::to_string(new_size))
        .Expecting("old size <= new size");
  }
  std::vector<Digest> proof;
  if (old_size == new_size) return proof;
  proof.reserve(ConsistencyProofSize(old_size, new_size));
  // The old tree's last perfect subtree, then its path up to the new root (RFC 9162
  // SUBPROOF); the subtree itself is left out when it is the whole old tree, whose root the
  // verifier already has.
  const int level = std::countr_zero(old_size);
  const uint64_t index = (old_size - 1) >> level;
  if (index != 0) {
    PROBITY_ASSIGN_OR_RETURN(Digest hash, nodes.Node(level, index));
    proof.push_back(hash);
  }
  PROBITY_RETURN_IF_ERROR(AppendPath(level, index, new_size, nodes, proof));
  return proof;
}

size_t InclusionProofSize(uint64_t index, uint64_t size) {
  const int inner = std::bit_width(index ^ (size - 1));
  const uint64_t above = inner >= 64 ? 0 : index >> inner;
  return static_cast<size_t>(inner + std::popcount(above));
}

size_t ConsistencyProofSize(uint64_t old_size, uint64_t new_size) {
  if (old_size == new_size) return 0;
  const int shift = std::countr_zero(old_size);
  const bool power_of_two = (old_size & (old_size - 1)) == 0;
  return InclusionProofSize(old_size - 1, new_size) - static_cast<size_t>(shift) +
         (power_of_two ? 0 : 1);
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                       std::span<const Digest> proof, const Digest& root) {
  if (index >= size) {
    return InvalidArgumentError("leaf index " + std::to_string(index) + " is outside a tree of " +
                                SizeWord(size))
        .Expecting("a leaf index below the tree size");
  }
  const size_t want = InclusionProofSize(index, size);
  if (proof.size() != want) {
    return IntegrityViolationError("the inclusion proof for leaf " + std::to_string(index) +
                                   " in a tree of " + SizeWord(size) + " has " +
                                   std::to_string(proof.size()) + " hashes")
        .Expecting(std::to_string(want));
  }
  // RFC 9162 §2.1.3.2.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Digest r = leaf_hash;
  for (const Digest& p : proof) {
    if (sn == 0) return IntegrityViolationError("the inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      ShiftWhileEven(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return IntegrityViolationError("the inclusion proof is too short");
  if (r != root) return RootMismatch("the root", r, root);
  return OkStatus();
}

Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash,
                       std::span<const std::string> proof, std::string_view root) {
  PROBITY_ASSIGN_OR_RETURN(Digest leaf, ToDigest("the leaf hash", leaf_hash));
  PROBITY_ASSIGN_OR_RETURN(Digest root_digest, ToDigest("the root hash", root));
  PROBITY_ASSIGN_OR_RETURN(std::vector<Digest> hashes, ToDigests(proof));
  return VerifyInclusion(index, size, leaf, hashes, root_digest);
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                         const Digest& new_root, std::span<const Digest> proof) {
  if (old_size == 0) {
    return InvalidArgumentError("a consistency proof from the empty tree is meaningless")
        .Expecting("an old size of at least 1");
  }
  if (new_size < old_size) {
    return IntegrityViolationError("the tree shrank from " + SizeWord(old_size) + " to " +
                                   std::to_string(new_size))
        .Expecting("a new size of at least " + std::to_string(old_size) + " (a log only grows)");
  }
  if (old_size == new_size) {
    return CheckEqualTrees(old_size, Raw(old_root), Raw(new_root), proof.size());
  }
  const size_t want = ConsistencyProofSize(old_size, new_size);
  if (proof.size() != want) return WrongConsistencyProofSize(old_size, new_size, proof.size());
  // RFC 9162 §2.1.4.2; when old_size is a power of two, old_root is the path's first element.
  const bool power_of_two = (old_size & (old_size - 1)) == 0;
  const Digest& seed = power_of_two ? old_root : proof[0];
  const std::span<const Digest> rest = power_of_two ? proof : proof.subspan(1);
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr = seed;
  Digest sr = seed;
  for (const Digest& c : rest) {
    if (sn == 0) return IntegrityViolationError("the consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftWhileEven(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return IntegrityViolationError("the consistency proof is too short");
  if (fr != old_root) return RootMismatch("the old root", fr, old_root);
  if (sr != new_root) return RootMismatch("the new root", sr, new_root);
  return OkStatus();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::string_view old_root,
                         std::string_view new_root, std::span<const std::string> proof) {
  if (old_size != 0 && old_size == new_size) {
    return CheckEqualTrees(old_size, old_root, new_root, proof.size());
  }
  PROBITY_ASSIGN_OR_RETURN(Digest old_digest, ToDigest("the old root hash", old_root));
  PROBITY_ASSIGN_OR_RETURN(Digest new_digest, ToDigest("the new root hash", new_root));
  PROBITY_ASSIGN_OR_RETURN(std::vector<Digest> hashes, ToDigests(proof));
  return VerifyConsistency(old_size, new_size, old_digest, new_digest, hashes);
}

MemoryTree::MemoryTree(std::span<const Digest> leaf_hashes) {
  for (const Digest& leaf : leaf_hashes) Append(leaf);
}

void MemoryTree::Append(const Digest& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  range_.Append(leaf_hash, [this](int level, uint64_t, const Digest& hash) {
    if (levels_.size() <= static_cast<size_t>(level)) levels_.emplace_back();
    levels_[level].push_back(hash);
  });
}

Result<Digest> MemoryTree::Node(int level, uint64_t index) const {
  if (level < 0 || static_cast<size_t>(level) >= levels_.size() || index >= levels_[level].size()) {
    return NotFoundError("no node (level " + std::to_string(level) + ", index " +
                         std::to_string(index) + ") in a tree of " + SizeWord(size()));
  }
  return levels_[level][index];
}

}  // namespace probity::lineage
