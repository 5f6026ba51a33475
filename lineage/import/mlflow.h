// Importing an MLflow model's `MLmodel` file (YAML): the model becomes an artifact whose
// digest is the SHA-256 of the MLmodel file itself, with the file's fields (flavors, run_id,
// model_uuid, utc_time_created, signature, …) kept in its properties; when the file names
// the run that logged the model, that run becomes an `experiment` context named
// "runs:/<run_id>" (MLflow's own URI for a run) with an attribution of the model to it.
// docs/formats/lineage-import.md gives the mapping.
//
//   PROBITY_ASSIGN_OR_RETURN(ImportSummary summary, ImportMlflowModel(text, "MLmodel", sink));
#pragma once

#include <string_view>

#include "audit/core/result.h"
#include "lineage/import/import_summary.h"
#include "lineage/record.h"

namespace probity::lineage {

// Imports the MLmodel file whose bytes are `text`, read from `file`. kInvalidArgument,
// located at the line and column, for YAML that does not parse, a root that is not a
// mapping, a missing or empty `flavors` mapping, or run_id / model_uuid /
// utc_time_created / artifact_path that are not strings; documents nested deeper than 64
// levels or with more than 100,000 nodes (alias expansion included) are refused. Every
// record's source is {format: "mlflow", file_digest, original_id (model_uuid, else run_id),
// file}. Errors of the sink are returned as they are.
Result<ImportSummary> ImportMlflowModel(std::string_view text, std::string_view file,
                                        RecordSink& sink);

}  // namespace probity::lineage
