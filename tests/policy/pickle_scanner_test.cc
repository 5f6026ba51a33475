// The static pickle disassembler on hand-made pickles, written opcode by opcode here (the
// comments give the equivalent pickletools.dis listing). Nothing is ever unpickled.
#include "policy/scanners/pickle_scanner.h"

#include <gtest/gtest.h>

#include <string>

namespace probity::policy {
namespace {

using namespace std::string_literals;

std::vector<std::string> Globals(const PickleScan& scan) {
  std::vector<std::string> out;
  for (const PickleImport& i : scan.imports) out.push_back(i.Qualified());
  return out;
}

TEST(PickleScannerTest, StackGlobalFromMemoizedStrings) {
  // PROTO 4; SHORT_BINUNICODE 'os'; MEMOIZE(0); SHORT_BINUNICODE 'system'; MEMOIZE(1); POP;
  // POP; BINGET 0; BINGET 1; STACK_GLOBAL; SHORT_BINUNICODE 'id'; TUPLE1; REDUCE; STOP
  std::string bytes =
      "\x80\x04\x8c\x02os\x94\x8c\x06system\x94"
      "00"
      "h\x00h\x01\x93\x8c\x02id\x85R."s;
  PickleScan scan = ScanPickle(bytes);
  EXPECT_TRUE(scan.is_pickle);
  EXPECT_EQ(scan.pickles, 1);
  EXPECT_EQ(scan.max_protocol, 4);
  ASSERT_EQ(scan.imports.size(), 1u);
  EXPECT_EQ(scan.imports[0].module, "os");
  EXPECT_EQ(scan.imports[0].name, "system");
  EXPECT_EQ(scan.imports[0].opcode, "STACK_GLOBAL");
  EXPECT_EQ(scan.imports[0].offset, 22);
  EXPECT_TRUE(scan.imports[0].resolved);
  ASSERT_EQ(scan.calls.size(), 1u);
  EXPECT_EQ(scan.calls[0].opcode, "REDUCE");
  EXPECT_EQ(scan.calls[0].callable, "os.system");
  EXPECT_TRUE(scan.error.empty());
}

TEST(PickleScannerTest, LongBinputAndPutGetResolveToo) {
  // LONG_BINPUT 7 / LONG_BINGET 7 (protocol 2) and PUT/GET (protocol 0) on the strings.
  std::string binary =
      "\x80\x02X\x02\x00\x00\x00osr\x07\x00\x00\x00"
      "0"
      "j\x07\x00\x00\x00X\x06\x00\x00\x00system\x93."s;
  PickleScan scan = ScanPickle(binary);
  EXPECT_EQ(Globals(scan), std::vector<std::string>{"os.system"});
  std::string text = "Vsubprocess\np5\n0Vrun\np6\n0g5\ng6\n\x93."s;
  EXPECT_EQ(Globals(ScanPickle(text)), std::vector<std::string>{"subprocess.run"});
}

TEST(PickleScannerTest, UnicodeEscapesCannotHideAModule) {
  // UNICODE uses raw-unicode-escape: "\u006fs" is "os".
  std::string bytes = "V\\u006fs\nVsystem\n\x93."s;
  EXPECT_EQ(Globals(ScanPickle(bytes)), std::vector<std::string>{"os.system"});
  // STRING literals are unescaped like Python's: '\x6fs' is "os".
  EXPECT_EQ(Globals(ScanPickle("S'\\x6fs'\nS'system'\n\x93."s)),
            std::vector<std::string>{"os.system"});
}

TEST(PickleScannerTest, ProtocolZeroInstImportsAndCalls) {
  // MARK; STRING 'ls'; INST os system; STOP
  PickleScan scan = ScanPickle("(S'ls'\nios\nsystem\n."s);
  ASSERT_EQ(scan.imports.size(), 1u);
  EXPECT_EQ(scan.imports[0].Qualified(), "os.system");
  EXPECT_EQ(scan.imports[0].opcode, "INST");
  EXPECT_EQ(scan.imports[0].offset, 7);
  ASSERT_EQ(scan.calls.size(), 1u);
  EXPECT_EQ(scan.calls[0].opcode, "INST");
  EXPECT_EQ(scan.calls[0].callable, "os.system");
}

TEST(PickleScannerTest, EveryCallSiteIsReported) {
  // GLOBAL a.F; EMPTY_TUPLE; NEWOBJ; EMPTY_DICT; BUILD; POP;
  // MARK; GLOBAL b.G; OBJ; POP; GLOBAL c.H; EMPTY_TUPLE; EMPTY_DICT; NEWOBJ_EX; POP;
  // GLOBAL d.I; EMPTY_TUPLE; REDUCE; STOP
  std::string bytes =
      "\x80\x04"
      "ca\nF\n)\x81}b0"
      "(cb\nG\no0"
      "cc\nH\n)}\x92"
      "0"
      "cd\nI\n)R."s;
  PickleScan scan = ScanPickle(bytes);
  EXPECT_EQ(Globals(scan), (std::vector<std::string>{"a.F", "b.G", "c.H", "d.I"}));
  std::vector<std::string> calls;
  for (const PickleCall& c : scan.calls) calls.push_back(c.opcode + " " + c.callable);
  EXPECT_EQ(calls, (std::vector<std::string>{"NEWOBJ a.F", "BUILD a.F", "OBJ b.G", "NEWOBJ_EX c.H",
                                             "REDUCE d.I"}));
}

TEST(PickleScannerTest, TruncatedPickleReportsWhatItSawAndWhere) {
  // The payload is imported and called, then a BINUNICODE claims more bytes than remain.
  std::string bytes =
      "\x80\x02"
      "cbuiltins\nexec\nX\x05\x00\x00\x00printR"
      "X\xff\x00\x00\x00"
      "ab"s;
  PickleScan scan = ScanPickle(bytes);
  EXPECT_TRUE(scan.is_pickle);
  EXPECT_EQ(Globals(scan), std::vector<std::string>{"builtins.exec"});
  EXPECT_EQ(scan.calls.size(), 1u);
  EXPECT_EQ(scan.error, "BINUNICODE at byte 28 needs 255 more bytes; 2 remain");
  EXPECT_EQ(scan.error_offset, 28);
  EXPECT_EQ(scan.pickles, 0);
  PickleScan no_stop = ScanPickle("\x80\x02]q\x00"s);
  EXPECT_EQ(no_stop.error, "the pickle ends before its STOP opcode");
  EXPECT_EQ(no_stop.error_offset, 5);
}

TEST(PickleScannerTest, MalformedOpcodesAreErrorsWithOffsets) {
  PickleScan unknown = ScanPickle("\x80\x02]\xff."s);
  EXPECT_EQ(unknown.error, "unknown opcode 0xff at byte 3");
  PickleScan protocol = ScanPickle("\x80\x09."s);
  EXPECT_EQ(protocol.error, "PROTO at byte 0 announces unsupported protocol 9");
  PickleScan no_newline = ScanPickle(
      "\x80\x02"
      "cos\nsys"s);
  EXPECT_EQ(no_newline.error, "GLOBAL at byte 2 has no terminating newline");
}

TEST(PickleScannerTest, ConcatenatedPicklesAreAllScanned) {
  // A harmless pickle, then a second one importing posix.system (as torch legacy files
  // hold several pickles in a row).
  std::string bytes =
      "\x80\x02K\x01."
      "\x80\x02"
      "cposix\nsystem\n."s;
  PickleScan scan = ScanPickle(bytes);
  EXPECT_EQ(scan.pickles, 2);
  EXPECT_EQ(Globals(scan), std::vector<std::string>{"posix.system"});
  EXPECT_EQ(scan.imports[0].offset, 7);
}

TEST(PickleScannerTest, TrailingNonPickleBytesEndTheScanQuietly) {
  std::string bytes = "\x80\x02K\x01.\x00\x01\x02garbage"s;
  PickleScan scan = ScanPickle(bytes);
  EXPECT_EQ(scan.pickles, 1);
  EXPECT_TRUE(scan.error.empty());
  EXPECT_EQ(scan.trailing_bytes, 10);
}

TEST(PickleScannerTest, LegacyTorchFilesStopAfterFivePickles) {
  // magic number, protocol version, sys_info, the object, storage keys, then raw bytes that
  // would look like a GLOBAL if they were parsed.
  std::string magic = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e"s;
  std::string bytes = magic +
                      "\x80\x02M\xe9\x03."
                      "\x80\x02}q\x00."s +
                      "\x80\x02"
                      "ccollections\nOrderedDict\n)R."
                      "\x80\x02]q\x00."s +
                      "cos\nsystem\n.";
  PickleScan scan = ScanPickle(bytes);
  EXPECT_EQ(scan.pickles, 5);
  EXPECT_EQ(Globals(scan), std::vector<std::string>{"collections.OrderedDict"});
  EXPECT_EQ(scan.trailing_bytes, 12);
}

TEST(PickleScannerTest, GlobalsBuiltAtLoadTimeAreUnresolved) {
  // STACK_GLOBAL on a module string returned by a REDUCE: unknown statically.
  std::string bytes =
      "\x80\x04"
      "cbuiltins\nstr\n\x8c\x02os\x85R\x8c\x06system\x93."s;
  PickleScan scan = ScanPickle(bytes);
  ASSERT_EQ(scan.imports.size(), 2u);
  EXPECT_FALSE(scan.imports[1].resolved);
  EXPECT_EQ(scan.imports[1].Qualified(), "?.?");
}

TEST(PickleScannerTest, NonPicklesAreRecognised) {
  EXPECT_FALSE(ScanPickle("hello world").is_pickle);
  EXPECT_FALSE(ScanPickle("cmod\n\xf8\n"s).is_pickle);  // picklescan's not_a_pickle.bin shape
  EXPECT_FALSE(ScanPickle("").is_pickle);
  PickleScan plain = ScanPickle("(lp0\nVa\np1\na.");  // a protocol 0 list: a pickle
  EXPECT_TRUE(plain.is_pickle);
  EXPECT_TRUE(plain.imports.empty());
}

TEST(PickleScannerTest, JoblibArraysBetweenOpcodesAreSkipped) {
  // A NumpyArrayWrapper whose state says dtype 'i1', shape (3,), alignment 16: joblib then
  // writes one padding-length byte, that much padding and 3 raw bytes — here the bytes of a
  // GLOBAL opcode, which must not be parsed — before the pickle goes on.
  std::string wrapper =
      "\x80\x02"
      "cjoblib.numpy_pickle\nNumpyArrayWrapper\n)\x81}("
      "X\x05\x00\x00\x00"
      "dtypecnumpy\ndtype\nX\x02\x00\x00\x00i1\x89\x88\x87R"
      "X\x05\x00\x00\x00shapeK\x03\x85"
      "X\x1b\x00\x00\x00numpy_array_alignment_bytesK\x10ub"s;
  std::string bytes = wrapper + "\x02\xff\xff" + "cos" + "0N."s;
  PickleScan scan = ScanPickle(bytes);
  EXPECT_TRUE(scan.error.empty()) << scan.error;
  EXPECT_EQ(scan.pickles, 1);
  EXPECT_EQ(Globals(scan),
            (std::vector<std::string>{"joblib.numpy_pickle.NumpyArrayWrapper", "numpy.dtype"}));
}

TEST(PickleScannerTest, CyclesAndDeepNestingAreFreedSafely) {
  // EMPTY_LIST; MEMOIZE; BINGET 0; APPEND (a list containing itself); STOP
  PickleScan cycle = ScanPickle("\x80\x04]\x94h\x00a."s);
  EXPECT_EQ(cycle.pickles, 1);
  // A million nested one-tuples: freeing them must not recurse a million deep.
  std::string deep = "\x80\x04N" + std::string(1'000'000, '\x85') + ".";
  PickleScan nested = ScanPickle(deep);
  EXPECT_EQ(nested.pickles, 1);
}

}  // namespace
}  // namespace probity::policy
