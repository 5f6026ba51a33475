#include "audit/ingest/models/native_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "audit/core/json_output.h"
#include "audit/core/status.h"
#include "audit/ingest/models/feature_binding.h"
#include "audit/ingest/models/internal/flat_forest.h"
#include "audit/ingest/models/internal/margin_transform.h"

namespace probity::models {
namespace {

using internal::FlatForest;
using internal::OutputLink;
using internal::OutputSpec;
using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Reads the parsed document strictly; every error names the JSON path ($.trees[2].nodes[5]).
class NativeReader {
 public:
  explicit NativeReader(const std::string& source) : source_(source) {}

  Status Error(const std::string& path, std::string message, std::string expected = {}) const {
    Status s = InvalidArgumentError(path + ": " + std::move(message)).At({source_, 0, 0});
    if (!expected.empty()) s.Expecting(std::move(expected));
    return s;
  }

  Status Keys(const json& object, const std::string& path,
              std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> required) const {
    if (!object.is_object()) return Error(path, "is " + TypeOf(object), "an object");
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
        std::string list;
        for (std::string_view k : allowed) list += (list.empty() ? "" : ", ") + std::string(k);
        return Error(path, "unknown key \"" + it.key() + "\"", "one of " + list);
      }
    }
    for (std::string_view key : required) {
      if (!object.contains(key)) {
        return Error(path, "has no \"" + std::string(key) + "\"",
                     "a key \"" + std::string(key) + "\"");
      }
    }
    return OkStatus();
  }

  Result<std::string> String(const json& v, const std::string& path) const {
    if (!v.is_string()) return Error(path, "is " + TypeOf(v), "a string");
    return v.get<std::string>();
  }

  Result<double> Number(const json& v, const std::string& path) const {
    if (!v.is_number()) return Error(path, "is " + TypeOf(v), "a number");
    return v.get<double>();
  }

  Result<int64_t> Index(const json& v, const std::string& path, int64_t size) const {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= size) {
      return Error(path, "is " + Shorten(v), "an integer in [0, " + std::to_string(size) + ")");
    }
    return v.get<int64_t>();
  }

  Result<std::vector<double>> Numbers(const json& v, const std::string& path) const {
    if (!v.is_array()) return Error(path, "is " + TypeOf(v), "a list of numbers");
    std::vector<double> out;
    out.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      PROBITY_ASSIGN_OR_RETURN(double d, Number(v[i], path + "[" + std::to_string(i) + "]"));
      out.push_back(d);
    }
    return out;
  }

  static std::string TypeOf(const json& v) {
    switch (v.type()) {
      case json::value_t::null: return "null";
      case json::value_t::object: return "an object";
      case json::value_t::array: return "a list";
      case json::value_t::string: return "a string";
      case json::value_t::boolean: return "a boolean";
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
      case json::value_t::number_float: return "a number";
      default: return "not a value";
    }
  }

  static std::string Shorten(const json& v) {
    if (v.is_structured()) return TypeOf(v);  // dump() would recurse into deep nesting
    std::string text = v.dump();
    return text.size() <= 40 ? text : text.substr(0, 40) + "…";
  }

 private:
  const std::string& source_;
};

class NativeLinearModel final : public Model {
 public:
  NativeLinearModel(ModelInfo info, LinearView view, OutputSpec output)
      : view_(std::move(view)), output_(output) {
    info_ = std::move(info);
  }

  Result<Predictions> Predict(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(std::vector<Buffer<double>> values, ReadInputColumns(info_, batch));
    const int64_t rows = batch.num_rows();
    const size_t width = view_.intercepts.size();
    Buffer<double> margins(static_cast<size_t>(rows) * width);
#pragma omp parallel for schedule(static) if (rows >= kParallelPredictRows)
    for (int64_t r = 0; r < rows; ++r) {
      const auto row = static_cast<size_t>(r);
      for (size_t k = 0; k < width; ++k) {
        const std::vector<double>& beta = view_.coefficients[k];
        double m = view_.intercepts[k];
        size_t term = 0;
        for (size_t j = 0; j < info_.inputs.size(); ++j) {
          const double x = values[j][row];
          if (info_.inputs[j].kind == InputKind::kContinuous) {
            m += beta[term++] * x;  // NaN (missing) propagates: the row cannot be scored
          } else {
            m += std::isnan(x) ? kNaN : beta[term + static_cast<size_t>(x)];
            term += info_.inputs[j].categories.size();
          }
        }
        margins[row * width + k] = m;
      }
    }
    return internal::MarginsToPredictions(std::move(margins), rows, static_cast<int>(width),
                                          output_);
  }

  const LinearView* linear_view() const override { return &view_; }
  Result<Buffer<double>> ViewInputs(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(std::vector<Buffer<double>> values, ReadInputColumns(info_, batch));
    return ToRowMajor(values, batch.num_rows());
  }

 private:
  LinearView view_;
  OutputSpec output_;
};

class NativeTreeModel final : public Model {
 public:
  NativeTreeModel(ModelInfo info, TreeEnsembleView view, FlatForest forest, OutputSpec output)
      : view_(std::move(view)), forest_(std::move(forest)), output_(output) {
    info_ = std::move(info);
  }

  Result<Predictions> Predict(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(std::vector<Buffer<double>> values, ReadInputColumns(info_, batch));
    std::vector<const double*> pointers;
    for (const Buffer<double>& v : values) pointers.push_back(v.data());
    const int64_t rows = batch.num_rows();
    Buffer<double> margins(static_cast<size_t>(rows) * static_cast<size_t>(forest_.num_outputs()));
    forest_.PredictMargins(pointers, rows, margins.data());
    return internal::MarginsToPredictions(std::move(margins), rows, forest_.num_outputs(), output_);
  }

  const TreeEnsembleView* tree_view() const override { return &view_; }
  Result<Buffer<double>> ViewInputs(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(std::vector<Buffer<double>> values, ReadInputColumns(info_, batch));
    return ToRowMajor(values, batch.num_rows());
  }

 private:
  TreeEnsembleView view_;
  FlatForest forest_;
  OutputSpec output_;
};

class NativeLoader {
 public:
  NativeLoader(const std::string& source, const ModelLoadOptions& options)
      : source_(source), options_(options), r_(source) {}

  Result<std::unique_ptr<Model>> Load(std::string_view text) {
    json doc;
    try {
      doc = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
      return ParseError(text, e);
    } catch (const json::exception& e) {
      return InvalidArgumentError(std::string("not valid JSON: ") + e.what()).At({source_, 0, 0});
    }
    try {
      return Read(doc);
    } catch (const json::exception& e) {
      return InternalError(source_ + ": unexpected JSON access: " + e.what());
    }
  }

 private:
  Status ParseError(std::string_view text, const json::parse_error& e) const {
    return JsonSyntaxError(text, source_, e);
  }

  Result<std::unique_ptr<Model>> Read(const json& doc) {
    PROBITY_RETURN_IF_ERROR(r_.Keys(
        doc, "$",
        {"probity_model", "kind", "task", "algorithm", "inputs", "target", "classes", "link",
         "coefficients", "intercepts", "trees", "base_margin", "average", "metadata"},
        {"probity_model", "kind", "task", "inputs", "link"}));
    if (!doc["probity_model"].is_number_integer() || doc["probity_model"].get<int64_t>() != 1) {
      return UnimplementedError(source_ + ": $.probity_model: format version " +
                                NativeReader::Shorten(doc["probity_model"]) + " is not supported")
          .Expecting("1");
    }
    info_.format = "probity";
    info_.format_version = "1";
    PROBITY_ASSIGN_OR_RETURN(std::string kind, r_.String(doc["kind"], "$.kind"));
    PROBITY_ASSIGN_OR_RETURN(std::string task, r_.String(doc["task"], "$.task"));
    PROBITY_ASSIGN_OR_RETURN(std::string link, r_.String(doc["link"], "$.link"));
    if (task == "regression") {
      info_.task = ModelTask::kRegression;
    } else if (task == "classification") {
      info_.task = ModelTask::kClassification;
    } else {
      return r_.Error("$.task", "is \"" + task + "\"", "\"regression\" or \"classification\"");
    }
    info_.algorithm = kind;
    if (doc.contains("algorithm")) {
      PROBITY_ASSIGN_OR_RETURN(info_.algorithm, r_.String(doc["algorithm"], "$.algorithm"));
    }
    if (doc.contains("target")) {
      PROBITY_ASSIGN_OR_RETURN(info_.target, r_.String(doc["target"], "$.target"));
    }
    if (doc.contains("metadata") && !doc["metadata"].is_object()) {
      return r_.Error("$.metadata", "is " + NativeReader::TypeOf(doc["metadata"]), "an object");
    }
    PROBITY_RETURN_IF_ERROR(ReadInputs(doc["inputs"]));
    PROBITY_RETURN_IF_ERROR(ReadClasses(doc));
    PROBITY_RETURN_IF_ERROR(ReadLink(kind, link));
    info_.link = link;
    if (kind == "linear" || kind == "logistic") {
      for (const char* key : {"trees", "base_margin", "average"}) {
        if (doc.contains(key)) {
          return r_.Error("$." + std::string(key), "is not used by a " + kind + " model",
                          "coefficients and intercepts only");
        }
      }
      return ReadLinear(doc);
    }
    for (const char* key : {"coefficients", "intercepts"}) {
      if (doc.contains(key)) {
        return r_.Error("$." + std::string(key), "is not used by a tree_ensemble model",
                        "trees and base_margin");
      }
    }
    return ReadTrees(doc);
  }

  Status ReadInputs(const json& inputs) {
    if (!inputs.is_array())
      return r_.Error("$.inputs", "is " + NativeReader::TypeOf(inputs), "a list of inputs");
    std::set<std::string> names;
    for (size_t j = 0; j < inputs.size(); ++j) {
      const std::string path = "$.inputs[" + std::to_string(j) + "]";
      const json& in = inputs[j];
      PROBITY_RETURN_IF_ERROR(r_.Keys(in, path, {"name", "kind", "categories"}, {"name", "kind"}));
      ModelInput input;
      PROBITY_ASSIGN_OR_RETURN(input.name, r_.String(in["name"], path + ".name"));
      if (input.name.empty()) return r_.Error(path + ".name", "is empty", "a column name");
      if (!names.insert(input.name).second) {
        return r_.Error(path + ".name", "repeats \"" + input.name + "\"", "unique input names");
      }
      PROBITY_ASSIGN_OR_RETURN(input.format_type, r_.String(in["kind"], path + ".kind"));
      if (input.format_type == "categorical") {
        input.kind = InputKind::kCategorical;
        if (!in.contains("categories") || !in["categories"].is_array() ||
            in["categories"].empty()) {
          return r_.Error(path + ".categories", "is missing or empty",
                          "the list of the input's categories (the codes are their indices)");
        }
        std::set<std::string> seen;
        for (size_t c = 0; c < in["categories"].size(); ++c) {
          const std::string cpath = path + ".categories[" + std::to_string(c) + "]";
          PROBITY_ASSIGN_OR_RETURN(std::string value, r_.String(in["categories"][c], cpath));
          if (!seen.insert(value).second) {
            return r_.Error(cpath, "repeats \"" + value + "\"", "distinct categories");
          }
          input.categories.push_back(std::move(value));
        }
      } else if (input.format_type == "continuous") {
        if (in.contains("categories")) {
          return r_.Error(path + ".categories", "is set on a continuous input",
                          "categories only on categorical inputs");
        }
      } else {
        return r_.Error(path + ".kind", "is \"" + input.format_type + "\"",
                        "\"continuous\" or \"categorical\"");
      }
      info_.inputs.push_back(std::move(input));
    }
    return OkStatus();
  }

  Status ReadClasses(const json& doc) {
    if (info_.task == ModelTask::kRegression) {
      if (doc.contains("classes")) {
        return r_.Error("$.classes", "is set on a regression model", "no classes");
      }
      return OkStatus();
    }
    if (!doc.contains("classes") || !doc["classes"].is_array() || doc["classes"].size() < 2) {
      return r_.Error("$.classes", "is missing or has fewer than 2 classes",
                      "the class labels in model order");
    }
    std::set<std::string> seen;
    for (size_t c = 0; c < doc["classes"].size(); ++c) {
      const std::string path = "$.classes[" + std::to_string(c) + "]";
      PROBITY_ASSIGN_OR_RETURN(std::string label, r_.String(doc["classes"][c], path));
      if (!seen.insert(label).second) {
        return r_.Error(path, "repeats \"" + label + "\"", "distinct class labels");
      }
      info_.classes.push_back(std::move(label));
    }
    return OkStatus();
  }

  // Which links each kind and task allows, and the margin width they imply.
  Status ReadLink(const std::string& kind, const std::string& link) {
    const bool classification = info_.task == ModelTask::kClassification;
    const size_t classes = info_.classes.size();
    std::string allowed;
    if (kind == "linear") {
      if (classification)
        return r_.Error("$.task", "is classification for a linear model",
                        "\"regression\" (use kind \"logistic\")");
      allowed = "\"identity\"";
    } else if (kind == "logistic") {
      if (!classification)
        return r_.Error("$.task", "is regression for a logistic model", "\"classification\"");
      allowed = classes == 2 ? "\"logistic\" or \"softmax\"" : "\"softmax\"";
    } else if (kind == "tree_ensemble") {
      allowed = classification ? (classes == 2 ? "\"logistic\" or \"softmax\"" : "\"softmax\"")
                               : "\"identity\" or \"exp\"";
    } else {
      return r_.Error("$.kind", "is \"" + kind + "\"",
                      "\"linear\", \"logistic\" or \"tree_ensemble\"");
    }
    if (allowed.find("\"" + link + "\"") == std::string::npos) {
      return r_.Error("$.link", "is \"" + link + "\"", allowed);
    }
    output_.link = link == "logistic"  ? OutputLink::kLogistic
                   : link == "softmax" ? OutputLink::kSoftmax
                   : link == "exp"     ? OutputLink::kExp
                                       : OutputLink::kIdentity;
    output_.classes = classification ? static_cast<int>(classes) : 0;
    width_ = link == "softmax" ? classes : 1;
    return OkStatus();
  }

  Result<std::unique_ptr<Model>> ReadLinear(const json& doc) {
    for (const char* key : {"coefficients", "intercepts"}) {
      if (!doc.contains(key)) {
        return r_.Error("$", "has no \"" + std::string(key) + "\"",
                        "a key \"" + std::string(key) + "\"");
      }
    }
    LinearView view;
    view.link = output_.link == OutputLink::kLogistic ? "logit" : info_.link;
    PROBITY_ASSIGN_OR_RETURN(view.intercepts, r_.Numbers(doc["intercepts"], "$.intercepts"));
    if (view.intercepts.size() != width_) {
      return r_.Error("$.intercepts", "has " + std::to_string(view.intercepts.size()) + " values",
                      std::to_string(width_) + " (one per output)");
    }
    const json& rows = doc["coefficients"];
    if (!rows.is_array() || rows.size() != width_) {
      return r_.Error("$.coefficients", "is not a list of " + std::to_string(width_) + " rows",
                      "one row of coefficients per output");
    }
    size_t terms = 0;
    for (const ModelInput& input : info_.inputs) {
      terms += input.kind == InputKind::kContinuous ? 1 : input.categories.size();
    }
    for (size_t k = 0; k < width_; ++k) {
      const std::string path = "$.coefficients[" + std::to_string(k) + "]";
      const json& row = rows[k];
      if (!row.is_array() || row.size() != info_.inputs.size()) {
        return r_.Error(path,
                        "is not a list of " + std::to_string(info_.inputs.size()) + " entries",
                        "one entry per input");
      }
      std::vector<double> beta;
      beta.reserve(terms);
      for (size_t j = 0; j < info_.inputs.size(); ++j) {
        const std::string entry = path + "[" + std::to_string(j) + "]";
        const ModelInput& input = info_.inputs[j];
        if (input.kind == InputKind::kContinuous) {
          PROBITY_ASSIGN_OR_RETURN(double b, r_.Number(row[j], entry));
          beta.push_back(b);
          continue;
        }
        PROBITY_ASSIGN_OR_RETURN(std::vector<double> per_category, r_.Numbers(row[j], entry));
        if (per_category.size() != input.categories.size()) {
          return r_.Error(entry, "has " + std::to_string(per_category.size()) + " values",
                          std::to_string(input.categories.size()) + " (one per category of \"" +
                              input.name + "\")");
        }
        beta.insert(beta.end(), per_category.begin(), per_category.end());
      }
      view.coefficients.push_back(std::move(beta));
    }
    info_.structure = {{"coefficients", static_cast<int64_t>(terms * width_)},
                       {"outputs", static_cast<int64_t>(width_)}};
    return std::unique_ptr<Model>(
        new NativeLinearModel(std::move(info_), std::move(view), output_));
  }

  Result<TreeNode> ReadNode(const json& node, const std::string& path) {
    TreeNode out;
    out.cover = kNaN;
    if (node.is_object() && node.contains("leaf")) {
      PROBITY_RETURN_IF_ERROR(r_.Keys(node, path, {"leaf", "cover"}, {"leaf"}));
      PROBITY_ASSIGN_OR_RETURN(out.leaf, r_.Numbers(node["leaf"], path + ".leaf"));
      if (out.leaf.size() != 1 && out.leaf.size() != width_) {
        return r_.Error(path + ".leaf", "has " + std::to_string(out.leaf.size()) + " values",
                        width_ > 1 ? "1 or " + std::to_string(width_) : std::string("1"));
      }
    } else {
      PROBITY_RETURN_IF_ERROR(r_.Keys(node, path,
                                      {"feature", "comparison", "threshold", "categories",
                                       "default_left", "left", "right", "cover"},
                                      {"feature", "default_left", "left", "right"}));
      PROBITY_ASSIGN_OR_RETURN(
          int64_t feature,
          r_.Index(node["feature"], path + ".feature", static_cast<int64_t>(info_.inputs.size())));
      out.feature = static_cast<int32_t>(feature);
      const ModelInput& input = info_.inputs[static_cast<size_t>(feature)];
      if (!node["default_left"].is_boolean()) {
        return r_.Error(path + ".default_left", "is " + NativeReader::TypeOf(node["default_left"]),
                        "true or false");
      }
      out.default_left = node["default_left"].get<bool>();
      if (input.kind == InputKind::kCategorical) {
        if (!node.contains("categories") || node.contains("comparison") ||
            node.contains("threshold")) {
          return r_.Error(path,
                          "splits categorical input \"" + input.name +
                              "\" without a "
                              "category list",
                          "\"categories\" (the codes that go left), no comparison or threshold");
        }
        out.kind = SplitKind::kCategorical;
        out.categories_go_left = true;
        const json& cats = node["categories"];
        if (!cats.is_array()) {
          return r_.Error(path + ".categories", "is " + NativeReader::TypeOf(cats),
                          "a list of category codes");
        }
        for (size_t c = 0; c < cats.size(); ++c) {
          PROBITY_ASSIGN_OR_RETURN(
              int64_t code, r_.Index(cats[c], path + ".categories[" + std::to_string(c) + "]",
                                     static_cast<int64_t>(input.categories.size())));
          out.categories.push_back(static_cast<int32_t>(code));
        }
      } else {
        if (!node.contains("comparison") || !node.contains("threshold") ||
            node.contains("categories")) {
          return r_.Error(path,
                          "splits continuous input \"" + input.name +
                              "\" without a "
                              "comparison and threshold",
                          "\"comparison\" (\"<\" or \"<=\") and \"threshold\"");
        }
        PROBITY_ASSIGN_OR_RETURN(std::string cmp,
                                 r_.String(node["comparison"], path + ".comparison"));
        if (cmp != "<" && cmp != "<=") {
          return r_.Error(path + ".comparison", "is \"" + cmp + "\"", "\"<\" or \"<=\"");
        }
        out.kind = cmp == "<" ? SplitKind::kLess : SplitKind::kLessEqual;
        PROBITY_ASSIGN_OR_RETURN(out.threshold, r_.Number(node["threshold"], path + ".threshold"));
      }
      for (const char* side : {"left", "right"}) {
        const json& c = node[side];
        if (!c.is_number_integer()) {
          return r_.Error(path + "." + side, "is " + NativeReader::Shorten(c),
                          "a node index in this tree");
        }
        const int64_t v = c.get<int64_t>();
        const auto clamped =
            static_cast<int32_t>(std::clamp<int64_t>(v, -1, std::numeric_limits<int32_t>::max()));
        (side[0] == 'l' ? out.left : out.right) = clamped;
      }
    }
    if (node.contains("cover")) {
      PROBITY_ASSIGN_OR_RETURN(out.cover, r_.Number(node["cover"], path + ".cover"));
    }
    return out;
  }

  Result<std::unique_ptr<Model>> ReadTrees(const json& doc) {
    if (!doc.contains("trees") || !doc["trees"].is_array()) {
      return r_.Error("$.trees", "is missing or not a list", "a list of trees");
    }
    TreeEnsembleView view;
    view.num_outputs = static_cast<int>(width_);
    view.link = info_.link;
    view.cover_kind = "count";
    view.base_margin.assign(width_, 0.0);
    if (doc.contains("base_margin")) {
      PROBITY_ASSIGN_OR_RETURN(view.base_margin, r_.Numbers(doc["base_margin"], "$.base_margin"));
      if (view.base_margin.size() != width_) {
        return r_.Error("$.base_margin",
                        "has " + std::to_string(view.base_margin.size()) + " values",
                        std::to_string(width_) + " (one per output)");
      }
    }
    if (doc.contains("average")) {
      if (!doc["average"].is_boolean()) {
        return r_.Error("$.average", "is " + NativeReader::TypeOf(doc["average"]), "true or false");
      }
      view.average = doc["average"].get<bool>();
    }
    FlatForest forest(static_cast<int>(info_.inputs.size()), static_cast<int>(width_));
    forest.SetBaseMargin(view.base_margin);
    forest.SetAverage(view.average);
    const json& trees = doc["trees"];
    size_t used = trees.size();
    if (options_.iteration_limit > 0) {
      used = std::min(used, static_cast<size_t>(options_.iteration_limit) * width_);
    }
    for (size_t t = 0; t < trees.size(); ++t) {
      const std::string path = "$.trees[" + std::to_string(t) + "]";
      PROBITY_RETURN_IF_ERROR(r_.Keys(trees[t], path, {"output", "weight", "nodes"}, {"nodes"}));
      TreeView tree;
      if (trees[t].contains("output")) {
        PROBITY_ASSIGN_OR_RETURN(int64_t output, r_.Index(trees[t]["output"], path + ".output",
                                                          static_cast<int64_t>(width_)));
        tree.output = static_cast<int>(output);
      }
      if (trees[t].contains("weight")) {
        PROBITY_ASSIGN_OR_RETURN(tree.weight, r_.Number(trees[t]["weight"], path + ".weight"));
      }
      const json& nodes = trees[t]["nodes"];
      if (!nodes.is_array() || nodes.empty()) {
        return r_.Error(path + ".nodes", "is not a non-empty list", "the tree's nodes, root first");
      }
      for (size_t n = 0; n < nodes.size(); ++n) {
        PROBITY_ASSIGN_OR_RETURN(TreeNode node,
                                 ReadNode(nodes[n], path + ".nodes[" + std::to_string(n) + "]"));
        tree.nodes.push_back(std::move(node));
      }
      Status added = forest.AddTree(tree);
      if (!added.ok()) {
        // FlatForest names "node N"; point at it as a JSON path.
        std::string message = added.message();
        if (message.starts_with("node ")) {
          const size_t space = message.find(' ', 5);
          message = path + ".nodes[" + message.substr(5, space - 5) + "]" + message.substr(space);
        } else {
          message = path + ": " + message;
        }
        Status s = InvalidArgumentError(message).At({source_, 0, 0});
        if (!added.expected().empty()) s.Expecting(added.expected());
        return s;
      }
      if (t < used) view.trees.push_back(std::move(tree));
    }
    // Rebuild the forest with only the trees in use when an iteration limit cut some.
    if (used < trees.size()) {
      FlatForest limited(static_cast<int>(info_.inputs.size()), static_cast<int>(width_));
      limited.SetBaseMargin(view.base_margin);
      limited.SetAverage(view.average);
      for (const TreeView& tree : view.trees) PROBITY_RETURN_IF_ERROR(limited.AddTree(tree));
      forest = std::move(limited);
    }
    info_.structure = {{"trees", static_cast<int64_t>(view.trees.size())},
                       {"max_depth", forest.max_depth()},
                       {"leaves", forest.num_leaves()}};
    return std::unique_ptr<Model>(
        new NativeTreeModel(std::move(info_), std::move(view), std::move(forest), output_));
  }

  const std::string& source_;
  const ModelLoadOptions& options_;
  NativeReader r_;
  ModelInfo info_;
  OutputSpec output_;
  size_t width_ = 1;
};

}  // namespace

Result<std::unique_ptr<Model>> LoadNativeModel(std::string_view json_text,
                                               const std::string& source,
                                               const ModelLoadOptions& options) {
  return NativeLoader(source, options).Load(json_text);
}

}  // namespace probity::models
