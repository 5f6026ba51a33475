#include "audit/ingest/models/pmml/pmml_model.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <new>
#include <pugixml.hpp>

#include "audit/core/status.h"
#include "audit/ingest/models/feature_binding.h"
#include "audit/ingest/models/pmml/internal/compiler.h"

namespace probity::models {
namespace {

using pmml_internal::DataFieldDef;
using pmml_internal::Evaluator;
using pmml_internal::FieldTreatment;
using pmml_internal::Literal;
using pmml_internal::Value;
using pmml_internal::XmlSource;

struct BoundInput {
  DataFieldDef field;
  std::vector<Literal> valid;  // field.valid_values as literals
  int32_t slot = -1;
  FieldTreatment treatment;
};

// The value a DataField takes for a raw cell: missing for declared missing values, invalid
// for declared invalid values, out-of-range numbers and undeclared categories.
Value Classify(const BoundInput& input, Value raw) {
  const DataFieldDef& field = input.field;
  if (raw.missing()) return Value::Missing();
  for (const Literal& literal : field.missing_values) {
    if (pmml_internal::Matches(raw, literal)) return Value::Missing();
  }
  Value invalid = raw;
  invalid.kind = Value::Kind::kInvalid;
  for (const Literal& literal : field.invalid_values) {
    if (pmml_internal::Matches(raw, literal)) return invalid;
  }
  Value value = raw;
  if (field.numeric) {
    std::optional<double> number = raw.AsNumber();
    if (!number) return invalid;
    value = Value::Number(*number);
    if (!field.intervals.empty() &&
        std::none_of(field.intervals.begin(), field.intervals.end(),
                     [&](const pmml_internal::Interval& i) { return i.Contains(*number); })) {
      return invalid;
    }
  }
  if (field.kind != InputKind::kContinuous && !input.valid.empty() &&
      std::none_of(input.valid.begin(), input.valid.end(),
                   [&](const Literal& v) { return pmml_internal::Matches(value, v); })) {
    return invalid;
  }
  return value;
}

// Classify + the MiningField's invalid, outlier and missing treatment. Returns kInvalid only
// under invalidValueTreatment="returnInvalid".
Value Decode(const BoundInput& input, Value raw) {
  Value v = Classify(input, raw);
  if (v.kind == Value::Kind::kInvalid) {
    switch (input.treatment.invalid) {
      case FieldTreatment::Invalid::kReturnInvalid: return v;
      case FieldTreatment::Invalid::kAsIs:
        v.kind = input.field.numeric ? Value::Kind::kNumber : Value::Kind::kString;
        if (input.field.numeric) {
          std::optional<double> number = raw.AsNumber();
          v = number ? Value::Number(*number) : Value::Missing();
        }
        break;
      case FieldTreatment::Invalid::kAsMissing: v = Value::Missing(); break;
      case FieldTreatment::Invalid::kAsValue:
        v = input.treatment.invalid_replacement->AsValue();
        break;
    }
  }
  return pmml_internal::ApplyTreatment(input.treatment, v);
}

// Reads one input column for a batch: string columns through a table per dictionary code,
// other columns cell by cell.
class ColumnDecoder {
 public:
  ColumnDecoder(const BoundInput& input, const Column& column) : input_(&input), column_(&column) {
    if (column.type() == DataType::kString) {
      const auto& dictionary = column.dictionary();
      by_code_.reserve(dictionary.size());
      for (const std::string& text : dictionary) {
        by_code_.push_back(Decode(input, Value::String(text)));
      }
    } else if (!input.field.numeric) {
      texts_.resize(static_cast<size_t>(column.size()));
      for (int64_t r = 0; r < column.size(); ++r)
        texts_[static_cast<size_t>(r)] = CellText(column, r);
    }
  }

  Value At(int64_t row) const {
    if (!column_->IsValid(row)) return missing_;
    const auto r = static_cast<size_t>(row);
    if (!by_code_.empty() || column_->type() == DataType::kString) {
      const int32_t code = column_->codes()[r];
      return by_code_[static_cast<size_t>(code)];
    }
    if (!texts_.empty()) return Decode(*input_, Value::String(texts_[r]));
    return Decode(*input_, Value::Number(column_->NumberAt(row)));
  }
  void Prepare() { missing_ = Decode(*input_, Value::Missing()); }

 private:
  const BoundInput* input_;
  const Column* column_;
  std::vector<Value> by_code_;
  std::vector<std::string> texts_;
  Value missing_;
};

class PmmlModel final : public Model {
 public:
  PmmlModel(std::unique_ptr<pmml_internal::Program> program, std::unique_ptr<Evaluator> model,
            std::vector<BoundInput> inputs)
      : program_(std::move(program)), model_(std::move(model)), inputs_(std::move(inputs)) {}

  void Describe(const std::string& version) {
    info_.format = "pmml";
    info_.format_version = version;
    info_.algorithm = model_->element;
    info_.task = model_->task;
    info_.objective = std::string(ModelTaskName(model_->task));
    info_.link = model_->link;
    info_.target = model_->target;
    info_.classes = model_->classes;
    info_.structure = model_->structure;
    pmml_internal::InputIndex index(program_->slots.size(), -1);
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const BoundInput& in = inputs_[i];
      ModelInput input;
      input.name = in.field.name;
      input.kind = in.field.kind;
      input.format_type = in.field.data_type;
      if (in.field.kind != InputKind::kContinuous) input.categories = in.field.valid_values;
      info_.inputs.push_back(std::move(input));
      index[static_cast<size_t>(in.slot)] = static_cast<int32_t>(i);
    }
    auto trees = std::make_unique<TreeEnsembleView>();
    if (model_->task == ModelTask::kRegression && model_->AppendTrees(index, *trees) &&
        !trees->trees.empty()) {
      tree_view_ = std::move(trees);
    }
    linear_view_ = model_->MakeLinearView(index);
  }

  Result<Predictions> Predict(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(std::vector<const Column*> columns, BindColumns(info_, batch));
    std::vector<ColumnDecoder> decoders;
    decoders.reserve(inputs_.size());
    for (size_t i = 0; i < inputs_.size(); ++i) {
      decoders.emplace_back(inputs_[i], *columns[i]);
      decoders.back().Prepare();
    }
    const int64_t rows = batch.num_rows();
    const size_t n = static_cast<size_t>(rows);
    const size_t classes = model_->classes.size();
    const bool probabilities =
        model_->task == ModelTask::kClassification && model_->yields_probabilities;
    Predictions out;
    out.rows = rows;
    if (model_->task == ModelTask::kRegression) {
      out.values.resize(n);
    } else {
      out.labels.resize(n);
      if (probabilities) out.probabilities.resize(n * classes);
    }
    const size_t num_outputs = model_->outputs.size();
    std::vector<Value> extra(n * num_outputs);
    std::atomic<int64_t> bad_row{std::numeric_limits<int64_t>::max()};

#pragma omp parallel if (rows >= kParallelPredictRows)
    {
      pmml_internal::RowContext row(*program_);
      pmml_internal::Score score;
#pragma omp for schedule(static)
      for (int64_t r = 0; r < rows; ++r) {
        row.Reset();
        bool invalid = false;
        for (size_t i = 0; i < inputs_.size(); ++i) {
          Value v = decoders[i].At(r);
          invalid |= v.kind == Value::Kind::kInvalid;
          row.Set(inputs_[i].slot, v);
        }
        if (invalid) {
          int64_t seen = bad_row.load();
          while (r < seen && !bad_row.compare_exchange_weak(seen, r)) {
          }
          continue;
        }
        pmml_internal::ScoreRow(*model_, row, score);
        const auto ur = static_cast<size_t>(r);
        if (model_->task == ModelTask::kRegression) {
          out.values[ur] = score.missing ? pmml_internal::kNaN : score.value;
        } else {
          out.labels[ur] = score.missing ? -1 : score.label;
          if (probabilities) {
            const bool have = !score.missing && score.probabilities.size() == classes;
            for (size_t k = 0; k < classes; ++k) {
              out.probabilities[ur * classes + k] =
                  have ? score.probabilities[k] : pmml_internal::kNaN;
            }
          }
        }
        for (size_t k = 0; k < num_outputs; ++k) {
          extra[ur * num_outputs + k] = row.Get(model_->outputs[k].slot);
        }
      }
    }
    if (bad_row.load() != std::numeric_limits<int64_t>::max()) {
      return InvalidRow(decoders, columns, bad_row);
    }
    for (size_t k = 0; k < num_outputs; ++k) {
      out.extra.emplace_back(model_->outputs[k].name, OutputColumn(extra, k, num_outputs, n));
    }
    return out;
  }

  const TreeEnsembleView* tree_view() const override { return tree_view_.get(); }
  const LinearView* linear_view() const override { return linear_view_.get(); }
  Result<Buffer<double>> ViewInputs(const Table& batch) const override {
    if (tree_view_ == nullptr && linear_view_ == nullptr) return Model::ViewInputs(batch);
    PROBITY_ASSIGN_OR_RETURN(std::vector<Buffer<double>> values, ReadInputColumns(info_, batch));
    return ToRowMajor(values, batch.num_rows());
  }

 private:
  Status InvalidRow(const std::vector<ColumnDecoder>& decoders,
                    const std::vector<const Column*>& columns, int64_t row) const {
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (decoders[i].At(row).kind != Value::Kind::kInvalid) continue;
      const BoundInput& in = inputs_[i];
      std::string expected = "a valid value of DataField \"" + in.field.name + "\"";
      if (!in.field.valid_values.empty() && in.field.kind != InputKind::kContinuous) {
        expected += " (one of";
        for (size_t k = 0; k < in.field.valid_values.size() && k < 10; ++k) {
          expected += (k ? ", " : " ") + in.field.valid_values[k];
        }
        expected += in.field.valid_values.size() > 10 ? ", …)" : ")";
      } else if (in.field.numeric) {
        expected += " (a number in its declared intervals)";
      }
      const std::string text = CellText(*columns[i], row);
      return InvalidArgumentError("row " + std::to_string(row + 1) + ": column \"" + in.field.name +
                                  "\" holds \"" + text +
                                  "\", which the model treats as invalid "
                                  "(invalidValueTreatment=\"returnInvalid\")")
          .Expecting(expected);
    }
    return InternalError("an invalid value vanished");
  }

  // One Predictions::extra column: float64 when every present value is a number, else text.
  static Column OutputColumn(const std::vector<Value>& extra, size_t k, size_t width, size_t n) {
    bool numeric = true;
    for (size_t r = 0; r < n && numeric; ++r) {
      const Value& v = extra[r * width + k];
      numeric = v.missing() || v.is_number();
    }
    Column column(numeric ? DataType::kFloat64 : DataType::kString);
    column.Reserve(static_cast<int64_t>(n));
    for (size_t r = 0; r < n; ++r) {
      const Value& v = extra[r * width + k];
      if (v.missing()) {
        column.AppendNull();
      } else if (numeric) {
        column.AppendFloat64(v.number);
      } else if (v.is_number()) {
        Column scratch(DataType::kFloat64);
        scratch.AppendFloat64(v.number);
        column.AppendString(CellText(scratch, 0));
      } else {
        column.AppendString(v.text);
      }
    }
    return column;
  }

  std::unique_ptr<pmml_internal::Program> program_;
  std::unique_ptr<Evaluator> model_;
  std::vector<BoundInput> inputs_;
  std::unique_ptr<TreeEnsembleView> tree_view_;
  std::unique_ptr<LinearView> linear_view_;
};

bool IsModelElement(std::string_view name) {
  return name != "Header" && name != "DataDictionary" && name != "TransformationDictionary" &&
         name != "MiningBuildTask" && name != "Extension";
}

Result<std::unique_ptr<Model>> Load(std::string_view xml, const std::string& source) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_auto);
  XmlSource src(source, xml);
  if (!parsed) {
    const int64_t line = src.LineOf(parsed.offset);
    return InvalidArgumentError(std::string("malformed XML: ") + parsed.description())
        .At({source, line, 0});
  }
  pugi::xml_node root = doc.document_element();
  if (!root || pmml_internal::LocalName(root) != "PMML") {
    return src.Invalid(root ? root : doc, "the document element is not <PMML>");
  }
  const std::string version = root.attribute("version").as_string();
  auto program = std::make_unique<pmml_internal::Program>();
  pmml_internal::Compiler compiler(src, *program);
  pugi::xml_node dictionary = pmml_internal::Child(root, "DataDictionary");
  if (!dictionary) return src.Invalid(root, "<PMML> has no <DataDictionary>");
  PROBITY_RETURN_IF_ERROR(compiler.ReadDataDictionary(dictionary));
  if (pugi::xml_node transforms = pmml_internal::Child(root, "TransformationDictionary")) {
    PROBITY_RETURN_IF_ERROR(compiler.ReadTransformationDictionary(transforms));
  }
  pugi::xml_node model_node;
  for (const pugi::xml_node& child : pmml_internal::Elements(root)) {
    if (IsModelElement(pmml_internal::LocalName(child))) {
      model_node = child;
      break;
    }
  }
  if (!model_node) return src.Invalid(root, "<PMML> holds no model element");
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Evaluator> evaluator,
                           compiler.CompileModel(model_node, /*top_level=*/true));
  // Global fields no model reads are checked, but the data fields only they read are not
  // model inputs.
  const size_t used_inputs = compiler.inputs().size();
  PROBITY_RETURN_IF_ERROR(compiler.CheckGlobalFields());
  std::vector<BoundInput> inputs;
  for (size_t i = 0; i < used_inputs; ++i) {
    const pmml_internal::InputBinding& binding = compiler.inputs()[i];
    BoundInput in{*binding.field, {}, binding.slot, binding.treatment};
    for (const std::string& v : in.field.valid_values) in.valid.push_back(Literal::Of(v));
    inputs.push_back(std::move(in));
  }
  auto model =
      std::make_unique<PmmlModel>(std::move(program), std::move(evaluator), std::move(inputs));
  model->Describe(version);
  return std::unique_ptr<Model>(std::move(model));
}

}  // namespace

Result<std::unique_ptr<Model>> LoadPmmlModel(std::string_view xml, const std::string& source) {
  try {
    return Load(xml, source);
  } catch (const std::bad_alloc&) {
    return InvalidArgumentError("the PMML document needs more memory than available")
        .At({source, 0, 0});
  } catch (const std::exception& e) {
    return InternalError(std::string("unexpected error while loading PMML: ") + e.what())
        .At({source, 0, 0});
  }
}

}  // namespace probity::models
