// The model scanner on the project's own fixtures (tests/data/model_security/, made by
// make_samples.py) and on bytes built here; and the global lists' verdicts.
#include "policy/scanners/model_scanner.h"

#include <gtest/gtest.h>

#include "policy/scanners/global_lists.h"
#include "tests/testing/test_data.h"

namespace probity::policy {
namespace {

std::string Fixture(const std::string& name) {
  return testing::TestDataPath("model_security/" + name);
}

ScanReport Scan(const std::string& path, const ScanOptions& options = {}) {
  Result<ScanReport> report = ScanPath(LocalFileSystem(), path, options);
  EXPECT_TRUE(report.has_value()) << report.error().ToString();
  return report.has_value() ? *report : ScanReport{};
}

TEST(GlobalListsTest, AllowListFirstThenDenyLists) {
  GlobalVerdict ordered = ClassifyGlobal("collections", "OrderedDict");
  EXPECT_EQ(ordered.kind, GlobalVerdict::Kind::kAllowed);
  EXPECT_NE(ordered.reason.find("standard containers"), std::string::npos);
  GlobalVerdict estimator = ClassifyGlobal("sklearn.ensemble._forest", "RandomForestClassifier");
  EXPECT_EQ(estimator.kind, GlobalVerdict::Kind::kAllowed);
  EXPECT_EQ(ClassifyGlobal("sklearn.utils", "deprecated").kind, GlobalVerdict::Kind::kUnknown);
  GlobalVerdict system = ClassifyGlobal("posix", "system");
  EXPECT_EQ(system.kind, GlobalVerdict::Kind::kDenied);
  EXPECT_EQ(system.severity, Severity::kCritical);
  EXPECT_EQ(system.reason, "modelscan deny-list (CRITICAL)");
  GlobalVerdict timeit = ClassifyGlobal("timeit", "timeit");  // picklescan only
  EXPECT_EQ(timeit.severity, Severity::kHigh);
  EXPECT_EQ(timeit.reason, "picklescan deny-list");
  // "*" covers submodules; a listed name covers its attributes.
  EXPECT_EQ(ClassifyGlobal("os.path", "join").kind, GlobalVerdict::Kind::kDenied);
  EXPECT_EQ(ClassifyGlobal("trace", "Trace.run").kind, GlobalVerdict::Kind::kDenied);
  EXPECT_EQ(ClassifyGlobal("builtins", "eval.__call__").kind, GlobalVerdict::Kind::kDenied);
  EXPECT_EQ(ClassifyGlobal("trace", "Trace").kind, GlobalVerdict::Kind::kUnknown);
  EXPECT_EQ(ClassifyGlobal("functools", "partial").kind, GlobalVerdict::Kind::kDenied);
  EXPECT_EQ(ClassifyGlobal("mypackage", "Model").kind, GlobalVerdict::Kind::kUnknown);
}

TEST(ModelScannerTest, MaliciousPickleFindingCarriesEverything) {
  ScanReport report = Scan(Fixture("evil_reduce.pkl"));
  ASSERT_EQ(report.findings.size(), 1u);
  const Finding& f = report.findings[0];
  EXPECT_EQ(f.kind, FindingKind::kUnsafeImport);
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.file, Fixture("evil_reduce.pkl"));
  EXPECT_EQ(f.offset, 2);
  EXPECT_EQ(f.global, "os.system");
  EXPECT_EQ(f.opcode, "GLOBAL");
  EXPECT_TRUE(report.Fails(false));
  ASSERT_EQ(report.files.size(), 1u);
  ASSERT_EQ(report.files[0].calls.size(), 1u);
  EXPECT_EQ(report.files[0].calls[0].opcode, "REDUCE");
  EXPECT_EQ(report.files[0].calls[0].callable, "os.system");
}

TEST(ModelScannerTest, StrictFailsOnImportsNotAllowListed) {
  ScanReport report = Scan(Fixture("unknown_import.pkl"));
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].kind, FindingKind::kUnknownImport);
  EXPECT_EQ(report.findings[0].global, "mypackage.models.Scorer");
  EXPECT_FALSE(report.Fails(false));
  EXPECT_TRUE(report.Fails(true));
}

TEST(ModelScannerTest, BenignModelsPassEvenStrict) {
  for (const char* name : {"benign_state.pkl", "sklearn_logistic.joblib", "model.tar.gz",
                           "torch_zip.pt", "object_array.npy"}) {
    ScanReport report = Scan(Fixture(name));
    EXPECT_FALSE(report.Fails(true))
        << name << ": " << (report.findings.empty() ? "" : report.findings[0].message);
  }
  ScanReport joblib = Scan(Fixture("sklearn_logistic.joblib"));
  ASSERT_EQ(joblib.files.size(), 1u);
  std::vector<std::string> globals;
  for (const ScannedImport& i : joblib.files[0].imports) globals.push_back(i.global);
  EXPECT_EQ(globals, (std::vector<std::string>{"sklearn.linear_model._logistic.LogisticRegression",
                                               "joblib.numpy_pickle.NumpyArrayWrapper",
                                               "numpy.ndarray", "numpy.dtype"}));
}

TEST(ModelScannerTest, SageMakerArchiveEntriesAreNamedInsideTheArchive) {
  ScanReport report = Scan(Fixture("evil_model.tar.gz"));
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].file, Fixture("evil_model.tar.gz") + "!/xgboost-model");
  EXPECT_EQ(report.findings[0].global, "os.system");
  ScanReport benign = Scan(Fixture("model.tar.gz"));
  ASSERT_EQ(benign.files.size(), 2u);
  EXPECT_EQ(benign.files[0].status, "archive");
  EXPECT_EQ(benign.files[1].imports[0].global, "xgboost.core.Booster");
}

TEST(ModelScannerTest, CompressedJoblibFilesAreDecompressedAndScanned) {
  for (const char* name : {"evil_compressed.joblib", "evil_lzma.joblib"}) {
    ScanReport report = Scan(Fixture(name));
    ASSERT_EQ(report.findings.size(), 1u) << name;
    EXPECT_EQ(report.findings[0].file, Fixture(name) + "!/data");
    EXPECT_EQ(report.findings[0].global, "os.system");
  }
}

TEST(ModelScannerTest, NestedArchivesAreOpenedDownToTheDepthLimit) {
  ScanReport report = Scan(Fixture("nested.zip"));
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].file,
            Fixture("nested.zip") + "!/bundle/evil_model.tar.gz!/xgboost-model");
  ScanOptions shallow;
  shallow.max_archive_depth = 0;
  ScanReport limited = Scan(Fixture("nested.zip"), shallow);
  ASSERT_EQ(limited.findings.size(), 1u);
  EXPECT_EQ(limited.findings[0].kind, FindingKind::kUnscanned);
  EXPECT_EQ(limited.findings[0].message, "not scanned: an archive nested deeper than 0 levels");
  EXPECT_TRUE(limited.Fails(false));
}

TEST(ModelScannerTest, KerasLambdaLayersAreFlagged) {
  ScanReport report = Scan(Fixture("lambda.keras"));
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].kind, FindingKind::kUnsafeConfig);
  EXPECT_EQ(report.findings[0].file, Fixture("lambda.keras") + "!/config.json");
  EXPECT_NE(report.findings[0].message.find("Lambda layer \"sneaky\""), std::string::npos);
}

TEST(ModelScannerTest, HdfAndUnparsableContentIsUnscanned) {
  ScanReport hdf5 = ScanBytes(std::string("\x89HDF\r\n\x1a\n") + std::string(32, '\0'), "m.h5");
  ASSERT_EQ(hdf5.findings.size(), 1u);
  EXPECT_EQ(hdf5.findings[0].kind, FindingKind::kUnscanned);
  EXPECT_TRUE(hdf5.Fails(false));
  ScanReport lz4 = ScanBytes(std::string("\x04\x22\x4D\x18\x64\x40\xa7", 7), "m.joblib");
  ASSERT_EQ(lz4.findings.size(), 1u);
  EXPECT_EQ(lz4.findings[0].kind, FindingKind::kUnscanned);
  ScanReport text = ScanBytes("just some text", "notes.txt");
  EXPECT_TRUE(text.findings.empty());
  EXPECT_EQ(text.files[0].status, "not-code");
  // A truncated pickle: what was seen, plus a parse error (the rest is unscanned).
  ScanReport cut = ScanBytes(std::string("\x80\x02"
                                         "cos\nsystem\nX\x10\x00\x00\x00",
                                         19),
                             "cut.pkl");
  ASSERT_EQ(cut.findings.size(), 2u);
  EXPECT_EQ(cut.findings[0].global, "os.system");
  EXPECT_EQ(cut.findings[1].kind, FindingKind::kParseError);
  EXPECT_EQ(cut.findings[1].offset, 13);
}

TEST(ModelScannerTest, UnresolvableImportsAreUnsafe) {
  // EXT1 7: a global from the copyreg extension registry, called with no arguments.
  ScanReport ext = ScanBytes(std::string("\x80\x02\x82\x07)R.", 7), "ext.pkl");
  ASSERT_EQ(ext.findings.size(), 1u);
  EXPECT_EQ(ext.findings[0].kind, FindingKind::kUnsafeImport);
  EXPECT_EQ(ext.findings[0].message,
            "imports the global registered under extension code 7 (EXT1), which cannot be "
            "resolved statically");
  // STACK_GLOBAL on a name returned by a call.
  ScanReport built = ScanBytes(std::string("\x80\x04"
                                           "cbuiltins\nstr\n\x8c\x02os\x85R\x8c\x01x\x93.",
                                           27),
                               "built.pkl");
  ASSERT_EQ(built.findings.size(), 1u);  // builtins.str itself is allow-listed
  EXPECT_EQ(built.findings[0].message,
            "imports a global whose name is built at load time (STACK_GLOBAL)");
  EXPECT_EQ(built.findings[0].global, "?.?");
  EXPECT_TRUE(built.Fails(false));
}

TEST(ModelScannerTest, DirectoriesAreScannedRecursivelyInOrder) {
  ScanReport report = Scan(testing::TestDataPath("model_security"));
  std::vector<std::string> failing;
  for (const Finding& f : report.findings) {
    if (f.Fails(false)) failing.push_back(f.file.substr(f.file.rfind("model_security/") + 15));
  }
  EXPECT_EQ(failing,
            (std::vector<std::string>{"evil_compressed.joblib!/data", "evil_lzma.joblib!/data",
                                      "evil_model.tar.gz!/xgboost-model", "evil_reduce.pkl",
                                      "lambda.keras!/config.json",
                                      "nested.zip!/bundle/evil_model.tar.gz!/xgboost-model"}));
}

TEST(ModelScannerTest, UnreadablePathIsAnError) {
  Result<ScanReport> missing = ScanPath(LocalFileSystem(), "/nonexistent/model.pkl");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace probity::policy
