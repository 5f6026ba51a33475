#include "audit/core/artifact.h"

#include <array>
#include <utility>
#include <vector>

#include "audit/core/internal/name_table.h"

namespace probity {
namespace {

constexpr internal::NameTable<ArtifactKind, 9> kKindNames = {{
    {ArtifactKind::kDataset, "dataset"},
    {ArtifactKind::kModel, "model"},
    {ArtifactKind::kCode, "code"},
    {ArtifactKind::kParams, "params"},
    {ArtifactKind::kMetrics, "metrics"},
    {ArtifactKind::kReport, "report"},
    {ArtifactKind::kCard, "card"},
    {ArtifactKind::kLog, "log"},
    {ArtifactKind::kOther, "other"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kMediaTypes = {{
    {".gz", "application/gzip"},
    {".bz2", "application/x-bzip2"},
    {".xz", "application/x-xz"},
    {".zst", "application/zstd"},
    {".csv", "text/csv"},
    {".tsv", "text/tab-separated-values"},
    {".jsonl", "application/jsonl"},
    {".ndjson", "application/jsonl"},
    {".json", "application/json"},
    {".yaml", "application/yaml"},
    {".yml", "application/yaml"},
    {".xml", "application/xml"},
    {".pmml", "application/xml"},
    {".html", "text/html"},
    {".md", "text/markdown"},
    {".txt", "text/plain"},
}};

}  // namespace

std::string_view ArtifactKindName(ArtifactKind kind) {
  return internal::NameOf(kKindNames, kind, "other");
}

std::optional<ArtifactKind> ParseArtifactKind(std::string_view name) {
  return internal::ValueOf(kKindNames, name);
}

std::string MediaTypeForPath(std::string_view path) {
  for (const auto& [extension, type] : kMediaTypes) {
    if (path.ends_with(extension)) return std::string(type);
  }
  return "application/octet-stream";
}

Result<Artifact> DescribeFile(FileSystem& fs, const std::string& path, ArtifactKind kind) {
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, fs.OpenForRead(path));
  Sha256 hasher;
  std::vector<char> buffer(1 << 20);
  int64_t size = 0;
  while (true) {
    PROBITY_ASSIGN_OR_RETURN(size_t n, in->Read(buffer));
    if (n == 0) break;
    hasher.Update(std::string_view(buffer.data(), n));
    size += static_cast<int64_t>(n);
  }
  return Artifact{hasher.Finish(), size, MediaTypeForPath(path), kind, path};
}

}  // namespace probity
