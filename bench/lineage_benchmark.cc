// Lineage benchmark (issue 4): appends records to a fresh store in batches with a signed
// checkpoint per batch, verifies the whole store as `probity verify --no-artifacts` does,
// and times inclusion proofs (generation from the store + RFC 9162 verification).
//
// The peer, run on the same rows in the same run: the same typed artifact rows inserted into
// a plain SQLite table the way ML Metadata stores them (no canonical entry, no Merkle log,
// no signature). The ratio is the price of tamper evidence. Published figures for Trillian
// and Tessera are printed for context (reference/lineage.md §7.1); they cannot be run here.
//
//   lineage_benchmark [--records N] [--batch B] [--proofs P] [--dir DIR]
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "lineage/merkle.h"
#include "lineage/store.h"
#include "lineage/verify.h"

namespace {

using Clock = std::chrono::steady_clock;
using probity::lineage::RecordKind;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

nlohmann::json ArtifactFields(int64_t n) {
  return {{"digest", probity::Sha256Of(std::to_string(n)).ToString()},
          {"kind", "dataset"},
          {"media_type", "text/csv"},
          {"size", 1000 + n % 977},
          {"uri", "s3://agency-ml/credit/part-" + std::to_string(n) + ".csv"},
          {"name", "part-" + std::to_string(n) + ".csv"},
          {"properties", {{"rows", n % 5000}, {"split", n % 5 == 0 ? "test" : "train"}}}};
}

void Check(const probity::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "lineage_benchmark: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// The peer: plain typed rows in one SQLite table, same pragmas and batch size.
double PlainSqlite(const std::string& path, int64_t records, int64_t batch) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;"
               "CREATE TABLE artifacts (id INTEGER PRIMARY KEY, time TEXT, digest TEXT, kind TEXT,"
               " media_type TEXT, size INTEGER, uri TEXT, name TEXT, properties TEXT);"
               "CREATE INDEX artifacts_digest ON artifacts(digest);",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO artifacts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &insert,
                     nullptr);
  const auto start = Clock::now();
  for (int64_t b = 0; b < records; b += batch) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int64_t n = b; n < std::min(records, b + batch); ++n) {
      const nlohmann::json f = ArtifactFields(n);
      const std::string digest = f["digest"], kind = f["kind"], media = f["media_type"],
                        uri = f["uri"], name = f["name"], props = f["properties"].dump();
      sqlite3_bind_int64(insert, 1, n);
      sqlite3_bind_text(insert, 2, "2026-11-29T00:00:00Z", -1, SQLITE_STATIC);
      sqlite3_bind_text(insert, 3, digest.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 4, kind.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 5, media.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 6, f["size"].get<int64_t>());
      sqlite3_bind_text(insert, 7, uri.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 8, name.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 9, props.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(insert);
      sqlite3_reset(insert);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const double seconds = Seconds(start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t records = 1'000'000;
  int64_t batch = 10'000;
  int64_t proofs = 10'000;
  std::string dir = std::filesystem::temp_directory_path() /
                    ("probity_lineage_bench_" + std::to_string(::getpid()));
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--records")) records = std::stoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--batch")) batch = std::stoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--proofs")) proofs = std::stoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/lineage.db";
  auto signer = probity::lineage::GenerateEd25519Signer();
  Check(signer.status(), "key");

  probity::lineage::StoreOptions options;
  options.create = true;
  options.origin = "probity.local/bench";
  options.synchronous_full = std::getenv("BENCH_NORMAL") == nullptr;
  auto store = probity::lineage::LineageStore::Open(path, options);
  Check(store.status(), "open");
  const auto append_start = Clock::now();
  for (int64_t b = 0; b < records; b += batch) {
    auto open = (*store)->Begin();
    Check(open.status(), "begin");
    for (int64_t n = b; n < std::min(records, b + batch); ++n) {
      Check((*open)->Add({RecordKind::kArtifact, ArtifactFields(n)}).status(), "add");
    }
    Check((*open)->Commit(**signer).status(), "commit");
  }
  const double append_seconds = Seconds(append_start);

  const double plain_seconds = PlainSqlite(dir + "/plain.db", records, batch);

  std::mt19937_64 random(42);
  const auto proof_start = Clock::now();
  const uint64_t size = static_cast<uint64_t>(records);
  auto root = (*store)->RootAt(size);
  Check(root.status(), "root");
  int64_t verified = 0;
  for (int64_t i = 0; i < proofs; ++i) {
    const uint64_t index = random() % size;
    auto proof = (*store)->ProveInclusion(index, size);
    Check(proof.status(), "prove");
    auto leaf = (*store)->LeafHashAt(index);
    Check(leaf.status(), "leaf");
    if (probity::lineage::VerifyInclusion(index, size, *leaf, *proof, *root).ok()) ++verified;
  }
  const double proof_seconds = Seconds(proof_start);
  store->reset();

  probity::lineage::VerifyOptions verify_options;
  verify_options.trusted_keys.push_back(
      {"bench", (*signer)->public_key(), std::nullopt, std::nullopt});
  verify_options.check_artifacts = false;
  const auto verify_start = Clock::now();
  auto report = probity::lineage::VerifyStore(path, verify_options);
  const double verify_seconds = Seconds(verify_start);
  Check(report.status(), "verify");

  const double n = static_cast<double>(records);
  std::printf("lineage benchmark: %lld records in batches of %lld (%lld signed checkpoints)\n",
              static_cast<long long>(records), static_cast<long long>(batch),
              static_cast<long long>((records + batch - 1) / batch));
  std::printf("  append (probity, logged + signed)  %8.2f s  %10.0f records/s   target >= 50000\n",
              append_seconds, n / append_seconds);
  std::printf("  append (plain SQLite rows, MLMD-style, no integrity)  %8.2f s  %10.0f rows/s\n",
              plain_seconds, n / plain_seconds);
  std::printf("  ratio probity/plain time: %.2f (the cost of tamper evidence)\n",
              append_seconds / plain_seconds);
  std::printf("  full verify (--no-artifacts)        %8.2f s  %10.0f records/s   target >= 200000"
              "  [%s, %zu failures]\n",
              verify_seconds, n / verify_seconds, report->verified() ? "verified" : "FAILED",
              report->failures.size());
  std::printf("  inclusion proofs: %lld in %.3f s = %.1f us each (generate + verify), %lld valid"
              "   target < 100 us\n",
              static_cast<long long>(proofs), proof_seconds, 1e6 * proof_seconds / proofs,
              static_cast<long long>(verified));
  std::printf("  published peers (not run here): Trillian ~60 leaves/s per tree; Tessera POSIX\n"
              "  ~2,900 writes/s on 12 cores (reference/lineage.md §7.1)\n");
  std::printf("  store size on disk: %.1f MB\n",
              static_cast<double>(std::filesystem::file_size(path)) / 1e6);
  std::filesystem::remove_all(dir);
  return report->verified() && verified == proofs ? 0 : 1;
}
