// Every sample in ../shared/data/model_security/ is classified as its SOURCES.md states,
// with the globals it lists reported. The samples are only read as bytes: nothing is
// unpickled, loaded or imported. Skipped, with a message, when ../shared is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "policy/scanners/model_scanner.h"
#include "tests/testing/test_data.h"

namespace probity::policy {
namespace {

enum class Expect { kMalicious, kBenign, kNotAPickle, kUnscanned };

// A global and the level SOURCES.md gives it: 'D' Dangerous (must be denied), 'S'
// Suspicious (must be reported, not allowed), 'I' Innocuous (must be allowed), '?' reported
// (no level stated).
struct Global {
  std::string name;
  char level = '?';
};

struct Sample {
  std::string file;  // relative to data/model_security/
  Expect expect;
  std::vector<Global> globals;
  bool parse_error = false;
};

// gtest prints the parameter in messages and in `ctest -N`: show the file, not its bytes.
void PrintTo(const Sample& sample, std::ostream* os) { *os << sample.file; }

const std::vector<Sample>& Samples() {
  static const std::vector<Sample> samples = {
      {"picklescan/benign0_v0.pkl", Expect::kBenign, {}},
      {"picklescan/benign0_v3.pkl", Expect::kBenign, {}},
      {"picklescan/benign0_v4.pkl", Expect::kBenign, {}},
      {"picklescan/malicious0.pkl",
       Expect::kMalicious,
       {{"__builtin__.compile", 'D'},
        {"__builtin__.apply", 'D'},
        {"__builtin__.getattr", 'D'},
        {"__builtin__.eval", 'D'},
        {"__builtin__.globals", '?'},
        {"__builtin__.dict", '?'}}},
      {"picklescan/malicious1_v0.pkl", Expect::kMalicious, {{"__builtin__.eval", 'D'}}},
      {"picklescan/malicious1_v3.pkl", Expect::kMalicious, {{"builtins.eval", 'D'}}},
      {"picklescan/malicious1_v4.pkl", Expect::kMalicious, {{"builtins.eval", 'D'}}},
      {"picklescan/malicious1.zip", Expect::kMalicious, {{"builtins.eval", 'D'}}},
      {"picklescan/malicious1_central_directory.zip", Expect::kMalicious, {{"builtins.eval", 'D'}}},
      {"picklescan/malicious2_v3.pkl", Expect::kMalicious, {{"posix.system", 'D'}}},
      {"picklescan/malicious3.pkl", Expect::kMalicious, {{"httplib.HTTPSConnection", 'D'}}},
      {"picklescan/malicious4.pickle", Expect::kMalicious, {{"requests.api.get", 'D'}}},
      {"picklescan/malicious7.pkl", Expect::kMalicious, {{"socket.create_connection", 'D'}}},
      {"picklescan/malicious8.pkl", Expect::kMalicious, {{"subprocess.run", 'D'}}},
      {"picklescan/malicious10.pkl", Expect::kMalicious, {{"__builtin__.exec", 'D'}}},
      {"picklescan/malicious14.pkl", Expect::kMalicious, {{"runpy._run_code", 'D'}}},
      {"picklescan/malicious21.pkl", Expect::kMalicious, {{"timeit.timeit", 'D'}}},
      {"picklescan/malicious22.pkl",
       Expect::kMalicious,
       {{"numpy.testing._private.utils.runstring", 'D'}}},
      {"picklescan/GHSA-4675-36f9-wf6r.pkl", Expect::kMalicious, {{"ctypes.CDLL", 'D'}}},
      {"picklescan/GHSA-84r2-jw7c-4r5q.pkl",
       Expect::kMalicious,
       {{"pydoc.locate", 'D'}, {"operator.methodcaller", 'D'}}},
      {"picklescan/GHSA-vqmv-47xg-9wpr.pkl", Expect::kMalicious, {{"pty.spawn", 'D'}}},
      {"picklescan/GHSA-x696-vm39-cp64.pkl", Expect::kMalicious, {{"profile.Profile.run", 'D'}}},
      {"picklescan/GHSA-5qwp-399c-mjwf.pkl", Expect::kMalicious, {{"trace.Trace.run", 'D'}}},
      {"picklescan/GHSA-955r-x9j8-7rhh.pkl",
       Expect::kMalicious,
       {{"_operator.methodcaller", 'D'}, {"builtins.__import__", 'S'}}},
      {"picklescan/GHSA-f745-w6jp-hpxx.pkl",
       Expect::kMalicious,
       {{"torch.utils.collect_env.run", 'D'}}},
      {"picklescan/GHSA-xp4f-hrf8-rxw7.pkl", Expect::kMalicious, {{"ensurepip._run_pip", 'D'}}},
      {"picklescan/GHSA-g38g-8gr9-h9xp-uuid.pkl",
       Expect::kMalicious,
       {{"uuid._get_command_stdout", 'D'}}},
      {"picklescan/io_FileIO.pkl", Expect::kMalicious, {{"_io.FileIO", 'D'}}},
      {"picklescan/urllib_request_urlopen.pkl",
       Expect::kMalicious,
       {{"urllib.request.urlopen", 'D'}}},
      {"picklescan/types_CodeType.pkl", Expect::kMalicious, {{"types.CodeType", 'D'}}},
      {"picklescan/broken_model.pkl", Expect::kMalicious, {{"builtins.exec", 'D'}}, true},
      {"picklescan/pytorch_model.bin",
       Expect::kBenign,
       {{"torch.FloatStorage", 'I'},
        {"collections.OrderedDict", 'I'},
        {"torch._utils._rebuild_tensor_v2", 'I'}}},
      {"picklescan/bad_pytorch.pt", Expect::kNotAPickle, {}},
      {"picklescan/not_a_pickle.bin", Expect::kNotAPickle, {}},
      {"picklescan/int_array.npy", Expect::kNotAPickle, {}},
      {"picklescan/int_arrays.npz", Expect::kNotAPickle, {}},
      {"picklescan/object_array.npy",
       Expect::kBenign,
       {{"numpy.core.multiarray._reconstruct", 'I'}, {"numpy.ndarray", 'I'}, {"numpy.dtype", 'I'}}},
      {"modelscan/password_protected.zip", Expect::kUnscanned, {}},
  };
  return samples;
}

std::string Root() { return testing::SharedPath("data/model_security"); }

class ScannerConformanceTest : public ::testing::TestWithParam<Sample> {};

TEST_P(ScannerConformanceTest, ClassifiesAsSourcesStates) {
  if (Root().empty()) GTEST_SKIP() << "../shared/data/model_security is absent";
  const Sample& sample = GetParam();
  Result<ScanReport> report = ScanPath(LocalFileSystem(), Root() + "/" + sample.file);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  std::string described;
  for (const Finding& f : report->findings) {
    described += std::string(FindingKindName(f.kind)) + " " + f.file + " " + f.message + "\n";
  }
  switch (sample.expect) {
    case Expect::kMalicious: EXPECT_TRUE(report->Fails(false)) << described; break;
    case Expect::kBenign:
      EXPECT_FALSE(report->Fails(true)) << described;  // even --strict passes
      break;
    case Expect::kNotAPickle:
      EXPECT_TRUE(report->findings.empty()) << described;
      for (const ScannedFile& file : report->files) EXPECT_TRUE(file.imports.empty()) << file.file;
      break;
    case Expect::kUnscanned: {
      ASSERT_EQ(report->findings.size(), 1u) << described;
      EXPECT_EQ(report->findings[0].kind, FindingKind::kUnscanned);
      EXPECT_NE(report->findings[0].message.find("encrypted"), std::string::npos);
      EXPECT_TRUE(report->Fails(false));
      break;
    }
  }
  for (const Global& expected : sample.globals) {
    const ScannedImport* found = nullptr;
    for (const ScannedFile& file : report->files) {
      for (const ScannedImport& import : file.imports) {
        if (import.global == expected.name) found = &import;
      }
    }
    ASSERT_NE(found, nullptr) << expected.name << " not reported\n" << described;
    if (expected.level == 'D') {
      EXPECT_EQ(found->verdict, "denied") << expected.name;
    } else if (expected.level == 'S') {
      EXPECT_NE(found->verdict, "allowed") << expected.name;
    } else if (expected.level == 'I') {
      EXPECT_EQ(found->verdict, "allowed") << expected.name;
    }
  }
  bool parse_error = false;
  for (const Finding& f : report->findings) parse_error |= f.kind == FindingKind::kParseError;
  EXPECT_EQ(parse_error, sample.parse_error) << described;
}

INSTANTIATE_TEST_SUITE_P(SharedSamples, ScannerConformanceTest, ::testing::ValuesIn(Samples()),
                         [](const ::testing::TestParamInfo<Sample>& param_info) {
                           std::string name;
                           for (char c : param_info.param.file) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

// Every sample file is in the table above, so a new sample cannot go unchecked.
TEST(ScannerConformanceCoverageTest, EverySharedSampleIsListed) {
  if (Root().empty()) GTEST_SKIP() << "../shared/data/model_security is absent";
  std::set<std::string> listed;
  for (const Sample& s : Samples()) listed.insert(s.file);
  for (const char* dir : {"picklescan", "modelscan"}) {
    for (const auto& entry : std::filesystem::directory_iterator(Root() + "/" + dir)) {
      std::string relative = std::string(dir) + "/" + entry.path().filename().string();
      EXPECT_TRUE(listed.count(relative) == 1) << relative << " has no expected verdict";
    }
  }
}

}  // namespace
}  // namespace probity::policy
