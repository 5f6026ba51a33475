// Reads and writes dataset schema files (docs/formats/schema.md): YAML or JSON documents
// that fix how a file is read (`format:`) and what each column is (`columns:`). Every error
// names the schema file, the line and column of the offending node, and what was expected.
//
//   PROBITY_ASSIGN_OR_RETURN(DatasetSpec spec, LoadSchemaFile(fs, "german.schema.yaml"));
//   PROBITY_ASSIGN_OR_RETURN(auto reader, DatasetReader::Open(fs, "german.data", spec, {}));
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "audit/core/file_system.h"
#include "audit/ingest/format_options.h"
#include "audit/ingest/profile.h"

namespace probity::ingest {

// Parses schema-file text; `file` names it in errors. kInvalidArgument for malformed YAML or
// JSON, unknown keys, bad values, or an invalid schema (duplicate names…).
Result<DatasetSpec> ParseSchemaFile(std::string_view text, const std::string& file);

// Reads and parses a schema file (at most 16 MiB). kNotFound/kIoError from the file system.
Result<DatasetSpec> LoadSchemaFile(FileSystem& fs, const std::string& path);

// Writes the schema a profile observed as an editable YAML schema file: the format that was
// detected, every column's (final) type and role, with comments naming candidate facets and
// listing the values of low-cardinality text columns.
std::string SchemaFileYaml(const DatasetProfile& profile);

// The same content as a JSON document with "schema": "probity.data.schema/1" (which
// ParseSchemaFile accepts back).
std::string SchemaFileJson(const DatasetProfile& profile);

}  // namespace probity::ingest
