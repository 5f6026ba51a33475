#include "audit/ingest/byte_source.h"

#include <gtest/gtest.h>

#include "audit/ingest/dataset_reader.h"
#include "tests/testing/test_data.h"

namespace probity::ingest {
namespace {

using probity::testing::TestDataPath;

std::string ReadAll(ByteSource& source) {
  std::string out;
  char buffer[7];  // small reads exercise the buffering
  while (true) {
    Result<size_t> n = source.Read(buffer);
    EXPECT_TRUE(n.has_value());
    if (!n.has_value() || *n == 0) break;
    out.append(buffer, *n);
  }
  return out;
}

TEST(ByteSourceTest, DecompressesEveryFormatByMagicBytes) {
  auto plain = LocalFileSystem().ReadSmallFile(TestDataPath("compressed/sample.csv"));
  ASSERT_TRUE(plain.has_value());
  struct Case {
    const char* file;
    Compression compression;
  };
  for (Case c :
       {Case{"sample.csv", Compression::kNone}, Case{"sample.csv.gz", Compression::kGzip},
        Case{"sample.csv.bz2", Compression::kBzip2}, Case{"sample.csv.xz", Compression::kXz},
        Case{"sample.csv.zst", Compression::kZstd}}) {
    std::string path = TestDataPath(std::string("compressed/") + c.file);
    auto source = ByteSource::Open(LocalFileSystem(), path);
    ASSERT_TRUE(source.has_value()) << c.file;
    EXPECT_EQ((*source)->compression(), c.compression) << c.file;
    EXPECT_EQ(ReadAll(**source), *plain) << c.file;
    // The digest is of the stored bytes, as sha256sum would compute it.
    Result<Digest> digest = (*source)->FinishDigest();
    ASSERT_TRUE(digest.has_value());
    auto stored = LocalFileSystem().ReadSmallFile(path);
    EXPECT_EQ(*digest, Sha256Of(*stored)) << c.file;
  }
}

TEST(ByteSourceTest, DetectionLooksAtContentNotNames) {
  EXPECT_EQ(DetectCompression("\x1f\x8b\x08"), Compression::kGzip);
  EXPECT_EQ(DetectCompression("BZh9"), Compression::kBzip2);
  EXPECT_EQ(DetectCompression("BZh,Name"), Compression::kNone);  // a CSV can start with "BZh"
  EXPECT_EQ(DetectCompression(std::string_view("\xfd"
                                               "7zXZ\0",
                                               6)),
            Compression::kXz);
  EXPECT_EQ(DetectCompression("\x28\xb5\x2f\xfd"), Compression::kZstd);
  EXPECT_EQ(DetectCompression("id,score"), Compression::kNone);
  EXPECT_EQ(DetectCompression(""), Compression::kNone);
}

TEST(ByteSourceTest, TruncatedStreamIsBadInput) {
  ScanOptions options;
  Result<Table> t =
      ReadTable(LocalFileSystem(), TestDataPath("compressed/truncated.csv.gz"), {}, options);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.error().message().find("cannot decompress gzip data"), std::string::npos)
      << t.error().ToString();
  EXPECT_EQ(t.error().location().file, TestDataPath("compressed/truncated.csv.gz"));
}

TEST(ByteSourceTest, GzipChecksumMismatchIsBadInput) {
  Result<Table> t = ReadTable(LocalFileSystem(), TestDataPath("compressed/bad-crc.csv.gz"), {}, {});
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.error().ToString(),
            TestDataPath("compressed/bad-crc.csv.gz") +
                ": cannot decompress gzip data: incorrect data check; expected a "
                "complete, uncorrupted gzip stream");
}

TEST(ByteSourceTest, ConcatenatedGzipMembersReadAsOneFile) {
  Result<Table> t =
      ReadTable(LocalFileSystem(), TestDataPath("compressed/two-members.csv.gz"), {}, {});
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  EXPECT_EQ(t->num_rows(), 2);
  EXPECT_EQ(t->column(0).int64s()[1], 3);
}

TEST(ByteSourceTest, CompressedFilesReadLikePlainOnes) {
  for (const char* file :
       {"sample.csv", "sample.csv.gz", "sample.csv.bz2", "sample.csv.xz", "sample.csv.zst"}) {
    ScanSummary summary;
    Result<Table> t = ReadTable(LocalFileSystem(), TestDataPath(std::string("compressed/") + file),
                                {}, {}, &summary);
    ASSERT_TRUE(t.has_value()) << file << ": " << t.error().ToString();
    EXPECT_EQ(t->num_rows(), 3) << file;
    EXPECT_EQ(t->column(1).null_count(), 1) << file;
    EXPECT_EQ(summary.text_bytes, 37) << file;
  }
}

}  // namespace
}  // namespace probity::ingest
