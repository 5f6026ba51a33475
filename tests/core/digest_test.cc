#include "audit/core/digest.h"

#include <gtest/gtest.h>

#include "audit/core/artifact.h"
#include "audit/core/clock.h"
#include "audit/core/file_system.h"

namespace probity {
namespace {

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf" example values).
TEST(Sha256Test, MatchesFipsExamples) {
  EXPECT_EQ(Sha256Of("abc").Hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Of("").Hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").Hex(),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  std::string million(1000000, 'a');
  Sha256 h;
  for (size_t i = 0; i < million.size(); i += 4096)
    h.Update(std::string_view(million).substr(i, 4096));
  EXPECT_EQ(h.Finish().Hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Finish resets the hasher.
  h.Update("abc");
  EXPECT_EQ(h.Finish(), Sha256Of("abc"));
}

TEST(DigestTest, ParsesItsOwnFormatOnly) {
  Digest d = Sha256Of("abc");
  Result<Digest> back = Digest::Parse(d.ToString());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, d);
  for (std::string bad :
       {std::string("abc"), "sha256:" + d.Hex().substr(1), "sha1:" + d.Hex(),
        "sha256:" + std::string(63, 'a') + "G", "sha256:" + std::string(64, 'A')}) {
    Result<Digest> r = Digest::Parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  }
}

TEST(ArtifactTest, DescribesAFileByStreaming) {
  MemoryFileSystem fs;
  fs.AddFile("data/german.csv", "abc");
  Result<Artifact> a = DescribeFile(fs, "data/german.csv", ArtifactKind::kDataset);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->digest, Sha256Of("abc"));
  EXPECT_EQ(a->size_bytes, 3);
  EXPECT_EQ(a->media_type, "text/csv");
  EXPECT_EQ(a->uri, "data/german.csv");
  EXPECT_EQ(ArtifactKindName(a->kind), "dataset");
  Result<Artifact> missing = DescribeFile(fs, "nope.csv", ArtifactKind::kDataset);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.error().location().file, "nope.csv");
}

TEST(ArtifactTest, MediaTypesAndKinds) {
  EXPECT_EQ(MediaTypeForPath("x.csv.gz"), "application/gzip");
  EXPECT_EQ(MediaTypeForPath("x.jsonl"), "application/jsonl");
  EXPECT_EQ(MediaTypeForPath("x.bin"), "application/octet-stream");
  EXPECT_EQ(ParseArtifactKind("model"), ArtifactKind::kModel);
  EXPECT_EQ(ParseArtifactKind("weights"), std::nullopt);
}

TEST(ClockTest, FixedClockAndFormatting) {
  FixedClock clock(TimePoint(std::chrono::seconds(1764354089)));
  EXPECT_EQ(FormatRfc3339(clock.Now()), "2025-11-28T18:21:29Z");
  Result<TimePoint> t = ParseEpochSeconds("0");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatRfc3339(*t), "1970-01-01T00:00:00Z");
  for (const char* bad : {"", "-1", "12x", "1.5"}) {
    Result<TimePoint> r = ParseEpochSeconds(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  }
}

TEST(FileSystemTest, MemoryFileSystemInjectsReadFaults) {
  MemoryFileSystem fs;
  fs.AddFile("a", std::string(100, 'x'));
  fs.FailReadsAfter(40);
  auto in = fs.OpenForRead("a");
  ASSERT_TRUE(in.has_value());
  char buffer[64];
  Result<size_t> first = (*in)->Read(buffer);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 40u);
  Result<size_t> second = (*in)->Read(buffer);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), StatusCode::kIoError);
}

TEST(FileSystemTest, WritesAreAtomic) {
  MemoryFileSystem fs;
  fs.FailCommits(true);
  Status s = fs.WriteFileAtomically("out.json", "{}");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(fs.Contents("out.json"), std::nullopt);
  fs.FailCommits(false);
  ASSERT_TRUE(fs.WriteFileAtomically("out.json", "{}").ok());
  EXPECT_EQ(fs.Contents("out.json"), "{}");
}

TEST(FileSystemTest, LocalFileSystemRoundTripAndErrors) {
  FileSystem& fs = LocalFileSystem();
  std::string dir = ::testing::TempDir() + "/probity_fs_test";
  ASSERT_TRUE(fs.CreateDirectories(dir + "/sub").ok());
  std::string path = dir + "/sub/file.txt";
  ASSERT_TRUE(fs.WriteFileAtomically(path, "hello").ok());
  Result<std::string> back = fs.ReadSmallFile(path);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, "hello");
  Result<std::string> too_big = fs.ReadSmallFile(path, 2);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().code(), StatusCode::kInvalidArgument);
  auto missing = fs.OpenForRead(dir + "/none");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  auto directory = fs.OpenForRead(dir);
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(directory.error().message(), "cannot open file: Is a directory");
}

}  // namespace
}  // namespace probity
