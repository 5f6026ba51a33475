// PMML 3.2–4.4 models (audit/ingest/models/pmml/): parses the document with pugixml and
// builds an evaluator for the model element it holds.
//
//   PROBITY_ASSIGN_OR_RETURN(auto model, models::LoadPmmlModel(xml_bytes, "audit.pmml"));
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "audit/core/model.h"
#include "audit/core/result.h"

namespace probity::models {

// kInvalidArgument "<source>:<line>: …" for malformed XML or an invalid document;
// kUnimplemented naming the element and line for a PMML feature Probity does not support.
Result<std::unique_ptr<Model>> LoadPmmlModel(std::string_view xml, const std::string& source);

}  // namespace probity::models
