// Runs every proof vector of transparency-dev/merkle (tests/data/merkle, Apache-2.0; see its
// SOURCES.md) through VerifyInclusion / VerifyConsistency: each must succeed exactly when the
// vector's wantErr is false.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "audit/core/base64.h"
#include "lineage/merkle.h"
#include "tests/testing/test_data.h"

namespace probity::lineage {
namespace {

namespace fs = std::filesystem;

// Every *.json under tests/data/merkle/<kind>, sorted so failures are reported in a stable order.
std::vector<fs::path> VectorFiles(const std::string& kind) {
  std::vector<fs::path> files;
  const fs::path root = testing::TestDataPath("merkle/" + kind);
  if (!fs::is_directory(root)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

// Decodes a base64 field; a field that is not base64 becomes a string no hash can equal
// (length 1), so the verifier rejects it as it would any wrong-length hash.
std::string Bytes(const nlohmann::json& field) {
  std::optional<std::string> bytes = Base64Decode(field.get<std::string>());
  return bytes ? *bytes : std::string("?");
}

std::vector<std::string> Proof(const nlohmann::json& field) {
  std::vector<std::string> proof;
  if (field.is_null()) return proof;
  for (const auto& hash : field) proof.push_back(Bytes(hash));
  return proof;
}

// Checks every vector of `kind` with `verify`: each must fail exactly when wantErr is true.
template <typename Verify>
void RunVectors(const std::string& kind, size_t expected_count, Verify verify) {
  const std::vector<fs::path> files = VectorFiles(kind);
  ASSERT_FALSE(files.empty()) << "no vectors found under " << testing::TestDataPath("merkle/")
                              << kind;
  size_t agreed = 0;
  for (const fs::path& file : files) {
    const nlohmann::json vector = ReadJson(file);
    const Status status = verify(vector);
    const bool want_error = vector.at("wantErr").get<bool>();
    if (status.ok() != want_error) {
      ++agreed;
    } else {
      ADD_FAILURE() << file << " (" << vector.value("desc", "") << "): expected "
                    << (want_error ? "an error" : "success") << ", got "
                    << (status.ok() ? "success" : status.ToString());
    }
  }
  std::cout << kind << ": " << agreed << "/" << files.size() << " vectors agree\n";
  EXPECT_EQ(agreed, files.size());
  // The upstream snapshot holds this many; fewer means files went missing in the copy.
  EXPECT_EQ(files.size(), expected_count);
}

TEST(MerkleConformanceTest, InclusionVectors) {
  RunVectors("inclusion", 98, [](const nlohmann::json& v) {
    return VerifyInclusion(v.at("leafIdx").get<uint64_t>(), v.at("treeSize").get<uint64_t>(),
                           Bytes(v.at("leafHash")), Proof(v.at("proof")), Bytes(v.at("root")));
  });
}

TEST(MerkleConformanceTest, ConsistencyVectors) {
  RunVectors("consistency", 98, [](const nlohmann::json& v) {
    return VerifyConsistency(v.at("size1").get<uint64_t>(), v.at("size2").get<uint64_t>(),
                             Bytes(v.at("root1")), Bytes(v.at("root2")), Proof(v.at("proof")));
  });
}

// The two strictness rules of reference/lineage.md §1.4, with the specific error each gives.
TEST(MerkleConformanceTest, EmptyRootAndLeafRejectedAsMalformed) {
  const nlohmann::json v =
      ReadJson(testing::TestDataPath("merkle/inclusion/single-entry/empty-root-and-leaf.json"));
  const Status status =
      VerifyInclusion(0, 1, Bytes(v.at("leafHash")), Proof(v.at("proof")), Bytes(v.at("root")));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
}

TEST(MerkleConformanceTest, ConsistencyFromEmptyTreeRejected) {
  const nlohmann::json v = ReadJson(testing::TestDataPath(
      "merkle/consistency/additional/sizes-are-equal-zero-and-proof-is-empty.json"));
  EXPECT_EQ(v.at("size1").get<uint64_t>(), 0u);
  // With well-formed 32-byte roots, so the size rule alone decides.
  const Status status = VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), {});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("empty tree"), std::string::npos) << status.ToString();
}

}  // namespace
}  // namespace probity::lineage
