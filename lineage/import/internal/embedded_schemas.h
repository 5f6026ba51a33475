// The schema files embedded in the binary by lineage/CMakeLists.txt (probity_embed_file):
// each with its path relative to lineage/import/schemas/<format>/.
#pragma once

#include <span>
#include <string_view>

namespace probity::embedded {

struct EmbeddedFile {
  std::string_view path;
  std::string_view (*bytes)();
};

// lineage/import/schemas/openlineage/: OpenLineage.json and facets/*.json.
std::span<const EmbeddedFile> OpenLineageSchemaFiles();

}  // namespace probity::embedded
