// The archive reader: listing, digests, content kinds, limits and safe extraction, on
// archives written in the test with libarchive's write API (and the shared encrypted zip).
#include "audit/ingest/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audit/ingest/content_kind.h"
#include "tests/testing/test_data.h"

namespace probity::ingest {
namespace {

// SHA-256("hello"), from `printf hello | sha256sum`.
constexpr char kHelloSha256[] =
    "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

struct Member {
  std::string path;
  std::string bytes;
  int type = AE_IFREG;
  std::string link;  // symlink target
  bool hardlink = false;
};

enum class Layout { kTarGz, kTar, kZip, kEncryptedZip, kTarXz };

// Writes `members` into an archive held in memory with libarchive's write API.
std::string WriteArchive(const std::vector<Member>& members, Layout layout) {
  archive* a = archive_write_new();
  switch (layout) {
    case Layout::kTarGz:
      archive_write_set_format_pax_restricted(a);
      archive_write_add_filter_gzip(a);
      break;
    case Layout::kTarXz:
      archive_write_set_format_pax_restricted(a);
      archive_write_add_filter_xz(a);
      break;
    case Layout::kTar: archive_write_set_format_pax_restricted(a); break;
    case Layout::kZip: archive_write_set_format_zip(a); break;
    case Layout::kEncryptedZip:
      archive_write_set_format_zip(a);
      EXPECT_EQ(archive_write_set_options(a, "zip:encryption=zipcrypt"), ARCHIVE_OK)
          << archive_error_string(a);
      EXPECT_EQ(archive_write_set_passphrase(a, "secret"), ARCHIVE_OK);
      break;
  }
  archive_write_set_bytes_in_last_block(a, 1);
  std::vector<char> buffer(size_t{24} << 20);
  size_t used = 0;
  EXPECT_EQ(archive_write_open_memory(a, buffer.data(), buffer.size(), &used), ARCHIVE_OK);
  for (const Member& m : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.path.c_str());
    archive_entry_set_filetype(e, static_cast<unsigned>(m.type));
    archive_entry_set_perm(e, 0644);
    if (m.hardlink) archive_entry_set_hardlink(e, m.link.c_str());
    if (m.type == AE_IFLNK) archive_entry_set_symlink(e, m.link.c_str());
    if (m.type == AE_IFREG && !m.hardlink)
      archive_entry_set_size(e, static_cast<la_int64_t>(m.bytes.size()));
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    if (m.type == AE_IFREG && !m.hardlink && !m.bytes.empty()) {
      EXPECT_EQ(archive_write_data(a, m.bytes.data(), m.bytes.size()),
                static_cast<la_ssize_t>(m.bytes.size()));
    }
    archive_entry_free(e);
  }
  EXPECT_EQ(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
  return std::string(buffer.data(), used);
}

const std::string kPickle = std::string("\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00]\x94.", 14);

TEST(ArchiveTest, ListsEntriesWithSizesDigestsTypesAndContentKinds) {
  for (Layout layout : {Layout::kTarGz, Layout::kTar, Layout::kTarXz, Layout::kZip}) {
    MemoryFileSystem fs;
    fs.AddFile("model.tar.gz", WriteArchive({{"model/", "", AE_IFDIR},
                                             {"model/hello.txt", "hello"},
                                             {"model/xgboost-model", kPickle},
                                             {"model/link", "", AE_IFLNK, "hello.txt"}},
                                            layout));
    Result<std::vector<ArchiveEntry>> entries = ListArchive(fs, "model.tar.gz");
    ASSERT_TRUE(entries.has_value()) << entries.error().ToString();
    ASSERT_EQ(entries->size(), 4u);
    const std::vector<ArchiveEntry>& e = *entries;
    EXPECT_EQ(e[0].type, EntryType::kDirectory);
    EXPECT_EQ(e[1].path, "model/hello.txt");
    EXPECT_EQ(e[1].size, 5);
    EXPECT_EQ(e[1].digest.ToString(), kHelloSha256);
    EXPECT_EQ(e[1].content_kind, "unknown");
    EXPECT_EQ(e[2].content_kind, "pickle");
    EXPECT_EQ(e[2].size, 14);
    EXPECT_FALSE(e[2].encrypted);
    EXPECT_EQ(e[3].type, EntryType::kSymlink);
    EXPECT_EQ(e[3].link_target, "hello.txt");
  }
}

TEST(ArchiveTest, ReadsOneEntry) {
  MemoryFileSystem fs;
  fs.AddFile("a.zip", WriteArchive({{"x.bin", "abc"}, {"y.bin", "hello"}}, Layout::kZip));
  Result<std::string> y = ReadArchiveEntry(fs, "a.zip", "y.bin");
  ASSERT_TRUE(y.has_value()) << y.error().ToString();
  EXPECT_EQ(*y, "hello");
  Result<std::string> missing = ReadArchiveEntry(fs, "a.zip", "z.bin");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.error().message(), "a.zip: no entry \"z.bin\" in the archive");
}

TEST(ArchiveTest, CompressedSingleFileIsOneEntryNamedData) {
  // gzip of a plain pickle (as joblib.dump(..., compress="gzip") writes).
  archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  archive_write_add_filter_gzip(a);
  std::vector<char> buffer(1 << 16);
  size_t used = 0;
  archive_write_open_memory(a, buffer.data(), buffer.size(), &used);
  archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_pathname(e, "data");
  ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
  archive_write_data(a, kPickle.data(), kPickle.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  MemoryFileSystem fs;
  fs.AddFile("model.joblib", std::string(buffer.data(), used));
  Result<std::vector<ArchiveEntry>> entries = ListArchive(fs, "model.joblib");
  ASSERT_TRUE(entries.has_value()) << entries.error().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].path, "data");
  EXPECT_EQ((*entries)[0].content_kind, "pickle");
}

TEST(ArchiveTest, NonArchiveAndTruncatedArchiveAreInvalidArgument) {
  MemoryFileSystem fs;
  fs.AddFile("plain.pkl", kPickle);
  Status not_archive = ListArchive(fs, "plain.pkl").status();
  EXPECT_EQ(not_archive.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(not_archive.message(), "plain.pkl: not an archive (content: pickle)");
  std::string whole = WriteArchive({{"big.bin", std::string(100000, 'x') + "y"}}, Layout::kTarGz);
  fs.AddFile("cut.tar.gz", whole.substr(0, whole.size() / 2));
  Status cut = ListArchive(fs, "cut.tar.gz").status();
  EXPECT_EQ(cut.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cut.message(), "cut.tar.gz: corrupt or unsupported archive: truncated gzip input");
  std::string zip =
      WriteArchive({{"a.bin", "hello"}, {"b.bin", std::string(5000, 'x')}}, Layout::kZip);
  fs.AddFile("cut.zip", zip.substr(0, zip.size() / 2));
  Status cut_zip = ListArchive(fs, "cut.zip").status();
  EXPECT_EQ(cut_zip.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cut_zip.message().rfind("cut.zip", 0), 0u) << cut_zip.message();
  Status missing = ListArchive(fs, "nope.zip").status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
}

TEST(ArchiveTest, ZipsAreReadThroughTheirCentralDirectory) {
  // Drop the second entry from the central directory: like Python's zipfile (and
  // torch.load), the reader then sees only the first, though both local headers remain.
  std::string zip = WriteArchive({{"a.txt", "hello"}, {"hidden.txt", "secret"}}, Layout::kZip);
  size_t eocd = zip.rfind("PK\x05\x06");
  ASSERT_NE(eocd, std::string::npos);
  auto le = [&](size_t at, int width) {
    uint32_t v = 0;
    for (int i = 0; i < width; ++i) {
      v |= uint32_t{static_cast<unsigned char>(zip[at + static_cast<size_t>(i)])} << (8 * i);
    }
    return v;
  };
  uint32_t cd_offset = le(eocd + 16, 4);
  size_t first_length = 46 + le(cd_offset + 28, 2) + le(cd_offset + 30, 2) + le(cd_offset + 32, 2);
  std::string tail = zip.substr(eocd);
  tail[8] = tail[10] = 1;  // one entry on this disk, one in total
  tail[9] = tail[11] = 0;
  for (int i = 0; i < 4; ++i) tail[12 + i] = static_cast<char>((first_length >> (8 * i)) & 0xFF);
  std::string edited = zip.substr(0, cd_offset + first_length) + tail;
  MemoryFileSystem fs;
  fs.AddFile("cd.zip", edited);
  Result<std::vector<ArchiveEntry>> entries = ListArchive(fs, "cd.zip");
  ASSERT_TRUE(entries.has_value()) << entries.error().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].path, "a.txt");
}

TEST(ArchiveTest, ZlibStreamIsOneEntryNamedData) {
  // zlib.compress(b"hello") in Python: 78 9c cb 48 cd c9 c9 07 00 06 2c 02 15.
  MemoryFileSystem fs;
  fs.AddFile("m.joblib", std::string("\x78\x9c\xcb\x48\xcd\xc9\xc9\x07\x00\x06\x2c\x02\x15", 13));
  Result<std::vector<ArchiveEntry>> entries = ListArchive(fs, "m.joblib");
  ASSERT_TRUE(entries.has_value()) << entries.error().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].path, "data");
  EXPECT_EQ((*entries)[0].digest.ToString(), kHelloSha256);
  fs.AddFile("cut.joblib", std::string("\x78\x9c\xcb\x48\xcd", 5));
  EXPECT_EQ(ListArchive(fs, "cut.joblib").status().message(),
            "cut.joblib: corrupt or unsupported archive: truncated zlib stream");
}

TEST(ArchiveTest, CompressionBombIsRefusedNamingTheEntry) {
  MemoryFileSystem fs;
  fs.AddFile("bomb.zip",
             WriteArchive({{"ok.txt", "hello"}, {"zeros.bin", std::string(20 << 20, '\0')}},
                          Layout::kZip));
  Status bomb = ListArchive(fs, "bomb.zip").status();
  EXPECT_EQ(bomb.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bomb.message().find("bomb.zip!/zeros.bin: archive refused: it expands more than 200 "
                                "times"),
            std::string::npos)
      << bomb.message();
  ArchiveLimits relaxed;
  relaxed.max_compression_ratio = 1e6;
  EXPECT_TRUE(ListArchive(fs, "bomb.zip", relaxed).has_value());
}

TEST(ArchiveTest, EntryCountAndSizeLimits) {
  MemoryFileSystem fs;
  fs.AddFile("three.tar", WriteArchive({{"a", "1"}, {"b", "22"}, {"c", "hello"}}, Layout::kTar));
  ArchiveLimits two_entries;
  two_entries.max_entries = 2;
  Status count = ListArchive(fs, "three.tar", two_entries).status();
  EXPECT_EQ(count.message(), "three.tar: archive refused: it has more than 2 entries");
  ArchiveLimits small;
  small.max_entry_bytes = 4;
  Status size = ListArchive(fs, "three.tar", small).status();
  EXPECT_EQ(size.message(), "three.tar!/c: archive refused: the entry is larger than 4 bytes");
  ArchiveLimits total;
  total.max_total_bytes = 5;
  Status sum = ListArchive(fs, "three.tar", total).status();
  EXPECT_EQ(sum.message(),
            "three.tar!/c: archive refused: its entries expand to more than 5 bytes");
}

TEST(ArchiveTest, ExtractsSafely) {
  MemoryFileSystem fs;
  fs.AddFile("ok.tar", WriteArchive({{"m/", "", AE_IFDIR},
                                     {"m/a.txt", "hello"},
                                     {"m/./b/c.txt", "abc"},
                                     {"m/link", "", AE_IFLNK, "a.txt"},
                                     {"m/hard", "", AE_IFREG, "m/a.txt", true}},
                                    Layout::kTar));
  Status ok = ExtractArchive(fs, "ok.tar", "out");
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(fs.Contents("out/m/a.txt"), "hello");
  EXPECT_EQ(fs.Contents("out/m/b/c.txt"), "abc");
  EXPECT_EQ(fs.Contents("out/m/link"), "hello");
  EXPECT_EQ(fs.Contents("out/m/hard"), "hello");
}

TEST(ArchiveTest, ExtractionRefusesTraversalAbsolutePathsEscapingLinksAndDevices) {
  struct Case {
    Member member;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"../x", "evil"}, "evil.tar!/../x: refused to extract: path contains \"..\""},
           {{"a/../../x", "evil"}, "evil.tar!/a/../../x: refused to extract: path contains \"..\""},
           {{"/etc/x", "evil"}, "evil.tar!//etc/x: refused to extract: path is absolute"},
           {{"a/link", "", AE_IFLNK, "../../etc/passwd"},
            "evil.tar!/a/link: refused to extract: symlink target \"../../etc/passwd\" leaves "
            "the destination"},
           {{"link", "", AE_IFLNK, "/etc/passwd"},
            "evil.tar!/link: refused to extract: symlink target \"/etc/passwd\" leaves the "
            "destination"},
           {{"dev", "", AE_IFCHR},
            "evil.tar!/dev: refused to extract: a device file, FIFO or socket"},
           {{"fifo", "", AE_IFIFO},
            "evil.tar!/fifo: refused to extract: a device file, FIFO or socket"},
       }) {
    MemoryFileSystem fs;
    fs.AddFile("evil.tar", WriteArchive({{"fine.txt", "ok"}, c.member}, Layout::kTar));
    Status status = ExtractArchive(fs, "evil.tar", "out");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(status.message(), c.message);
    EXPECT_FALSE(fs.Contents("x").has_value());
    EXPECT_FALSE(fs.Contents("/etc/x").has_value());
  }
}

TEST(ArchiveTest, EncryptedEntriesAreFlaggedNotRead) {
  MemoryFileSystem fs;
  fs.AddFile("enc.zip", WriteArchive({{"secret.pkl", kPickle}}, Layout::kEncryptedZip));
  Result<std::vector<ArchiveEntry>> entries = ListArchive(fs, "enc.zip");
  ASSERT_TRUE(entries.has_value()) << entries.error().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_TRUE((*entries)[0].encrypted);
  EXPECT_EQ((*entries)[0].size, 0);
  Result<std::string> read = ReadArchiveEntry(fs, "enc.zip", "secret.pkl");
  EXPECT_EQ(read.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(read.status().message(),
            "enc.zip!/secret.pkl: the entry is encrypted; Probity cannot read it");
  EXPECT_EQ(ExtractArchive(fs, "enc.zip", "out").code(), StatusCode::kUnimplemented);
}

TEST(ArchiveTest, SharedPasswordProtectedZipIsFlaggedEncrypted) {
  std::string path = testing::SharedPath("data/model_security/modelscan/password_protected.zip");
  if (path.empty()) GTEST_SKIP() << "../shared/data/model_security is absent";
  Result<std::vector<ArchiveEntry>> entries = ListArchive(LocalFileSystem(), path);
  ASSERT_TRUE(entries.has_value()) << entries.error().ToString();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].path, "test.txt");
  EXPECT_TRUE((*entries)[0].encrypted);
}

TEST(ContentKindTest, RecognisesFormatsByTheirBytes) {
  EXPECT_EQ(DetectContentKind(kPickle), "pickle");
  EXPECT_EQ(DetectContentKind("cos\nsystem\n(S'ls'\ntR."), "pickle");
  EXPECT_EQ(DetectContentKind("(lp0\nVa\np1\na."), "pickle");
  EXPECT_EQ(DetectContentKind("cmod\n\xf8\n"), "unknown");  // not an identifier
  EXPECT_EQ(DetectContentKind("hello world"), "unknown");
  EXPECT_EQ(DetectContentKind(""), "unknown");
  EXPECT_EQ(DetectContentKind(std::string("\x93NUMPY\x01\x00", 8)), "numpy-npy");
  EXPECT_EQ(DetectContentKind("\x89PNG\r\n\x1a\n"), "png");
  EXPECT_EQ(DetectContentKind("\x89HDF\r\n\x1a\n"), "hdf5");
  EXPECT_EQ(DetectContentKind(std::string(512, '\0') + "\x89HDF\r\n\x1a\n"), "hdf5");
  EXPECT_EQ(DetectContentKind("\x1f\x8b\x08"), "gzip");
  EXPECT_EQ(DetectContentKind("BZh91AY"), "bzip2");
  EXPECT_EQ(DetectContentKind(std::string("\xFD"
                                          "7zXZ\x00",
                                          6)),
            "xz");
  EXPECT_EQ(DetectContentKind("\x28\xB5\x2F\xFD"), "zstd");
  EXPECT_EQ(DetectContentKind("<?xml version=\"1.0\"?>\n<PMML version=\"4.4\">"), "pmml");
  EXPECT_EQ(DetectContentKind("{\"learner\": {}, \"version\": [1, 7, 4]}"), "xgboost-json");
  EXPECT_EQ(DetectContentKind("tree\nversion=v3\n"), "lightgbm");
  EXPECT_EQ(DetectContentKind("{\"probity_model\": 1}"), "probity");
  EXPECT_EQ(DetectContentKind(" [1, 2]"), "json");
  EXPECT_EQ(DetectContentKind(WriteArchive({{"a", "1"}}, Layout::kTar)), "tar");
  EXPECT_EQ(DetectContentKind(WriteArchive(
                {{"archive/data.pkl", kPickle}, {"archive/data/0", "xxxx"}}, Layout::kZip)),
            "pytorch-zip");
  EXPECT_EQ(DetectContentKind(std::string("PK\x03\x04\x14\x00\x00\x00\x00\x00", 10) +
                              std::string(16, '\0') + std::string("\x10\x00\x00\x00", 4) +
                              "archive/data.pkl"),
            "pytorch-zip");
  EXPECT_EQ(DetectContentKind("\x78\x9c\x01"), "zlib");
  // Not zlib, though 0x28 0x53 would be a valid RFC 1950 header.
  EXPECT_EQ(DetectContentKind("(S'x'\n."), "pickle");
  EXPECT_EQ(DetectContentKind(std::string("\x5d\x00\x00\x10\x00", 5) + std::string(8, '\xff')),
            "lzma");
  EXPECT_TRUE(LooksLikeArchive(WriteArchive({{"a", "1"}}, Layout::kTarGz)));
  EXPECT_FALSE(LooksLikeArchive(kPickle));
}

}  // namespace
}  // namespace probity::ingest
