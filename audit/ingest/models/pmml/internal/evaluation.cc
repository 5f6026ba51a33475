#include "audit/ingest/models/pmml/internal/evaluation.h"

#include <algorithm>
#include <cctype>

#include "audit/ingest/models/pmml/internal/xml.h"

namespace probity::models::pmml_internal {

Value Value::String(std::string_view s) {
  std::optional<double> parsed;
  // Only text that starts like a number can be one; most category labels fail here.
  if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '-' ||
                     s.front() == '+' || s.front() == '.' || s.front() == ' ' || s.front() == 'N' ||
                     s.front() == 'I')) {
    parsed = XmlSource::ParseNumber(s);
  }
  return {Kind::kString, parsed.value_or(kNaN), s};
}

std::optional<double> Value::AsNumber() const {
  if (kind == Kind::kNumber) return number;
  if (kind == Kind::kString && !std::isnan(number)) return number;
  return std::nullopt;
}

Literal Literal::Of(std::string text) {
  Literal out;
  out.number = XmlSource::ParseNumber(text);
  if (!out.number) {
    if (text == "true") out.number = 1;
    if (text == "false") out.number = 0;
  }
  out.text = std::move(text);
  return out;
}

bool Matches(const Value& value, const Literal& literal) {
  if (value.kind == Value::Kind::kNumber) return literal.number && *literal.number == value.number;
  if (value.kind == Value::Kind::kString) {
    if (value.text == literal.text) return true;
    return literal.number && *literal.number == value.number;  // NaN never equals
  }
  return false;
}

bool ValuesEqual(const Value& a, const Value& b) {
  if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString && a.text == b.text) {
    return true;
  }
  std::optional<double> x = a.AsNumber();
  std::optional<double> y = b.AsNumber();
  return x && y && *x == *y;
}

std::optional<int> CompareValues(const Value& a, const Value& b) {
  if (a.kind == Value::Kind::kNumber && b.kind == Value::Kind::kNumber) {
    return a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
  }
  std::optional<double> x = a.AsNumber();
  std::optional<double> y = b.AsNumber();
  if (x && y) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) {
    const int c = a.text.compare(b.text);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

double Logistic(double x) { return 1 / (1 + std::exp(-x)); }
double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

Value PredictedValue(const Evaluator& model, const Score& score) {
  if (score.missing) return Value::Missing();
  if (model.task == ModelTask::kRegression) return Value::Number(score.value);
  if (score.label < 0 || static_cast<size_t>(score.label) >= model.classes.size()) {
    return Value::Missing();
  }
  return Value::String(model.classes[static_cast<size_t>(score.label)]);
}

namespace {

void ApplyTargets(const Evaluator& model, Score& out) {
  const TargetTransform& t = model.targets;
  if (model.task == ModelTask::kRegression) {
    if (out.missing) {
      if (!t.default_value) return;
      out.missing = false;
      out.value = *t.default_value;
      return;
    }
    double v = out.value * t.rescale_factor + t.rescale_constant;
    if (t.min) v = std::max(v, *t.min);
    if (t.max) v = std::min(v, *t.max);
    switch (t.cast) {
      case TargetTransform::Cast::kRound: v = std::floor(v + 0.5); break;
      case TargetTransform::Cast::kCeiling: v = std::ceil(v); break;
      case TargetTransform::Cast::kFloor: v = std::floor(v); break;
      case TargetTransform::Cast::kNone: break;
    }
    out.value = v;
  } else if (model.task == ModelTask::kClassification && out.missing && !t.priors.empty()) {
    out.missing = false;
    out.probabilities = t.priors;
    out.label =
        static_cast<int32_t>(std::max_element(t.priors.begin(), t.priors.end()) - t.priors.begin());
  }
}

Value OutputValue(const Evaluator& model, const OutputField& field, const Score& score,
                  RowContext& row) {
  auto pick = [&](const std::vector<double>& values) -> Value {
    const int32_t index = field.class_index >= 0 ? field.class_index : score.label;
    if (score.missing || index < 0 || static_cast<size_t>(index) >= values.size()) {
      return Value::Missing();
    }
    return Value::Number(values[static_cast<size_t>(index)]);
  };
  switch (field.feature) {
    case OutputFeature::kPredictedValue: return PredictedValue(model, score);
    case OutputFeature::kProbability: return pick(score.probabilities);
    case OutputFeature::kClusterAffinity: return pick(score.affinities);
    case OutputFeature::kTransformedValue: return field.expr->Eval(row);
    case OutputFeature::kEntityId:
      if (score.missing || score.entity_id.empty()) return Value::Missing();
      return Value::String(score.entity_id);
    case OutputFeature::kClusterId:
      if (model.task == ModelTask::kClustering) return PredictedValue(model, score);
      return score.entity_id.empty() ? Value::Missing() : Value::String(score.entity_id);
    case OutputFeature::kReasonCode: {
      const auto rank = static_cast<size_t>(field.rank);
      if (score.missing || rank > score.reason_codes.size()) return Value::Missing();
      return Value::String(score.reason_codes[rank - 1]);
    }
  }
  return Value::Missing();
}

}  // namespace

void ScoreRow(const Evaluator& model, RowContext& row, Score& out) {
  out.Clear();
  model.Evaluate(row, out);
  ApplyTargets(model, out);
  for (const OutputField& field : model.outputs) {
    row.Set(field.slot, OutputValue(model, field, out, row));
  }
}

}  // namespace probity::models::pmml_internal
