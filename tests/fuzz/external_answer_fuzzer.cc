// libFuzzer target: arbitrary bytes as an external model's output (probity-model-protocol
// 1): the handshake, then the answer to one batch. Byte 0 gives the batch's row count
// (0-15), byte 1 the size of the pieces the output arrives in (1-64 bytes, as reads from a
// pipe would split it), bytes 2-3 (little-endian) the length of the handshake; the rest
// after the handshake is the answer.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/ingest/models/internal/external_answer.h"

using probity::models::internal::AnswerLayout;
using probity::models::internal::AnswerReader;
using probity::models::internal::HandshakeReader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const int64_t rows = data[0] % 16;
  const size_t piece = 1 + data[1] % 64;
  std::string_view input(reinterpret_cast<const char*>(data) + 4, size - 4);
  const size_t handshake_size = std::min<size_t>(data[2] | (data[3] << 8), input.size());
  std::string_view output = input.substr(0, handshake_size);
  std::string pending;
  auto feed = [&] {
    const size_t n = std::min(piece, output.size());
    pending.append(output.substr(0, n));
    output.remove_prefix(n);
  };

  HandshakeReader handshake;
  while (!handshake.done() && !output.empty()) {
    feed();
    if (!handshake.Consume(&pending).ok()) return 0;
  }
  if (!handshake.done()) return 0;
  const int64_t line = handshake.line();
  AnswerLayout layout = std::move(handshake).Finish();
  if (layout.classes.size() != layout.probability_columns.size()) std::abort();

  output = input.substr(handshake_size);
  AnswerReader reader(layout, rows, line);
  while (!reader.done() && !output.empty()) {
    feed();
    if (!reader.Consume(&pending).ok()) return 0;
  }
  if (rows == 0 && !reader.done() && !reader.Consume(&pending).ok()) return 0;
  if (!reader.done()) return 0;
  const probity::Predictions p = std::move(reader).Finish();
  const auto n = static_cast<size_t>(rows);
  if (p.rows != rows) std::abort();
  if (layout.classes.empty()
          ? p.values.size() != n
          : p.labels.size() != n || p.probabilities.size() != n * layout.classes.size()) {
    std::abort();
  }
  for (int32_t label : p.labels) {
    if (label < -1 || label >= static_cast<int32_t>(layout.classes.size())) std::abort();
  }
  return 0;
}
