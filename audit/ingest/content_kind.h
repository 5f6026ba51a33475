// Content kinds: what a file or an archive entry is, told from its leading bytes (magic
// numbers and a little structure), never from its name. The archive reader labels every
// entry with it, the model-security scanner (policy/scanners/) dispatches on it, and the
// model loader can use it to find the model file inside an archive.
//
//   std::string_view kind = ingest::DetectContentKind(first_bytes);
//   if (kind == "pickle") ScanPickle(bytes);
#pragma once

#include <string_view>

namespace probity::ingest {

// Returns a stable lower-case name for what `head` (the first bytes of a file; pass up to a
// few KiB, or the whole file when it is in memory) is:
//   "pickle"          a Python pickle: a PROTO header (protocol 2–5), or a protocol 0/1
//                     opcode stream that starts plausibly (a GLOBAL/INST with identifier
//                     lines, or a container opcode followed by another opcode)
//   "pytorch-zip"     a zip whose entries include "<dir>/data.pkl" (torch.save since 1.6)
//   "numpy-npz"       a zip whose entries are all "*.npy"
//   "keras"           a zip with "config.json" and "metadata.json" (Keras 3 .keras)
//   "zip", "tar", "gzip", "bzip2", "xz", "zstd"
//   "zlib", "lzma"    a raw zlib (RFC 1950) or .lzma stream, as joblib compresses
//   "lz4"             an LZ4 frame (joblib's lz4 compression; not opened by the reader)
//   "numpy-npy"       "\x93NUMPY" header
//   "hdf5"            the HDF5 signature at offset 0, 512, 1024 or 2048
//   "pmml", "xgboost-json", "xgboost-ubjson", "lightgbm", "probity"
//                     model files Probity can load (the same names and tests as
//                     models::DetectModelFormat / ModelFormatName)
//   "json"            any other JSON object or array
//   "png"
//   "unknown"         anything else (text, raw tensor data, empty)
// The zip sub-kinds look at the local file headers present in `head`; with a short head a
// PyTorch or Keras zip may be reported as plain "zip". Never fails; O(head.size()).
std::string_view DetectContentKind(std::string_view head);

// True for the kinds that are compressed streams or archives the archive reader opens:
// zip (and its sub-kinds), tar, gzip, bzip2, xz, zstd, zlib and lzma.
bool IsArchiveKind(std::string_view kind);

}  // namespace probity::ingest
