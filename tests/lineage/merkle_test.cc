#include "lineage/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "audit/core/base64.h"

namespace probity::lineage {
namespace {

// ---- An independent reference: RFC 6962 §2.1 written out recursively, hashing with the core
// Sha256Of over concatenated bytes (not the library's hashing path).

std::string Raw(const Digest& d) { return std::string(d.bytes.begin(), d.bytes.end()); }

Digest NaiveLeaf(const std::string& entry) { return Sha256Of(std::string(1, '\0') + entry); }
Digest NaiveNode(const Digest& l, const Digest& r) {
  return Sha256Of(std::string(1, '\1') + Raw(l) + Raw(r));
}

uint64_t SplitPoint(uint64_t n) {  // largest power of two strictly below n (n >= 2)
  return std::bit_floor(n - 1);
}

// MTH(D[begin:end]) over leaf hashes.
Digest NaiveMth(const std::vector<Digest>& leaves, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (n == 0) return Sha256Of("");
  if (n == 1) return leaves[begin];
  const uint64_t k = SplitPoint(n);
  return NaiveNode(NaiveMth(leaves, begin, begin + k), NaiveMth(leaves, begin + k, end));
}

// PATH(m, D[begin:end]).
std::vector<Digest> NaivePath(const std::vector<Digest>& leaves, uint64_t m, uint64_t begin,
                              uint64_t end) {
  const uint64_t n = end - begin;
  if (n == 1) return {};
  const uint64_t k = SplitPoint(n);
  std::vector<Digest> path;
  if (m < k) {
    path = NaivePath(leaves, m, begin, begin + k);
    path.push_back(NaiveMth(leaves, begin + k, end));
  } else {
    path = NaivePath(leaves, m - k, begin + k, end);
    path.push_back(NaiveMth(leaves, begin, begin + k));
  }
  return path;
}

// SUBPROOF(m, D[begin:end], b).
std::vector<Digest> NaiveSubproof(const std::vector<Digest>& leaves, uint64_t m, uint64_t begin,
                                  uint64_t end, bool b) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (b) return {};
    return {NaiveMth(leaves, begin, end)};
  }
  const uint64_t k = SplitPoint(n);
  std::vector<Digest> proof;
  if (m <= k) {
    proof = NaiveSubproof(leaves, m, begin, begin + k, b);
    proof.push_back(NaiveMth(leaves, begin + k, end));
  } else {
    proof = NaiveSubproof(leaves, m - k, begin + k, end, false);
    proof.push_back(NaiveMth(leaves, begin, begin + k));
  }
  return proof;
}

std::vector<Digest> TestLeaves(int n) {
  std::vector<Digest> leaves;
  for (int i = 0; i < n; ++i) leaves.push_back(NaiveLeaf("entry " + std::to_string(i)));
  return leaves;
}

// A NodeReader that counts reads, to check proofs stay O(log n).
class CountingReader : public NodeReader {
 public:
  explicit CountingReader(const NodeReader& inner) : inner_(inner) {}
  Result<Digest> Node(int level, uint64_t index) const override {
    ++reads;
    return inner_.Node(level, index);
  }
  mutable int reads = 0;

 private:
  const NodeReader& inner_;
};

// ---- Hashing and roots against transparency-dev/merkle testonly/constants.go (§1.1).

TEST(MerkleHashTest, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(EmptyRoot().Hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(MerkleHashTest, LeafAndNodeHashMatchNaiveConcatenation) {
  const std::string big(100000, 'x');
  EXPECT_EQ(LeafHash(""), NaiveLeaf(""));
  EXPECT_EQ(LeafHash(big), NaiveLeaf(big));
  EXPECT_EQ(NodeHash(LeafHash("a"), LeafHash("b")), NaiveNode(NaiveLeaf("a"), NaiveLeaf("b")));
}

TEST(CompactRangeTest, RootsOfTheReferenceTree) {
  const std::vector<std::string> inputs = {"",
                                           "00",
                                           "10",
                                           "2021",
                                           "3031",
                                           "40414243",
                                           "5051525354555657",
                                           "606162636465666768696a6b6c6d6e6f"};
  const std::vector<std::string> roots = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  CompactRange range;
  MemoryTree tree;
  EXPECT_EQ(range.Root().Hex(), roots[0]);
  EXPECT_EQ(tree.Root().Hex(), roots[0]);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Digest leaf = LeafHash(*HexDecode(inputs[i]));
    range.Append(leaf);
    tree.Append(leaf);
    EXPECT_EQ(range.size(), i + 1);
    EXPECT_EQ(range.Root().Hex(), roots[i + 1]) << "size " << i + 1;
    EXPECT_EQ(tree.Root().Hex(), roots[i + 1]) << "size " << i + 1;
    auto at = RootAt(i + 1, tree);
    ASSERT_TRUE(at.ok()) << at.status().ToString();
    EXPECT_EQ(at->Hex(), roots[i + 1]) << "size " << i + 1;
  }
}

TEST(CompactRangeTest, CallbackReportsEveryCompleteNodeWithItsNaiveHash) {
  const std::vector<Digest> leaves = TestLeaves(64);
  CompactRange range;
  std::map<std::pair<int, uint64_t>, Digest> reported;
  for (const Digest& leaf : leaves) {
    range.Append(leaf, [&](int level, uint64_t index, const Digest& hash) {
      EXPECT_GE(level, 1);
      EXPECT_TRUE(reported.emplace(std::make_pair(level, index), hash).second)
          << "node (" << level << ", " << index << ") reported twice";
    });
    const uint64_t n = range.size();
    // Exactly the complete nodes of a tree of n leaves, with their naive hashes.
    size_t complete = 0;
    for (int level = 1; (uint64_t{1} << level) <= n; ++level) {
      for (uint64_t i = 0; (i + 1) << level <= n; ++i, ++complete) {
        auto it = reported.find({level, i});
        ASSERT_NE(it, reported.end()) << "node (" << level << ", " << i << ") at size " << n;
        EXPECT_EQ(it->second, NaiveMth(leaves, i << level, (i + 1) << level));
      }
    }
    EXPECT_EQ(reported.size(), complete) << "size " << n;
    EXPECT_EQ(range.roots().size(), static_cast<size_t>(std::popcount(n)));
    EXPECT_EQ(range.Root(), NaiveMth(leaves, 0, n));
  }
}

TEST(CompactRangeTest, ResumesFromItsRoots) {
  const std::vector<Digest> leaves = TestLeaves(45);
  for (uint64_t split = 0; split <= leaves.size(); ++split) {
    CompactRange first;
    for (uint64_t i = 0; i < split; ++i) first.Append(leaves[i]);
    auto resumed = CompactRange::Resume(first.size(), first.roots());
    ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
    for (uint64_t i = split; i < leaves.size(); ++i) resumed->Append(leaves[i]);
    EXPECT_EQ(resumed->Root(), NaiveMth(leaves, 0, leaves.size())) << "split " << split;
  }
}

TEST(CompactRangeTest, ResumeRejectsRootsThatDoNotMatchTheSize) {
  auto wrong = CompactRange::Resume(6, {LeafHash("a")});  // 6 = 0b110 needs two roots
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), StatusCode::kInvalidArgument);
  auto huge = CompactRange::Resume(kMaxTreeSize + 1, std::vector<Digest>(2));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CompactRange::Resume(0, {}).ok());
}

// ---- Proofs: generate → compare with the naive RFC definition → verify, for every n ≤ 64.

TEST(InclusionProofTest, MatchesNaivePathAndVerifiesForAllSizesUpTo64) {
  const std::vector<Digest> leaves = TestLeaves(64);
  MemoryTree tree;
  for (uint64_t n = 1; n <= 64; ++n) {
    tree.Append(leaves[n - 1]);
    const Digest root = NaiveMth(leaves, 0, n);
    for (uint64_t m = 0; m < n; ++m) {
      auto proof = InclusionProof(m, n, tree);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      ASSERT_EQ(*proof, NaivePath(leaves, m, 0, n)) << "m=" << m << " n=" << n;
      EXPECT_EQ(proof->size(), InclusionProofSize(m, n));
      EXPECT_TRUE(VerifyInclusion(m, n, leaves[m], *proof, root).ok()) << m << " " << n;
      // The wrong leaf, or the right leaf at the wrong index, does not verify.
      const Digest other = leaves[(m + 1) % 64];
      EXPECT_EQ(VerifyInclusion(m, n, other, *proof, root).code(), StatusCode::kIntegrityViolation);
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion((m + 1) % n, n, leaves[m], *proof, root).ok());
      }
    }
  }
}

TEST(ConsistencyProofTest, MatchesNaiveProofAndVerifiesForAllSizesUpTo64) {
  const std::vector<Digest> leaves = TestLeaves(64);
  MemoryTree tree(leaves);
  for (uint64_t n = 1; n <= 64; ++n) {
    const Digest new_root = NaiveMth(leaves, 0, n);
    for (uint64_t m = 1; m <= n; ++m) {
      const Digest old_root = NaiveMth(leaves, 0, m);
      auto proof = ConsistencyProof(m, n, tree);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      ASSERT_EQ(*proof, NaiveSubproof(leaves, m, 0, n, true)) << "m=" << m << " n=" << n;
      EXPECT_EQ(proof->size(), ConsistencyProofSize(m, n));
      EXPECT_TRUE(VerifyConsistency(m, n, old_root, new_root, *proof).ok()) << m << " " << n;
      if (m < n) {
        // A different old tree is not a prefix.
        Digest forged = old_root;
        forged.bytes[0] ^= 1;
        EXPECT_EQ(VerifyConsistency(m, n, forged, new_root, *proof).code(),
                  StatusCode::kIntegrityViolation);
        EXPECT_EQ(VerifyConsistency(m, n, old_root, forged, *proof).code(),
                  StatusCode::kIntegrityViolation);
      }
    }
  }
}

TEST(InclusionProofTest, ReadsStayLogarithmic) {
  const std::vector<Digest> leaves = TestLeaves(3000);
  MemoryTree tree(leaves);
  CountingReader reader(tree);
  for (uint64_t n : {1u, 2u, 3u, 1000u, 1023u, 1024u, 1025u, 2999u, 3000u}) {
    const int bound = 2 * std::bit_width(n) + 1;
    for (uint64_t m = 0; m < n; m += 7) {
      reader.reads = 0;
      ASSERT_TRUE(InclusionProof(m, n, reader).ok());
      EXPECT_LE(reader.reads, bound) << "m=" << m << " n=" << n;
      reader.reads = 0;
      ASSERT_TRUE(ConsistencyProof(m + 1, n, reader).ok());
      EXPECT_LE(reader.reads, bound) << "m=" << m + 1 << " n=" << n;
    }
    reader.reads = 0;
    ASSERT_TRUE(RootAt(n, reader).ok());
    EXPECT_LE(reader.reads, std::bit_width(n));
  }
}

// ---- Errors.

TEST(InclusionProofTest, RejectsIndexOutsideTheTree) {
  MemoryTree tree(TestLeaves(4));
  auto proof = InclusionProof(4, 4, tree);
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.error().code(), StatusCode::kInvalidArgument);
}

TEST(InclusionProofTest, PassesOnMissingNodes) {
  MemoryTree tree(TestLeaves(4));
  auto proof = InclusionProof(0, 9, tree);  // the reader only holds 4 leaves
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.error().code(), StatusCode::kNotFound);
}

TEST(ConsistencyProofTest, RejectsEmptyOldTreeAndShrinkingSizes) {
  MemoryTree tree(TestLeaves(4));
  auto from_empty = ConsistencyProof(0, 4, tree);
  ASSERT_FALSE(from_empty.ok());
  EXPECT_EQ(from_empty.error().code(), StatusCode::kInvalidArgument);
  auto shrinking = ConsistencyProof(4, 3, tree);
  ASSERT_FALSE(shrinking.ok());
  EXPECT_EQ(shrinking.error().code(), StatusCode::kInvalidArgument);
  auto same = ConsistencyProof(4, 4, tree);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
}

TEST(VerifyInclusionTest, RejectsHashesThatAreNot32Bytes) {
  const std::vector<Digest> leaves = TestLeaves(5);
  MemoryTree tree(leaves);
  auto proof = InclusionProof(2, 5, tree);
  ASSERT_TRUE(proof.ok());
  std::vector<std::string> bytes;
  for (const Digest& d : *proof) bytes.push_back(Raw(d));
  const std::string root = Raw(tree.Root());
  EXPECT_TRUE(VerifyInclusion(2, 5, Raw(leaves[2]), bytes, root).ok());

  Status short_leaf = VerifyInclusion(2, 5, Raw(leaves[2]).substr(1), bytes, root);
  EXPECT_EQ(short_leaf.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_leaf.message().find("leaf hash is 31 bytes"), std::string::npos)
      << short_leaf.ToString();
  Status long_root = VerifyInclusion(2, 5, Raw(leaves[2]), bytes, root + "x");
  EXPECT_EQ(long_root.code(), StatusCode::kInvalidArgument);
  bytes[1] += "x";
  Status long_hash = VerifyInclusion(2, 5, Raw(leaves[2]), bytes, root);
  EXPECT_EQ(long_hash.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(long_hash.message().find("proof hash 1 is 33 bytes"), std::string::npos)
      << long_hash.ToString();
}

TEST(VerifyInclusionTest, RejectsProofsOfTheWrongLengthBeforeHashing) {
  const std::vector<Digest> leaves = TestLeaves(8);
  MemoryTree tree(leaves);
  auto proof = InclusionProof(3, 8, tree);
  ASSERT_TRUE(proof.ok());
  std::vector<Digest> longer = *proof;
  longer.push_back(tree.Root());
  Status extra = VerifyInclusion(3, 8, leaves[3], longer, tree.Root());
  EXPECT_EQ(extra.code(), StatusCode::kIntegrityViolation);
  EXPECT_EQ(extra.expected(), "3") << extra.ToString();
  std::vector<Digest> shorter(proof->begin(), proof->end() - 1);
  EXPECT_EQ(VerifyInclusion(3, 8, leaves[3], shorter, tree.Root()).code(),
            StatusCode::kIntegrityViolation);
  EXPECT_EQ(VerifyInclusion(8, 8, leaves[3], *proof, tree.Root()).code(),
            StatusCode::kInvalidArgument);
}

TEST(VerifyConsistencyTest, ShrinkingTreeIsAnIntegrityViolation) {
  const std::vector<Digest> leaves = TestLeaves(8);
  MemoryTree tree(leaves);
  Status status = VerifyConsistency(8, 5, tree.Root(), NaiveMth(leaves, 0, 5), {});
  EXPECT_EQ(status.code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(status.message().find("shrank"), std::string::npos) << status.ToString();
}

TEST(VerifyConsistencyTest, EqualSizesNeedEqualRootsAndNoProof) {
  const Digest a = LeafHash("a");
  const Digest b = LeafHash("b");
  EXPECT_TRUE(VerifyConsistency(1, 1, a, a, {}).ok());
  EXPECT_EQ(VerifyConsistency(1, 1, a, b, {}).code(), StatusCode::kIntegrityViolation);
  const std::vector<Digest> one = {a};
  EXPECT_EQ(VerifyConsistency(1, 1, a, a, one).code(), StatusCode::kIntegrityViolation);
}

TEST(VerifyConsistencyTest, SaysWhichRootDiffers) {
  const std::vector<Digest> leaves = TestLeaves(7);
  MemoryTree tree(leaves);
  auto proof = ConsistencyProof(3, 7, tree);
  ASSERT_TRUE(proof.ok());
  const Digest old_root = NaiveMth(leaves, 0, 3);
  Status bad_new = VerifyConsistency(3, 7, old_root, old_root, *proof);
  EXPECT_EQ(bad_new.code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(bad_new.message().find("new root"), std::string::npos) << bad_new.ToString();
  EXPECT_EQ(bad_new.expected(), old_root.Hex());
}

TEST(MemoryTreeTest, ReportsMissingNodes) {
  MemoryTree tree(TestLeaves(5));
  EXPECT_TRUE(tree.Node(2, 0).ok());
  EXPECT_EQ(tree.Node(2, 1).status().code(), StatusCode::kNotFound);  // leaves 4..7 incomplete
  EXPECT_EQ(tree.Node(-1, 0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tree.Node(40, 0).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace probity::lineage
