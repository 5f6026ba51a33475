#include "audit/ingest/models/xgboost_model.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/core/status.h"
#include "audit/ingest/models/feature_binding.h"
#include "audit/ingest/models/internal/float_forest.h"

namespace probity::models {
namespace {

using Json = nlohmann::json;

// Limits that keep a hostile file from asking for absurd allocations.
constexpr size_t kMaxTrees = 1 << 20;
constexpr size_t kMaxNodesPerTree = 1 << 24;
constexpr int kMaxOutputs = 1 << 16;

// The objective's output transform, as XGBoost's PredTransform applies it.
enum class Transform { kIdentity, kLogistic, kSoftmax, kExp, kLogitRaw };

struct Objective {
  Transform transform;
  ModelTask task;
  std::string link;
};

std::optional<Objective> ObjectiveFor(std::string_view name) {
  if (name == "binary:logistic")
    return Objective{Transform::kLogistic, ModelTask::kClassification, "logistic"};
  if (name == "binary:logitraw")
    return Objective{Transform::kLogitRaw, ModelTask::kClassification, "logistic"};
  if (name == "reg:logistic")
    return Objective{Transform::kLogistic, ModelTask::kRegression, "logistic"};
  if (name == "multi:softprob" || name == "multi:softmax")
    return Objective{Transform::kSoftmax, ModelTask::kClassification, "softmax"};
  if (name == "count:poisson" || name == "reg:gamma" || name == "reg:tweedie" ||
      name == "survival:cox")
    return Objective{Transform::kExp, ModelTask::kRegression, "exp"};
  if (name == "reg:squarederror" || name == "reg:linear" || name == "reg:squaredlogerror" ||
      name == "reg:pseudohubererror" || name == "reg:absoluteerror" ||
      name == "reg:quantileerror" || name.starts_with("rank:"))
    return Objective{Transform::kIdentity, ModelTask::kRegression, "identity"};
  return std::nullopt;
}

// Errors carry the file and the JSON path of the offending value.
Status ModelError(const std::string& source, const std::string& path, const std::string& what,
                  const std::string& expected) {
  return InvalidArgumentError(source + ": " + path + ": " + what).Expecting(expected);
}

class JsonReader {
 public:
  explicit JsonReader(const std::string& source) : source_(source) {}

  Result<const Json*> Member(const Json& object, const std::string& path, std::string_view key,
                             bool required = true) const {
    if (!object.is_object()) {
      return ModelError(source_, path, "is not an object", "a JSON object");
    }
    auto it = object.find(key);
    if (it == object.end()) {
      if (!required) return static_cast<const Json*>(nullptr);
      return ModelError(source_, path, "has no \"" + std::string(key) + "\"",
                        "an XGBoost model saved by Booster.save_model");
    }
    return &*it;
  }

  // XGBoost writes most scalars as strings ("num_class": "3"); accept numbers too.
  Result<double> Number(const Json& value, const std::string& path) const {
    if (value.is_number()) return value.get<double>();
    if (value.is_string()) {
      const std::string& text = value.get_ref<const std::string&>();
      std::istringstream in(text);
      in.imbue(std::locale::classic());
      double v;
      if (in >> v && (in >> std::ws).eof()) return v;
    }
    return ModelError(source_, path, "holds " + Describe(value), "a number");
  }

  Result<int64_t> Integer(const Json& value, const std::string& path, int64_t min,
                          int64_t max) const {
    PROBITY_ASSIGN_OR_RETURN(double v, Number(value, path));
    if (!(v >= static_cast<double>(min) && v <= static_cast<double>(max)) || v != std::floor(v)) {
      return ModelError(
          source_, path, "holds " + Describe(value),
          "an integer between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return static_cast<int64_t>(v);
  }

  Result<std::string> String(const Json& value, const std::string& path) const {
    if (!value.is_string())
      return ModelError(source_, path, "holds " + Describe(value), "a string");
    return value.get<std::string>();
  }

  // A numeric array of exactly `size` elements (size < 0: any length up to `max_size`).
  template <typename T>
  Result<std::vector<T>> Array(const Json& value, const std::string& path, int64_t size,
                               size_t max_size = kMaxNodesPerTree) const {
    if (!value.is_array()) {
      return ModelError(source_, path, "holds " + Describe(value), "an array");
    }
    if ((size >= 0 && value.size() != static_cast<size_t>(size)) || value.size() > max_size) {
      return ModelError(source_, path, "has " + std::to_string(value.size()) + " elements",
                        size >= 0 ? std::to_string(size) + " elements (one per node)"
                                  : "at most " + std::to_string(max_size) + " elements");
    }
    std::vector<T> out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size(); ++i) {
      const Json& e = value[i];
      if (e.is_boolean()) {
        out.push_back(static_cast<T>(e.get<bool>()));
      } else if (e.is_null() && std::is_floating_point_v<T>) {
        out.push_back(std::numeric_limits<T>::quiet_NaN());
      } else if (e.is_string() && std::is_floating_point_v<T> &&
                 (e.get_ref<const std::string&>() == "inf" ||
                  e.get_ref<const std::string&>() == "-inf")) {
        const bool negative = e.get_ref<const std::string&>() == "-inf";
        out.push_back(negative ? -std::numeric_limits<T>::infinity()
                               : std::numeric_limits<T>::infinity());
      } else if (e.is_number()) {
        const double d = e.get<double>();
        if constexpr (std::is_integral_v<T>) {
          // A strict upper bound: (double)INT64_MAX rounds up to 2^63, which does not fit.
          if (!(d >= static_cast<double>(std::numeric_limits<T>::min()) &&
                d < -2.0 * static_cast<double>(std::numeric_limits<T>::min()))) {
            return ModelError(source_, path + "[" + std::to_string(i) + "]", "holds " + e.dump(),
                              "an integer in range");
          }
        }
        if constexpr (std::is_same_v<T, float>) {
          // Out-of-range doubles become ±infinity (a plain cast would be undefined).
          constexpr double kMax = std::numeric_limits<float>::max();
          out.push_back(d > kMax    ? std::numeric_limits<float>::infinity()
                        : d < -kMax ? -std::numeric_limits<float>::infinity()
                                    : static_cast<float>(d));
        } else {
          out.push_back(static_cast<T>(d));
        }
      } else {
        return ModelError(source_, path + "[" + std::to_string(i) + "]", "holds " + Describe(e),
                          "a number");
      }
    }
    return out;
  }

  static std::string Describe(const Json& value) {
    std::string text = value.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return std::string(value.type_name()) + " " + text;
  }

 private:
  const std::string& source_;
};

// base_score: "5E-1" (XGBoost 1.x) or "[2.3538704E-1]" / "[1.5E1,2.3E1]" (2.x, 3.x).
Result<std::vector<float>> ParseBaseScore(const Json& value, const std::string& source) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (!text.empty() && text.front() == '[') {
    if (text.back() != ']') {
      return ModelError(source, "learner.learner_model_param.base_score", "holds " + text,
                        "a number or a bracketed list of numbers");
    }
    text = text.substr(1, text.size() - 2);
  }
  std::vector<float> out;
  std::stringstream in(text);
  in.imbue(std::locale::classic());
  std::string item;
  while (std::getline(in, item, ',')) {
    std::istringstream number(item);
    number.imbue(std::locale::classic());
    float v;
    if (!(number >> v) || !(number >> std::ws).eof()) {
      return ModelError(source, "learner.learner_model_param.base_score", "holds " + text,
                        "a number or a bracketed list of numbers");
    }
    out.push_back(v);
    if (out.size() > static_cast<size_t>(kMaxOutputs)) break;
  }
  if (out.empty()) {
    return ModelError(source, "learner.learner_model_param.base_score", "is empty", "a number");
  }
  return out;
}

// XGBoost's ObjFunction::ProbToMargin, in float as XGBoost computes it.
float ProbToMargin(Transform transform, float base_score) {
  switch (transform) {
    case Transform::kLogistic:
    case Transform::kLogitRaw: return -std::log(1.0F / base_score - 1.0F);
    case Transform::kExp: return std::log(base_score);
    case Transform::kIdentity:
    case Transform::kSoftmax: return base_score;
  }
  return base_score;
}

float Sigmoid(float x) {
  // common::Sigmoid: the exponent is clamped so expf cannot overflow.
  const float e = std::exp(std::min(-x, 88.7F));
  return 1.0F / (e + 1.0F);
}

class XGBoostModel final : public Model {
 public:
  XGBoostModel(ModelInfo info, TreeEnsembleView view, internal::FloatForest forest,
               Transform transform)
      : view_(std::move(view)), forest_(std::move(forest)), transform_(transform) {
    info_ = std::move(info);
  }

  const TreeEnsembleView* tree_view() const override { return &view_; }
  // XGBoost scores float32 features: the view reads the same rounded values.
  Result<Buffer<double>> ViewInputs(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(std::vector<Buffer<double>> values, ReadInputColumns(info_, batch));
    Buffer<double> out = ToRowMajor(values, batch.num_rows());
    for (double& v : out) v = static_cast<float>(v);
    return out;
  }

  Result<Predictions> Predict(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(std::vector<const Column*> columns, BindColumns(info_, batch));
    const int64_t rows = batch.num_rows();
    const size_t width = info_.inputs.size();
    Buffer<float> features(static_cast<size_t>(rows) * width);
    for (size_t j = 0; j < width; ++j) {
      const ModelInput& input = info_.inputs[j];
      if (input.kind == InputKind::kCategorical && !input.categories.empty()) {
        PROBITY_ASSIGN_OR_RETURN(std::vector<int32_t> codes, EncodeCategories(*columns[j], input));
        for (int64_t r = 0; r < rows; ++r) {
          const int32_t code = codes[static_cast<size_t>(r)];
          features[static_cast<size_t>(r) * width + j] =
              code < 0 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(code);
        }
      } else {
        // Continuous inputs, and categorical inputs of models that record codes only.
        PROBITY_ASSIGN_OR_RETURN(Buffer<double> values, ReadNumbers(*columns[j], input));
        for (int64_t r = 0; r < rows; ++r) {
          features[static_cast<size_t>(r) * width + j] =
              static_cast<float>(values[static_cast<size_t>(r)]);
        }
      }
    }
    const auto outputs = static_cast<size_t>(forest_.num_outputs());
    Buffer<float> margins(static_cast<size_t>(rows) * outputs);
    forest_.PredictMargins(features, rows, margins);
    return Transformed(margins, rows);
  }

 private:
  Predictions Transformed(const Buffer<float>& margins, int64_t rows) const {
    Predictions p;
    p.rows = rows;
    const auto outputs = static_cast<size_t>(forest_.num_outputs());
    const auto n = static_cast<size_t>(rows);
    p.margin_width = static_cast<int>(outputs);
    p.margins.assign(margins.begin(), margins.end());
    if (info_.task == ModelTask::kRegression) {
      p.values.resize(n * outputs);
      for (size_t i = 0; i < n * outputs; ++i) {
        const float m = margins[i];
        p.values[i] = transform_ == Transform::kLogistic ? Sigmoid(m)
                      : transform_ == Transform::kExp    ? std::exp(m)
                                                         : m;
      }
      return p;
    }
    p.labels.resize(n);
    if (transform_ == Transform::kSoftmax) {
      p.probabilities.resize(n * outputs);
      for (size_t r = 0; r < n; ++r) {
        const float* m = margins.data() + r * outputs;
        // common::Softmax: subtract the maximum, exponentiate, normalise, all in float.
        const float max = *std::max_element(m, m + outputs);
        double* prob = p.probabilities.data() + r * outputs;
        float sum = 0;
        for (size_t k = 0; k < outputs; ++k) {
          const float e = std::exp(m[k] - max);
          prob[k] = e;
          sum += e;
        }
        size_t best = 0;
        for (size_t k = 0; k < outputs; ++k) {
          prob[k] = static_cast<float>(prob[k]) / sum;
          if (m[k] > m[best]) best = k;
        }
        // A NaN margin (a null leaf value) is no prediction, not class 0.
        p.labels[r] = std::isnan(sum) ? -1 : static_cast<int32_t>(best);
      }
      return p;
    }
    // Binary: probability(0), probability(1); the label is 1 above one half.
    p.probabilities.resize(n * 2);
    for (size_t r = 0; r < n; ++r) {
      const float p1 = Sigmoid(margins[r]);
      p.probabilities[2 * r] = 1.0F - p1;
      p.probabilities[2 * r + 1] = p1;
      p.labels[r] = std::isnan(p1) ? -1 : p1 > 0.5F ? 1 : 0;
    }
    return p;
  }

  TreeEnsembleView view_;
  internal::FloatForest forest_;
  Transform transform_;
};

// Category names from XGBoost 3.x's `cats` block: per feature, UTF-8 strings stored as
// byte values with offsets; features without categories have empty arrays.
Result<std::vector<std::vector<std::string>>> ReadCategoryEncoder(const JsonReader& json,
                                                                  const Json& cats,
                                                                  size_t num_features,
                                                                  const std::string& source) {
  std::vector<std::vector<std::string>> names(num_features);
  PROBITY_ASSIGN_OR_RETURN(const Json* enc, json.Member(cats, "cats", "enc", false));
  if (enc == nullptr || !enc->is_array() || enc->empty()) return names;
  if (enc->size() != num_features) {
    return ModelError(source, "gradient_booster.model.cats.enc",
                      "has " + std::to_string(enc->size()) + " entries",
                      "one entry per feature (" + std::to_string(num_features) + ")");
  }
  for (size_t f = 0; f < num_features; ++f) {
    const std::string path = "gradient_booster.model.cats.enc[" + std::to_string(f) + "]";
    const Json& entry = (*enc)[f];
    if (!entry.is_object()) continue;
    PROBITY_ASSIGN_OR_RETURN(const Json* offsets_json, json.Member(entry, path, "offsets"));
    PROBITY_ASSIGN_OR_RETURN(const Json* values_json, json.Member(entry, path, "values"));
    PROBITY_ASSIGN_OR_RETURN(auto offsets,
                             json.Array<int64_t>(*offsets_json, path + ".offsets", -1));
    if (offsets.empty()) {
      // Numeric categories are stored as numbers in `values`.
      PROBITY_ASSIGN_OR_RETURN(auto values, json.Array<double>(*values_json, path + ".values", -1));
      for (double v : values) {
        char buffer[64];
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
        names[f].emplace_back(buffer, end);
      }
      continue;
    }
    PROBITY_ASSIGN_OR_RETURN(
        auto bytes, json.Array<int64_t>(*values_json, path + ".values", -1, size_t{1} << 28));
    for (size_t i = 0; i + 1 < offsets.size(); ++i) {
      const int64_t begin = offsets[i];
      const int64_t end = offsets[i + 1];
      if (begin < 0 || end < begin || static_cast<size_t>(end) > bytes.size()) {
        return ModelError(source, path + ".offsets", "are not increasing within the values",
                          "offsets into the category bytes");
      }
      std::string name;
      for (int64_t b = begin; b < end; ++b)
        name.push_back(static_cast<char>(bytes[static_cast<size_t>(b)]));
      names[f].push_back(std::move(name));
    }
  }
  return names;
}

// Reads one tree into a TreeView, checking every reference: children in range, each node
// reached once from the root (no cycles, no sharing), leaves with values.
Result<TreeView> ReadTree(const JsonReader& json, const Json& tree, const std::string& path,
                          size_t num_features, const std::string& source) {
  PROBITY_ASSIGN_OR_RETURN(const Json* param, json.Member(tree, path, "tree_param"));
  PROBITY_ASSIGN_OR_RETURN(const Json* num_nodes_json,
                           json.Member(*param, path + ".tree_param", "num_nodes"));
  PROBITY_ASSIGN_OR_RETURN(
      int64_t num_nodes,
      json.Integer(*num_nodes_json, path + ".tree_param.num_nodes", 1, kMaxNodesPerTree));
  if (const auto leaf_vector = param->find("size_leaf_vector"); leaf_vector != param->end()) {
    PROBITY_ASSIGN_OR_RETURN(
        int64_t size,
        json.Integer(*leaf_vector, path + ".tree_param.size_leaf_vector", 0, kMaxOutputs));
    if (size > 1) {
      return UnimplementedError(source + ": " + path +
                                ": vector-leaf trees (multi_strategy=\"multi_output_tree\") are "
                                "not supported yet; one_output_per_tree models are");
    }
  }
  auto array = [&](std::string_view key, auto tag) -> Result<std::vector<decltype(tag)>> {
    PROBITY_ASSIGN_OR_RETURN(const Json* value, json.Member(tree, path, key));
    return json.Array<decltype(tag)>(*value, path + "." + std::string(key), num_nodes);
  };
  PROBITY_ASSIGN_OR_RETURN(auto left, array("left_children", int32_t{}));
  PROBITY_ASSIGN_OR_RETURN(auto right, array("right_children", int32_t{}));
  PROBITY_ASSIGN_OR_RETURN(auto split_index, array("split_indices", int64_t{}));
  PROBITY_ASSIGN_OR_RETURN(auto condition, array("split_conditions", float{}));
  PROBITY_ASSIGN_OR_RETURN(auto default_left, array("default_left", int32_t{}));
  PROBITY_ASSIGN_OR_RETURN(auto hessian, array("sum_hessian", double{}));
  std::vector<int32_t> split_type(static_cast<size_t>(num_nodes), 0);
  if (tree.contains("split_type")) {
    PROBITY_ASSIGN_OR_RETURN(split_type, array("split_type", int32_t{}));
  }
  // Categorical splits: the categories of node categories_nodes[i] are
  // categories[categories_segments[i] .. + categories_sizes[i]].
  std::vector<int32_t> cat_nodes, cat_segments, cat_sizes, categories;
  if (tree.contains("categories_nodes")) {
    PROBITY_ASSIGN_OR_RETURN(const Json* v, json.Member(tree, path, "categories_nodes"));
    PROBITY_ASSIGN_OR_RETURN(cat_nodes, json.Array<int32_t>(*v, path + ".categories_nodes", -1));
    PROBITY_ASSIGN_OR_RETURN(v, json.Member(tree, path, "categories_segments"));
    PROBITY_ASSIGN_OR_RETURN(cat_segments,
                             json.Array<int32_t>(*v, path + ".categories_segments",
                                                 static_cast<int64_t>(cat_nodes.size())));
    PROBITY_ASSIGN_OR_RETURN(v, json.Member(tree, path, "categories_sizes"));
    PROBITY_ASSIGN_OR_RETURN(cat_sizes,
                             json.Array<int32_t>(*v, path + ".categories_sizes",
                                                 static_cast<int64_t>(cat_nodes.size())));
    PROBITY_ASSIGN_OR_RETURN(v, json.Member(tree, path, "categories"));
    PROBITY_ASSIGN_OR_RETURN(categories, json.Array<int32_t>(*v, path + ".categories", -1));
  }

  TreeView view;
  view.nodes.resize(static_cast<size_t>(num_nodes));
  for (size_t i = 0; i < view.nodes.size(); ++i) {
    TreeNode& node = view.nodes[i];
    node.cover = hessian[i];
    const std::string at = path + " node " + std::to_string(i);
    if (left[i] == -1 && right[i] == -1) {
      node.kind = SplitKind::kLeaf;
      node.leaf = {static_cast<double>(condition[i])};
      continue;
    }
    if (left[i] <= 0 || right[i] <= 0 || left[i] >= num_nodes || right[i] >= num_nodes) {
      return ModelError(
          source, at,
          "has children " + std::to_string(left[i]) + " and " + std::to_string(right[i]),
          "child indices between 1 and " + std::to_string(num_nodes - 1) +
              ", or -1 and -1 for a leaf");
    }
    if (split_index[i] < 0 || static_cast<size_t>(split_index[i]) >= num_features) {
      return ModelError(source, at, "splits on feature " + std::to_string(split_index[i]),
                        "a feature index below num_feature (" + std::to_string(num_features) + ")");
    }
    node.feature = static_cast<int32_t>(split_index[i]);
    node.left = left[i];
    node.right = right[i];
    node.default_left = default_left[i] != 0;
    node.threshold = condition[i];
    node.kind = split_type[i] == 1 ? SplitKind::kCategorical : SplitKind::kLess;
    node.categories_go_left = false;
  }
  // XGBoost writes the segments back to back; requiring that bounds the copies below by
  // the file's own size (overlapping segments could multiply it).
  size_t next_segment = 0;
  for (size_t k = 0; k < cat_nodes.size(); ++k) {
    const int32_t n = cat_nodes[k];
    if (n < 0 || n >= num_nodes || cat_sizes[k] < 0 ||
        static_cast<size_t>(cat_segments[k]) != next_segment ||
        next_segment + static_cast<size_t>(cat_sizes[k]) > categories.size()) {
      return ModelError(source, path + ".categories_nodes[" + std::to_string(k) + "]",
                        "refers outside the tree or the category list",
                        "a categorical node and the next segment of \"categories\"");
    }
    next_segment += static_cast<size_t>(cat_sizes[k]);
    TreeNode& node = view.nodes[static_cast<size_t>(n)];
    node.categories.assign(categories.begin() + cat_segments[k],
                           categories.begin() + cat_segments[k] + cat_sizes[k]);
    for (int32_t c : node.categories) {
      if (c < 0 || c >= (1 << 24)) {
        return ModelError(source, path + ".categories", "holds the category " + std::to_string(c),
                          "category codes between 0 and 2^24");
      }
    }
  }
  // Every node reachable exactly once from the root.
  std::vector<uint8_t> seen(view.nodes.size(), 0);
  std::vector<int32_t> stack{0};
  while (!stack.empty()) {
    const int32_t n = stack.back();
    stack.pop_back();
    if (seen[static_cast<size_t>(n)]++ != 0) {
      return ModelError(source, path + " node " + std::to_string(n),
                        "is reached twice from the root (a cycle or a shared child)",
                        "a tree: each node the child of exactly one parent");
    }
    const TreeNode& node = view.nodes[static_cast<size_t>(n)];
    if (node.kind != SplitKind::kLeaf) {
      stack.push_back(node.left);
      stack.push_back(node.right);
    }
  }
  return view;
}

Result<std::unique_ptr<Model>> LoadFromJson(const Json& root, const std::string& source,
                                            const ModelLoadOptions& options) {
  const JsonReader json(source);
  PROBITY_ASSIGN_OR_RETURN(const Json* learner, json.Member(root, "(root)", "learner"));
  ModelInfo info;
  info.format = "xgboost";
  if (const auto version = root.find("version"); version != root.end() && version->is_array()) {
    for (size_t i = 0; i < version->size(); ++i) {
      if (i > 0) info.format_version += ".";
      info.format_version += (*version)[i].dump();
    }
  }
  PROBITY_ASSIGN_OR_RETURN(const Json* param,
                           json.Member(*learner, "learner", "learner_model_param"));
  PROBITY_ASSIGN_OR_RETURN(const Json* objective_json,
                           json.Member(*learner, "learner", "objective"));
  PROBITY_ASSIGN_OR_RETURN(const Json* objective_name,
                           json.Member(*objective_json, "learner.objective", "name"));
  PROBITY_ASSIGN_OR_RETURN(info.objective, json.String(*objective_name, "learner.objective.name"));
  const std::optional<Objective> objective = ObjectiveFor(info.objective);
  if (!objective) {
    return UnimplementedError(source + ": learner.objective.name: the objective \"" +
                              info.objective + "\" is not supported")
        .Expecting(
            "binary:logistic, binary:logitraw, reg:logistic, reg:squarederror, "
            "count:poisson, reg:gamma, reg:tweedie, multi:softprob or multi:softmax");
  }
  info.task = objective->task;
  info.link = objective->link;

  const std::string param_path = "learner.learner_model_param";
  PROBITY_ASSIGN_OR_RETURN(const Json* nf, json.Member(*param, param_path, "num_feature"));
  PROBITY_ASSIGN_OR_RETURN(int64_t num_features,
                           json.Integer(*nf, param_path + ".num_feature", 1, 1 << 24));
  int64_t num_class = 0;
  if (const auto it = param->find("num_class"); it != param->end()) {
    PROBITY_ASSIGN_OR_RETURN(num_class,
                             json.Integer(*it, param_path + ".num_class", 0, kMaxOutputs));
  }
  int64_t num_target = 1;
  if (const auto it = param->find("num_target"); it != param->end()) {
    PROBITY_ASSIGN_OR_RETURN(num_target,
                             json.Integer(*it, param_path + ".num_target", 1, kMaxOutputs));
  }
  const int64_t num_outputs = std::max<int64_t>(num_class, num_target);
  if (objective->transform == Transform::kSoftmax && num_class < 2) {
    return ModelError(source, param_path + ".num_class", "is " + std::to_string(num_class),
                      "at least 2 for a multi: objective");
  }
  PROBITY_ASSIGN_OR_RETURN(const Json* base_json, json.Member(*param, param_path, "base_score"));
  PROBITY_ASSIGN_OR_RETURN(std::vector<float> base_score, ParseBaseScore(*base_json, source));
  if (base_score.size() == 1) base_score.assign(static_cast<size_t>(num_outputs), base_score[0]);
  if (base_score.size() != static_cast<size_t>(num_outputs)) {
    return ModelError(source, param_path + ".base_score",
                      "has " + std::to_string(base_score.size()) + " values",
                      "one value, or one per output (" + std::to_string(num_outputs) + ")");
  }

  // Feature names and types; XGBoost names unnamed features f0, f1, ….
  std::vector<std::string> names, types;
  if (const auto it = learner->find("feature_names"); it != learner->end() && it->is_array()) {
    for (const Json& n : *it) {
      if (!n.is_string())
        return ModelError(source, "learner.feature_names", "holds a non-string", "strings");
      names.push_back(n.get<std::string>());
    }
  }
  if (const auto it = learner->find("feature_types"); it != learner->end() && it->is_array()) {
    for (const Json& n : *it) {
      if (!n.is_string())
        return ModelError(source, "learner.feature_types", "holds a non-string", "strings");
      types.push_back(n.get<std::string>());
    }
  }
  if ((!names.empty() && names.size() != static_cast<size_t>(num_features)) ||
      (!types.empty() && types.size() != static_cast<size_t>(num_features))) {
    return ModelError(source, "learner.feature_names", "does not have num_feature entries",
                      std::to_string(num_features) + " names and types");
  }

  // gbtree (1.x, 2.x, 3.x) or dart (1.x/2.x nest the gbtree; 3.x stores weight_drop in
  // the model).
  PROBITY_ASSIGN_OR_RETURN(const Json* booster,
                           json.Member(*learner, "learner", "gradient_booster"));
  PROBITY_ASSIGN_OR_RETURN(const Json* booster_name,
                           json.Member(*booster, "learner.gradient_booster", "name"));
  PROBITY_ASSIGN_OR_RETURN(info.algorithm,
                           json.String(*booster_name, "learner.gradient_booster.name"));
  const Json* model = nullptr;
  std::vector<double> weight_drop;
  std::string model_path = "learner.gradient_booster.model";
  if (info.algorithm == "dart") {
    PROBITY_ASSIGN_OR_RETURN(const Json* inner,
                             json.Member(*booster, "learner.gradient_booster", "gbtree"));
    PROBITY_ASSIGN_OR_RETURN(model,
                             json.Member(*inner, "learner.gradient_booster.gbtree", "model"));
    model_path = "learner.gradient_booster.gbtree.model";
    PROBITY_ASSIGN_OR_RETURN(const Json* wd,
                             json.Member(*booster, "learner.gradient_booster", "weight_drop"));
    PROBITY_ASSIGN_OR_RETURN(
        weight_drop,
        json.Array<double>(*wd, "learner.gradient_booster.weight_drop", -1, kMaxTrees));
  } else if (info.algorithm == "gbtree") {
    PROBITY_ASSIGN_OR_RETURN(model, json.Member(*booster, "learner.gradient_booster", "model"));
    if (const auto wd = model->find("weight_drop"); wd != model->end()) {
      PROBITY_ASSIGN_OR_RETURN(weight_drop,
                               json.Array<double>(*wd, model_path + ".weight_drop", -1, kMaxTrees));
    }
  } else {
    return UnimplementedError(source + ": learner.gradient_booster.name: the \"" + info.algorithm +
                              "\" booster is not supported")
        .Expecting("gbtree or dart (gblinear models have no trees)");
  }
  PROBITY_ASSIGN_OR_RETURN(const Json* trees_json, json.Member(*model, model_path, "trees"));
  if (!trees_json->is_array() || trees_json->size() > kMaxTrees) {
    return ModelError(source, model_path + ".trees", "is not an array of trees", "an array");
  }
  const size_t num_trees = trees_json->size();
  PROBITY_ASSIGN_OR_RETURN(const Json* tree_info_json,
                           json.Member(*model, model_path, "tree_info"));
  PROBITY_ASSIGN_OR_RETURN(auto tree_info,
                           json.Array<int32_t>(*tree_info_json, model_path + ".tree_info",
                                               static_cast<int64_t>(num_trees), kMaxTrees));
  if (!weight_drop.empty() && weight_drop.size() != num_trees) {
    return ModelError(source, model_path + ".weight_drop", "does not have one weight per tree",
                      std::to_string(num_trees) + " weights");
  }

  // Iterations: 3.x records the tree range of each one; 1.x has a fixed number of trees
  // per iteration (outputs × parallel trees).
  std::vector<int64_t> iteration_end;
  if (const auto it = model->find("iteration_indptr"); it != model->end()) {
    PROBITY_ASSIGN_OR_RETURN(
        auto indptr, json.Array<int64_t>(*it, model_path + ".iteration_indptr", -1, kMaxTrees + 1));
    for (size_t i = 1; i < indptr.size(); ++i) {
      if (indptr[i] < indptr[i - 1] || static_cast<size_t>(indptr[i]) > num_trees) {
        return ModelError(source, model_path + ".iteration_indptr",
                          "is not increasing within the trees", "tree offsets per iteration");
      }
      iteration_end.push_back(indptr[i]);
    }
  } else {
    int64_t parallel = 1;
    PROBITY_ASSIGN_OR_RETURN(const Json* gparam,
                             json.Member(*model, model_path, "gbtree_model_param"));
    if (const auto np = gparam->find("num_parallel_tree"); np != gparam->end()) {
      PROBITY_ASSIGN_OR_RETURN(
          parallel,
          json.Integer(*np, model_path + ".gbtree_model_param.num_parallel_tree", 1, kMaxTrees));
    }
    const int64_t per_iteration = parallel * num_outputs;
    for (int64_t end = per_iteration; end <= static_cast<int64_t>(num_trees);
         end += per_iteration) {
      iteration_end.push_back(end);
    }
  }
  size_t used_trees = num_trees;
  int64_t iterations = static_cast<int64_t>(iteration_end.size());
  int64_t limit = options.iteration_limit;
  if (limit == 0) {
    if (const auto attributes = learner->find("attributes"); attributes != learner->end()) {
      if (const auto best = attributes->find("best_iteration"); best != attributes->end()) {
        PROBITY_ASSIGN_OR_RETURN(
            int64_t best_iteration,
            json.Integer(*best, "learner.attributes.best_iteration", 0, kMaxTrees));
        limit = best_iteration + 1;
      }
    }
  }
  if (limit > 0 && limit < iterations) {
    used_trees = static_cast<size_t>(iteration_end[static_cast<size_t>(limit - 1)]);
    iterations = limit;
  }

  // Inputs.
  std::vector<std::vector<std::string>> categories(static_cast<size_t>(num_features));
  if (const auto cats = model->find("cats"); cats != model->end()) {
    PROBITY_ASSIGN_OR_RETURN(
        categories, ReadCategoryEncoder(json, *cats, static_cast<size_t>(num_features), source));
  }
  for (int64_t f = 0; f < num_features; ++f) {
    ModelInput input;
    input.name = names.empty() ? "f" + std::to_string(f) : names[static_cast<size_t>(f)];
    input.format_type = types.empty() ? "float" : types[static_cast<size_t>(f)];
    if (input.format_type == "c") {
      input.kind = InputKind::kCategorical;
      input.categories = std::move(categories[static_cast<size_t>(f)]);
    }
    info.inputs.push_back(std::move(input));
  }
  if (info.task == ModelTask::kClassification) {
    const int64_t classes = objective->transform == Transform::kSoftmax ? num_class : 2;
    for (int64_t k = 0; k < classes; ++k) info.classes.push_back(std::to_string(k));
  }
  info.num_targets = info.task == ModelTask::kRegression ? static_cast<int>(num_outputs) : 1;
  if (objective->transform != Transform::kSoftmax && info.task == ModelTask::kClassification &&
      num_outputs != 1) {
    return ModelError(source, param_path, "declares " + std::to_string(num_outputs) + " outputs",
                      "one output for a binary objective");
  }

  TreeEnsembleView view;
  view.num_outputs = static_cast<int>(num_outputs);
  view.link = info.link;
  view.cover_kind = "hessian";
  for (float b : base_score) view.base_margin.push_back(ProbToMargin(objective->transform, b));
  int64_t leaves = 0;
  int64_t max_depth = 0;
  for (size_t t = 0; t < used_trees; ++t) {
    const std::string path = model_path + ".trees[" + std::to_string(t) + "]";
    PROBITY_ASSIGN_OR_RETURN(TreeView tree, ReadTree(json, (*trees_json)[t], path,
                                                     static_cast<size_t>(num_features), source));
    if (tree_info[t] < 0 || tree_info[t] >= num_outputs) {
      return ModelError(source, model_path + ".tree_info[" + std::to_string(t) + "]",
                        "is " + std::to_string(tree_info[t]),
                        "an output index below " + std::to_string(num_outputs));
    }
    tree.output = tree_info[t];
    tree.weight = weight_drop.empty() ? 1.0 : weight_drop[t];
    for (const TreeNode& node : tree.nodes) leaves += node.kind == SplitKind::kLeaf;
    max_depth = std::max<int64_t>(max_depth, TreeDepth(tree));
    view.trees.push_back(std::move(tree));
  }
  PROBITY_ASSIGN_OR_RETURN(internal::FloatForest forest,
                           internal::FloatForest::Compile(view, static_cast<size_t>(num_features)));
  info.structure = {{"trees", static_cast<int64_t>(used_trees)},
                    {"trees_in_file", static_cast<int64_t>(num_trees)},
                    {"iterations", iterations},
                    {"leaves", leaves},
                    {"max_depth", max_depth},
                    {"outputs", num_outputs}};
  return std::unique_ptr<Model>(std::make_unique<XGBoostModel>(
      std::move(info), std::move(view), std::move(forest), objective->transform));
}

// XGBoost 1.x writes NaN (e.g. the split condition of a categorical node) and infinities as
// bare words, which JSON does not allow. Outside strings they become null and the strings
// "inf" / "-inf"; Array() reads those back as NaN and ±infinity.
std::string ReplaceNonFiniteWords(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (text.substr(i, 3) == "NaN") {
      out += "null";
      i += 2;
      continue;
    } else if (text.substr(i, 8) == "Infinity") {
      out += "\"inf\"";
      i += 7;
      continue;
    } else if (text.substr(i, 9) == "-Infinity") {
      out += "\"-inf\"";
      i += 8;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Model>> LoadXGBoostJsonModel(std::string_view text,
                                                    const std::string& source,
                                                    const ModelLoadOptions& options) {
  Json root;
  try {
    root = text.find("NaN") != std::string_view::npos ||
                   text.find("Infinity") != std::string_view::npos
               ? Json::parse(ReplaceNonFiniteWords(text))
               : Json::parse(text);
  } catch (const Json::parse_error& e) {
    return InvalidArgumentError(source + ": not valid JSON at byte " + std::to_string(e.byte) +
                                ": " + e.what())
        .Expecting("an XGBoost model saved as JSON");
  } catch (const Json::exception& e) {  // e.g. a number too large for a double
    return InvalidArgumentError(source + ": not valid JSON: " + e.what())
        .Expecting("an XGBoost model saved as JSON");
  }
  try {
    return LoadFromJson(root, source, options);
  } catch (const Json::exception& e) {
    return InvalidArgumentError(source + ": " + e.what()).Expecting("an XGBoost model");
  }
}

Result<std::unique_ptr<Model>> LoadXGBoostUbjsonModel(std::string_view bytes,
                                                      const std::string& source,
                                                      const ModelLoadOptions& options) {
  Json root;
  try {
    root = Json::from_ubjson(bytes.begin(), bytes.end());
  } catch (const Json::exception& e) {
    return InvalidArgumentError(source + ": not valid UBJSON: " + e.what())
        .Expecting("an XGBoost model saved as UBJSON");
  }
  try {
    return LoadFromJson(root, source, options);
  } catch (const Json::exception& e) {
    return InvalidArgumentError(source + ": " + e.what()).Expecting("an XGBoost model");
  }
}

}  // namespace probity::models
