// The RFC 9162 (Certificate Transparency v2) Merkle tree that makes the lineage log
// tamper-evident: leaf and node hashing, an O(log n) appender (CompactRange), inclusion and
// consistency proofs generated from any node storage (NodeReader), and strict verifiers.
// Hashing follows RFC 6962 §2.1 exactly: leaf = SHA-256(0x00‖entry), node =
// SHA-256(0x01‖left‖right), no padding (reference/lineage.md §1).
//
//   CompactRange range;
//   for (const std::string& entry : entries) range.Append(LeafHash(entry));
//   MemoryTree tree(leaf_hashes);
//   PROBITY_ASSIGN_OR_RETURN(auto proof, InclusionProof(5, tree.size(), tree));
//   PROBITY_RETURN_IF_ERROR(VerifyInclusion(5, tree.size(), leaf, proof, range.Root()));
//
// Nodes are named (level, index): level 0 holds the leaf hashes, and node (L, i) is the root
// of the perfect subtree over leaves [i·2^L, (i+1)·2^L). Only complete (perfect) subtrees are
// nodes; the hash of a ragged right edge is always computed by folding perfect ones.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/digest.h"
#include "audit/core/result.h"

namespace probity::lineage {

// SHA-256(0x00 ‖ entry). Thread-safe.
Digest LeafHash(std::string_view entry);
// SHA-256(0x01 ‖ left ‖ right). Thread-safe; reuses one hashing context per thread.
Digest NodeHash(const Digest& left, const Digest& right);
// The root of the empty tree: SHA-256("") = e3b0c442…b855.
Digest EmptyRoot();

// The largest tree CompactRange accepts (2^63 leaves), so sizes and levels never overflow.
inline constexpr uint64_t kMaxTreeSize = uint64_t{1} << 63;

// Appends leaf hashes keeping only the roots of the perfect subtrees that make up the tree
// (one per set bit of size(), largest first): O(log n) state, amortised O(1) hashes per leaf
// (reference/lineage.md §1.5). Thread-compatible.
class CompactRange {
 public:
  CompactRange() = default;

  // Resumes a tree of `size` leaves from its perfect-subtree roots, largest first (one per
  // set bit of `size`, as roots() returns them). kInvalidArgument when the count of roots
  // does not match the set bits of `size` or size > kMaxTreeSize.
  static Result<CompactRange> Resume(uint64_t size, std::vector<Digest> roots);

  // Appends one leaf hash (LeafHash(entry), not the entry itself). For every perfect subtree
  // this append completes, calls on_node(int level, uint64_t index, const Digest& hash) with
  // level ≥ 1, lowest level first, so a store can persist the node hashes proofs are served
  // from. Must not be called once size() == kMaxTreeSize (checked: a programmer error).
  template <typename OnNode>
  void Append(const Digest& leaf_hash, OnNode&& on_node);
  void Append(const Digest& leaf_hash) {
    Append(leaf_hash, [](int, uint64_t, const Digest&) {});
  }

  // The tree's root hash (EmptyRoot() when empty). O(log n) hashes.
  Digest Root() const;
  uint64_t size() const { return size_; }
  // The perfect-subtree roots, largest (leftmost) first.
  const std::vector<Digest>& roots() const { return roots_; }

 private:
  uint64_t size_ = 0;
  std::vector<Digest> roots_;
};

// Read access to stored node hashes, whatever keeps them (SQLite, memory, tiles).
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  // The hash of the perfect subtree (level, index); level 0 gives leaf hashes. An error
  // (typically kNotFound) when that node is not stored; proof functions pass it on.
  virtual Result<Digest> Node(int level, uint64_t index) const = 0;
};

// The root of the tree made of the first `size` leaves, by folding its perfect subtrees:
// at most log2(size)+1 reads. EmptyRoot() for size 0.
Result<Digest> RootAt(uint64_t size, const NodeReader& nodes);

// The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1), leaf to
// root. kInvalidArgument when index >= size. O(log n) reads.
Result<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& nodes);

// The proof that the tree of old_size leaves is a prefix of the tree of new_size leaves
// (RFC 9162 §2.1.4.1); empty when the sizes are equal. kInvalidArgument when old_size == 0
// (such a proof is meaningless) or old_size > new_size. O(log n) reads.
Result<std::vector<Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                             const NodeReader& nodes);

// The number of hashes in a valid inclusion proof for `index` < `size`.
size_t InclusionProofSize(uint64_t index, uint64_t size);
// The number of hashes in a valid consistency proof, 0 < old_size <= new_size.
size_t ConsistencyProofSize(uint64_t old_size, uint64_t new_size);

// Verifies an inclusion proof as RFC 9162 §2.1.3.2, after checking the proof has exactly
// InclusionProofSize(index, size) hashes. Hashes are byte strings so wrong lengths can be
// reported. Returns OK when it verifies; kInvalidArgument for malformed input (a hash that
// is not 32 bytes, index >= size); kIntegrityViolation when the proof does not verify (wrong
// number of hashes, or the computed root differs from `root`).
Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash,
                       std::span<const std::string> proof, std::string_view root);
Status VerifyInclusion(uint64_t index, uint64_t size, const Digest& leaf_hash,
                       std::span<const Digest> proof, const Digest& root);

// Verifies a consistency proof as RFC 9162 §2.1.4.2, after checking the proof has exactly
// ConsistencyProofSize(old_size, new_size) hashes. Equal sizes need an empty proof and
// byte-identical roots; nothing is hashed then, so (as in transparency-dev's verifier and its
// conformance vectors) the roots' lengths are not checked in that one case.
// kInvalidArgument for old_size == 0 or, when sizes differ, a hash that is not 32 bytes;
// kIntegrityViolation when new_size < old_size (a log only grows), the proof has the wrong
// length, or either recomputed root differs (the message says which).
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::string_view old_root,
                         std::string_view new_root, std::span<const std::string> proof);
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Digest& old_root,
                         const Digest& new_root, std::span<const Digest> proof);

// A whole tree in memory: every leaf hash and every complete node, for tests, small logs
// and verifiers that rebuild a tree from its records. Thread-compatible.
class MemoryTree : public NodeReader {
 public:
  MemoryTree() = default;
  explicit MemoryTree(std::span<const Digest> leaf_hashes);

  void Append(const Digest& leaf_hash);
  uint64_t size() const { return range_.size(); }
  Digest Root() const { return range_.Root(); }

  // kNotFound when (level, index) is not a complete node of this tree.
  Result<Digest> Node(int level, uint64_t index) const override;

 private:
  CompactRange range_;
  std::vector<std::vector<Digest>> levels_;  // levels_[L][i] = node (L, i)
};

// Implementation of the template above.
template <typename OnNode>
void CompactRange::Append(const Digest& leaf_hash, OnNode&& on_node) {
  PROBITY_CHECK(size_ < kMaxTreeSize);
  Digest hash = leaf_hash;
  int level = 0;
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    hash = NodeHash(roots_.back(), hash);
    roots_.pop_back();
    ++level;
    on_node(level, size_ >> level, hash);
  }
  roots_.push_back(hash);
  ++size_;
}

}  // namespace probity::lineage
