#include "lineage/import/mlflow.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <utility>

#include "audit/core/digest.h"
#include "lineage/import/internal/record_plan.h"

namespace probity::lineage {
namespace {

using internal::RecordPlan;
using nlohmann::json;

constexpr int kMaxDepth = 64;
constexpr int64_t kMaxNodes = 100'000;

InputLocation Where(std::string_view file, const YAML::Mark& mark) {
  if (mark.is_null()) return {std::string(file), 0, 0};
  return {std::string(file), mark.line + 1, mark.column + 1};
}

// A YAML 1.2 core-schema scalar: quoted scalars are strings; plain ones may be null, a
// boolean, an integer or a float.
json Scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
  const char* end = text.data() + text.size();
  int64_t integer = 0;
  if (auto [ptr, ec] = std::from_chars(begin, end, integer); ec == std::errc() && ptr == end) {
    return integer;
  }
  if (text.find_first_of(".eE") != std::string::npos) {
    double number = 0;
    if (auto [ptr, ec] = std::from_chars(begin, end, number);
        ec == std::errc() && ptr == end && std::isfinite(number)) {
      return number;
    }
  }
  return text;
}

// YAML → JSON, bounded in depth and total nodes (aliases are expanded, so a small file could
// otherwise describe an exponentially large document).
class YamlToJson {
 public:
  explicit YamlToJson(std::string_view file) : file_(file) {}

  Result<json> Convert(const YAML::Node& node, int depth) {
    if (++nodes_ > kMaxNodes) {
      return InvalidArgumentError("the MLmodel file expands to more than " +
                                  std::to_string(kMaxNodes) + " YAML nodes")
          .At(Where(file_, node.Mark()));
    }
    if (depth > kMaxDepth) {
      return InvalidArgumentError("YAML nested deeper than " + std::to_string(kMaxDepth) +
                                  " levels")
          .At(Where(file_, node.Mark()));
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: return json(nullptr);
      case YAML::NodeType::Scalar: return Scalar(node);
      case YAML::NodeType::Sequence: {
        json out = json::array();
        for (const auto& item : node) {
          PROBITY_ASSIGN_OR_RETURN(json value, Convert(item, depth + 1));
          out.push_back(std::move(value));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        json out = json::object();
        for (const auto& item : node) {
          if (!item.first.IsScalar()) {
            return InvalidArgumentError("a mapping key is not a scalar")
                .At(Where(file_, item.first.Mark()));
          }
          PROBITY_ASSIGN_OR_RETURN(json value, Convert(item.second, depth + 1));
          out[item.first.Scalar()] = std::move(value);
        }
        return out;
      }
    }
    return json(nullptr);
  }

 private:
  std::string_view file_;
  int64_t nodes_ = 0;
};

Status FieldError(std::string_view file, const YAML::Node& node, const std::string& key,
                  std::string message, std::string expected) {
  return InvalidArgumentError("MLmodel: " + key + " " + std::move(message))
      .At(Where(file, node.Mark()))
      .Expecting(std::move(expected));
}

// An optional top-level string field.
Result<std::optional<std::string>> OptionalString(std::string_view file, const YAML::Node& root,
                                                  const json& converted, const std::string& key) {
  auto it = converted.find(key);
  if (it == converted.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return FieldError(file, root[key], key, std::string("is a ") + it->type_name(), "a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

}  // namespace

Result<ImportSummary> ImportMlflowModel(std::string_view text, std::string_view file,
                                        RecordSink& sink) {
  YAML::Node root;
  json model;
  try {
    root = YAML::Load(std::string(text));
    if (!root.IsMap()) {
      return InvalidArgumentError("the MLmodel file is not a YAML mapping")
          .At(Where(file, root.Mark()))
          .Expecting("a mapping with `flavors`");
    }
    YamlToJson converter(file);
    PROBITY_ASSIGN_OR_RETURN(model, converter.Convert(root, 0));
    const json& flavors = model["flavors"];
    if (!flavors.is_object() || flavors.empty()) {
      return FieldError(file, root["flavors"].IsDefined() ? root["flavors"] : root, "flavors",
                        flavors.is_null() ? "is missing" : "is not a non-empty mapping",
                        "a mapping of flavor names to their settings");
    }
    PROBITY_ASSIGN_OR_RETURN(auto run_id, OptionalString(file, root, model, "run_id"));
    PROBITY_ASSIGN_OR_RETURN(auto uuid, OptionalString(file, root, model, "model_uuid"));
    PROBITY_ASSIGN_OR_RETURN(auto created, OptionalString(file, root, model, "utc_time_created"));
    PROBITY_ASSIGN_OR_RETURN(auto path, OptionalString(file, root, model, "artifact_path"));
    if (run_id && run_id->empty()) {
      return FieldError(file, root["run_id"], "run_id", "is empty", "an MLflow run id");
    }

    // Strings from YAML need not be UTF-8; JSON records must be.
    model.dump();

    std::string digest = Sha256Of(text).ToString();
    json source = {{"format", "mlflow"}, {"file_digest", digest}, {"file", std::string(file)}};
    if (uuid) {
      source["original_id"] = *uuid;
    } else if (run_id) {
      source["original_id"] = *run_id;
    }
    RecordPlan plan;
    json artifact = {{"digest", digest},
                     {"kind", "model"},
                     {"media_type", "application/yaml"},
                     {"size", static_cast<int64_t>(text.size())},
                     {"name", path.value_or(std::string(file))},
                     {"properties", model}};
    size_t model_index = plan.Add(RecordKind::kArtifact, std::move(artifact), source);
    if (run_id) {
      size_t run = plan.Add(RecordKind::kContext,
                            {{"type", "experiment"},
                             {"name", "runs:/" + *run_id},
                             {"properties", {{"run_id", *run_id}}}},
                            source);
      plan.Add(RecordKind::kAttribution, json::object(), source, false,
               {{"context", run}, {"artifact", model_index}});
    }
    PROBITY_ASSIGN_OR_RETURN(std::vector<int64_t> ids, plan.Commit(sink));
    return ImportSummary{1, static_cast<int64_t>(ids.size())};
  } catch (const YAML::Exception& error) {
    return InvalidArgumentError("MLmodel is not valid YAML: " + error.msg)
        .At(Where(file, error.mark));
  } catch (const json::exception& error) {
    return InvalidArgumentError(std::string("MLmodel holds text that is not UTF-8: ") +
                                error.what())
        .At({std::string(file), 0, 0});
  }
}

}  // namespace probity::lineage
