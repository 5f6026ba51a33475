#include "audit/ingest/schema_inference.h"

#include "audit/ingest/type_inference.h"

namespace probity::ingest {

FormatOptions ResolvedFormatOptions(const ResolvedFormat& format) {
  FormatOptions options;
  options.type = format.type;
  options.delimiter = format.delimiter;
  options.header = format.header;
  options.quote = format.quote;
  options.trim = format.trim;
  options.missing_tokens = format.missing_tokens;
  return options;
}

Result<DatasetSpec> InferSpecFromWholeFile(FileSystem& fs, const std::string& path,
                                           const DatasetSpec& given, const ScanOptions& options) {
  // Standard input cannot be read twice: its profile will infer types from its sample.
  if (given.schema || path == "-") return given;
  PROBITY_ASSIGN_OR_RETURN(auto sampled, DatasetReader::Open(fs, path, given, options));
  DatasetSpec inferred;
  inferred.format = ResolvedFormatOptions(sampled->format());
  inferred.schema = sampled->schema();

  // Pass 1: every column as text; each batch's distinct values decide what fits.
  DatasetSpec text = inferred;
  for (size_t i = 0; i < text.schema->size(); ++i) {
    Field& f = text.schema->mutable_field(i);
    f.type = DataType::kString;
    f.inferred = false;
  }
  PROBITY_ASSIGN_OR_RETURN(auto reader, DatasetReader::Open(fs, path, text, options));
  TypeInference whole(text.format.missing_tokens);
  PROBITY_RETURN_IF_ERROR(ScanDataset<TypeInference>(
      *reader,
      [&](const RowBatch& batch) -> Result<TypeInference> {
        TypeInference partial(text.format.missing_tokens);
        for (size_t c = 0; c < batch.rows.num_columns(); ++c) {
          const Column& column = batch.rows.column(c);
          std::vector<bool> used(column.dictionary().size(), false);
          for (int32_t code : column.codes()) {
            if (code >= 0) used[static_cast<size_t>(code)] = true;
          }
          partial.Observe(c, "", /*is_null=*/true);  // make sure the column exists
          for (size_t k = 0; k < used.size(); ++k) {
            if (used[k]) partial.Observe(c, column.dictionary()[k]);
          }
        }
        return partial;
      },
      [&](RowBatch&&, TypeInference&& partial) {
        whole.Merge(partial);
        return OkStatus();
      }));
  for (size_t i = 0; i < inferred.schema->size(); ++i) {
    inferred.schema->mutable_field(i).type = whole.Inferred(i);
    inferred.schema->mutable_field(i).inferred = true;
  }
  return inferred;
}

}  // namespace probity::ingest
