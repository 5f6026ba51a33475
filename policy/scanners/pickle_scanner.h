// A static Python pickle disassembler for protocols 0–5 that executes nothing: it walks the
// opcodes, simulating the unpickler's stack and memo only far enough to know which globals a
// pickle imports (GLOBAL, INST, STACK_GLOBAL — also when the module and name strings come
// from the memo) and where it calls something (REDUCE, BUILD, OBJ, NEWOBJ, NEWOBJ_EX, INST).
// The model scanner (model_scanner.h) judges what it finds against the global lists.
//
//   PickleScan scan = ScanPickle(bytes);
//   for (const PickleImport& g : scan.imports) std::cout << g.module << "." << g.name;
//   if (!scan.error.empty()) std::cout << "stopped at byte " << scan.error_offset;
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace probity::policy {

struct PickleImport {
  std::string module;  // as written in the pickle ("__builtin__", "posix", …)
  std::string name;    // may be dotted ("Profile.run")
  int64_t offset = 0;  // of the importing opcode in the scanned bytes
  std::string opcode;  // "GLOBAL", "INST", "STACK_GLOBAL", "EXT1", "EXT2", "EXT4"
  // False when the module or name was not a literal string (built at load time, or an
  // extension-registry code): module and name are then "?" (or the code).
  bool resolved = true;
  std::string Qualified() const { return module + "." + name; }
};

struct PickleCall {
  int64_t offset = 0;
  std::string opcode;    // "REDUCE", "BUILD", "OBJ", "NEWOBJ", "NEWOBJ_EX", "INST"
  std::string callable;  // "module.name" of the called global (BUILD: the object's class),
                         // or "" when it is not a tracked import
};

struct PickleScan {
  // False when the bytes are not a pickle: no PROTO header and neither a STOP nor an import
  // before the first error (so loading them could not run anything). Then nothing else is
  // meaningful.
  bool is_pickle = false;
  int pickles = 0;                    // complete pickles (STOP reached), counting concatenated ones
  int max_protocol = 0;               // highest PROTO seen (0 without one)
  std::vector<PickleImport> imports;  // in file order
  std::vector<PickleCall> calls;      // in file order
  // Why parsing stopped early ("" when every pickle parsed to its STOP), and where. What was
  // seen before the error is still reported.
  std::string error;
  int64_t error_offset = -1;
  // Bytes after the last pickle that were not parsed (trailing data, legacy PyTorch
  // storages, …).
  int64_t trailing_bytes = 0;
};

// Disassembles `bytes`: one pickle, or several concatenated (legacy torch.save files hold
// five pickles then raw storage bytes; joblib files hold arrays between opcodes, which are
// skipped using the array wrapper's dtype and shape). Never fails and never throws; memory
// and time are linear in bytes.size().
PickleScan ScanPickle(std::string_view bytes);

}  // namespace probity::policy
