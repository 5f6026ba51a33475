#include "audit/ingest/models/lightgbm_model.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>

#include "audit/core/status.h"
#include "audit/ingest/models/feature_binding.h"
#include "audit/ingest/models/internal/flat_forest.h"
#include "audit/ingest/models/internal/margin_transform.h"

namespace probity::models {
namespace {

using internal::FlatForest;
using internal::OutputLink;
using internal::OutputSpec;

// Limits on declared sizes, so a hostile header cannot make Probity allocate much.
constexpr int64_t kMaxClasses = 1 << 16;
constexpr int64_t kMaxFeatures = 1 << 24;
// decision_type bits (LightGBM tree.h).
constexpr int kCategoricalMask = 1;
constexpr int kDefaultLeftMask = 2;
enum MissingType { kMissingNone = 0, kMissingZero = 1, kMissingNaN = 2 };

struct Line {
  std::string_view text;
  int64_t number = 0;
};

struct Entry {
  std::string_view value;
  int64_t line = 0;
};

using Entries = std::map<std::string, Entry, std::less<>>;

Status ErrorAt(const std::string& source, int64_t line, std::string message) {
  return InvalidArgumentError(std::move(message)).At({source, line, 0});
}

std::vector<std::string_view> Tokens(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string Shorten(std::string_view text) {
  return text.size() <= 40 ? std::string(text) : std::string(text.substr(0, 40)) + "…";
}

// The keys the loader reads; other lines are skipped (and never stored, so memory does not
// grow with junk lines).
constexpr std::string_view kHeaderKeys[] = {
    "version",       "num_class", "num_tree_per_iteration", "max_feature_idx", "feature_names",
    "feature_infos", "objective", "average_output"};
constexpr std::string_view kTreeKeys[] = {
    "num_leaves",     "num_cat",       "split_feature", "threshold",  "decision_type",
    "left_child",     "right_child",   "leaf_value",    "leaf_count", "internal_count",
    "cat_boundaries", "cat_threshold", "is_linear"};

// Reads the key=value lines of one section (the header or a Tree=N block).
class Section {
 public:
  Section(const std::string& source, std::string what, std::span<const std::string_view> keys)
      : source_(source), what_(std::move(what)), keys_(keys) {}

  Status Add(const Line& line) {
    const size_t eq = line.text.find('=');
    if (std::find(keys_.begin(), keys_.end(), line.text.substr(0, eq)) == keys_.end()) {
      return OkStatus();
    }
    std::string key(line.text.substr(0, eq));
    std::string_view value = eq == std::string_view::npos ? "" : line.text.substr(eq + 1);
    if (!entries_.emplace(key, Entry{value, line.number}).second) {
      return ErrorAt(source_, line.number, what_ + " sets \"" + key + "\" twice");
    }
    return OkStatus();
  }

  bool Has(std::string_view key) const { return entries_.find(key) != entries_.end(); }
  const Entry* Find(std::string_view key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }

  Result<Entry> Require(std::string_view key, int64_t fallback_line) const {
    if (const Entry* e = Find(key)) return *e;
    return ErrorAt(source_, fallback_line, what_ + " has no \"" + std::string(key) + "\"")
        .Expecting("a line \"" + std::string(key) + "=…\"");
  }

  Result<int64_t> Integer(const Entry& e, std::string_view key, int64_t low, int64_t high) const {
    int64_t v = 0;
    if (!ParseNumber(e.value, &v) || v < low || v > high) {
      return ErrorAt(source_, e.line,
                     "\"" + std::string(key) + "\" is \"" + Shorten(e.value) + "\"")
          .Expecting("an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]");
    }
    return v;
  }

  // The space-separated numbers of `key`, which must number exactly `count`.
  template <typename T>
  Result<std::vector<T>> Array(std::string_view key, size_t count, int64_t fallback_line) const {
    PROBITY_ASSIGN_OR_RETURN(Entry e, Require(key, fallback_line));
    std::vector<std::string_view> tokens = Tokens(e.value, ' ');
    if (tokens.size() != count) {
      return ErrorAt(source_, e.line,
                     what_ + ": \"" + std::string(key) + "\" has " + std::to_string(tokens.size()) +
                         " values")
          .Expecting(std::to_string(count) + " (from num_leaves / num_cat)");
    }
    std::vector<T> out(count);
    for (size_t i = 0; i < count; ++i) {
      if (!ParseNumber(tokens[i], &out[i])) {
        return ErrorAt(source_, e.line,
                       what_ + ": value " + std::to_string(i + 1) + " of \"" + std::string(key) +
                           "\" is \"" + Shorten(tokens[i]) + "\"")
            .Expecting("a number");
      }
    }
    return out;
  }

  // Like Array, but an absent key gives `count` copies of `fill`.
  template <typename T>
  Result<std::vector<T>> OptionalArray(std::string_view key, size_t count, T fill) const {
    if (!Has(key)) return std::vector<T>(count, fill);
    return Array<T>(key, count, 0);
  }

 private:
  const std::string& source_;
  std::string what_;
  std::span<const std::string_view> keys_;
  Entries entries_;
};

// One parsed Tree=N block, in LightGBM's own arrays.
struct RawTree {
  int64_t line = 0;  // the Tree=N line
  int32_t num_leaves = 1;
  std::vector<int32_t> split_feature, left_child, right_child, decision_type;
  std::vector<double> threshold, leaf_value, leaf_count, internal_count;
  std::vector<int32_t> cat_boundaries;
  std::vector<uint32_t> cat_threshold;
};

struct Objective {
  std::string name = "custom";
  ModelTask task = ModelTask::kRegression;
  OutputSpec output;
};

Result<Objective> ParseObjective(const Entry* entry, int num_class, const std::string& source) {
  Objective o;
  if (entry == nullptr) return o;  // custom objectives leave raw scores
  std::vector<std::string_view> tokens = Tokens(entry->value, ' ');
  if (tokens.empty()) return o;
  o.name = std::string(tokens[0]);
  bool sqrt = false;
  for (size_t i = 1; i < tokens.size(); ++i) {
    if (tokens[i] == "sqrt") sqrt = true;
    if (tokens[i].starts_with("sigmoid:")) {
      if (!ParseNumber(tokens[i].substr(8), &o.output.scale) || !(o.output.scale > 0)) {
        return ErrorAt(source, entry->line,
                       "objective parameter \"" + std::string(tokens[i]) + "\"")
            .Expecting("sigmoid:<a positive number>");
      }
    }
  }
  const std::string& n = o.name;
  if (n == "regression" || n == "regression_l1" || n == "huber" || n == "fair" || n == "quantile" ||
      n == "mape") {
    o.output.link = sqrt ? OutputLink::kSignedSquare : OutputLink::kIdentity;
  } else if (n == "poisson" || n == "gamma" || n == "tweedie") {
    o.output.link = OutputLink::kExp;
  } else if (n == "cross_entropy" || n == "xentropy") {
    o.output.link = OutputLink::kLogistic;
    o.output.scale = 1;
  } else if (n == "cross_entropy_lambda" || n == "xentlambda") {
    o.output.link = OutputLink::kLog1pExp;
  } else if (n == "lambdarank" || n == "rank_xendcg" || n == "custom" || n == "none" ||
             n == "null" || n == "na") {
    o.output.link = OutputLink::kIdentity;
  } else if (n == "binary") {
    o.task = ModelTask::kClassification;
    o.output.link = OutputLink::kLogistic;
    o.output.classes = 2;
  } else if (n == "multiclass" || n == "multiclassova") {
    o.task = ModelTask::kClassification;
    o.output.link = n == "multiclass" ? OutputLink::kSoftmax : OutputLink::kOneVsRest;
    o.output.classes = num_class;
  } else {
    return UnimplementedError(source + ":" + std::to_string(entry->line) +
                              ": LightGBM objective \"" + n + "\" is not supported")
        .Expecting(
            "regression, regression_l1, huber, fair, quantile, mape, poisson, gamma, tweedie, "
            "binary, multiclass, multiclassova, cross_entropy, cross_entropy_lambda, "
            "lambdarank, rank_xendcg or a custom objective");
  }
  return o;
}

class LightGBMModel final : public Model {
 public:
  LightGBMModel(ModelInfo info, TreeEnsembleView view, FlatForest forest, OutputSpec output,
                std::vector<uint8_t> encode_as, std::vector<int32_t> bool_codes)
      : view_(std::move(view)),
        forest_(std::move(forest)),
        output_(output),
        encode_as_(std::move(encode_as)),
        bool_false_code_(std::move(bool_codes)) {
    info_ = std::move(info);
  }

  Result<Predictions> Predict(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(std::vector<const Column*> columns, BindColumns(info_, batch));
    const int64_t rows = batch.num_rows();
    std::vector<Buffer<double>> values(columns.size());
    std::vector<const double*> pointers(columns.size());
    for (size_t j = 0; j < columns.size(); ++j) {
      PROBITY_ASSIGN_OR_RETURN(values[j], ReadInput(*columns[j], j));
      pointers[j] = values[j].data();
    }
    Buffer<double> margins(static_cast<size_t>(rows) * static_cast<size_t>(forest_.num_outputs()));
    forest_.PredictMargins(pointers, rows, margins.data());
    return internal::MarginsToPredictions(std::move(margins), rows, forest_.num_outputs(), output_);
  }

  const TreeEnsembleView* tree_view() const override { return &view_; }
  Result<Buffer<double>> ViewInputs(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(std::vector<const Column*> columns, BindColumns(info_, batch));
    std::vector<Buffer<double>> values(columns.size());
    for (size_t j = 0; j < columns.size(); ++j) {
      PROBITY_ASSIGN_OR_RETURN(values[j], ReadInput(*columns[j], j));
    }
    return ToRowMajor(values, batch.num_rows());
  }

  // How Predict reads each input.
  static constexpr uint8_t kNumber = 0;    // the number itself (LightGBM's own input)
  static constexpr uint8_t kCode = 1;      // pandas category → its code; unseen → NaN
  static constexpr uint8_t kBoolCode = 2;  // pandas bool category, from true/false text

 private:
  Result<Buffer<double>> ReadInput(const Column& column, size_t j) const {
    const ModelInput& input = info_.inputs[j];
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (encode_as_[j] == kNumber) {
      PROBITY_ASSIGN_OR_RETURN(Buffer<double> numbers, ReadNumbers(column, input));
      // LightGBM's predictor reads values within kZeroThreshold of zero as zero.
      for (double& v : numbers) {
        if (std::fabs(v) <= internal::kZeroThreshold) v = 0;
      }
      return numbers;
    }
    Buffer<double> out(static_cast<size_t>(column.size()));
    if (encode_as_[j] == kBoolCode && column.type() == DataType::kString) {
      // pandas reads "TRUE"/"False" as booleans: match the text without case, once per
      // distinct value.
      std::vector<double> mapped;
      for (std::string text : column.dictionary()) {
        for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const int32_t false_code = bool_false_code_[j];
        mapped.push_back(text == "false" ? false_code : text == "true" ? 1 - false_code : nan);
      }
      auto codes = column.codes();
      for (size_t r = 0; r < codes.size(); ++r) {
        out[r] = codes[r] < 0 ? nan : mapped[static_cast<size_t>(codes[r])];
      }
      return out;
    }
    // An unseen category becomes NaN, as pandas gives it code -1 and LightGBM reads that
    // as missing: it takes the right branch (not in the split's category set).
    PROBITY_ASSIGN_OR_RETURN(std::vector<int32_t> codes,
                             EncodeCategories(column, input, /*unseen_as_missing=*/true));
    for (size_t r = 0; r < codes.size(); ++r) out[r] = codes[r] < 0 ? nan : codes[r];
    return out;
  }

  TreeEnsembleView view_;
  FlatForest forest_;
  OutputSpec output_;
  std::vector<uint8_t> encode_as_;
  std::vector<int32_t> bool_false_code_;  // kBoolCode inputs: the code of `false`
};

// Walks the text line by line without copying or indexing it (memory stays independent of
// the line count).
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) { Advance(); }

  bool done() const { return done_; }
  const Line& line() const { return line_; }
  // The number of the last line seen (for errors at the end of the text).
  int64_t last_number() const { return line_.number; }

  void Advance() {
    if (position_ >= text_.size()) {
      done_ = true;
      return;
    }
    size_t end = text_.find('\n', position_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view t = text_.substr(position_, end - position_);
    if (!t.empty() && t.back() == '\r') t.remove_suffix(1);
    line_ = {t, line_.number + 1};
    position_ = end + 1;
  }

 private:
  std::string_view text_;
  size_t position_ = 0;
  Line line_;
  bool done_ = false;
};

class Loader {
 public:
  Loader(std::string_view text, const std::string& source, const ModelLoadOptions& options)
      : source_(source), options_(options), cursor_(text) {}

  Result<std::unique_ptr<Model>> Load() {
    LineCursor& c = cursor_;
    while (!c.done() && Blank(c.line().text)) c.Advance();
    if (c.done() || c.line().text != "tree") {
      return ErrorAt(source_, c.done() ? 1 : c.line().number, "not a LightGBM text model")
          .Expecting("a first line \"tree\"");
    }
    first_line_ = c.line().number;
    c.Advance();
    Section header(source_, "the header", kHeaderKeys);
    for (; !c.done(); c.Advance()) {
      std::string_view t = c.line().text;
      if (t.starts_with("Tree=") || t == "end of trees") break;
      if (Blank(t)) continue;
      PROBITY_RETURN_IF_ERROR(header.Add(c.line()));
    }
    PROBITY_RETURN_IF_ERROR(ReadHeader(header));
    // Tree blocks.
    std::vector<RawTree> trees;
    bool ended = false;
    while (!c.done()) {
      std::string_view t = c.line().text;
      if (t == "end of trees") {
        ended = true;
        c.Advance();
        break;
      }
      if (Blank(t)) {
        c.Advance();
        continue;
      }
      if (!t.starts_with("Tree=")) {
        return ErrorAt(source_, c.line().number, "unexpected line \"" + Shorten(t) + "\"")
            .Expecting("\"Tree=" + std::to_string(trees.size()) + "\" or \"end of trees\"");
      }
      int64_t index = -1;
      if (!ParseNumber(t.substr(5), &index) || index != static_cast<int64_t>(trees.size())) {
        return ErrorAt(source_, c.line().number, "tree header \"" + Shorten(t) + "\"")
            .Expecting("\"Tree=" + std::to_string(trees.size()) + "\" (trees numbered in order)");
      }
      const int64_t tree_line = c.line().number;
      Section block(source_, "Tree=" + std::to_string(index), kTreeKeys);
      for (c.Advance(); !c.done(); c.Advance()) {
        std::string_view b = c.line().text;
        if (Blank(b) || b.starts_with("Tree=") || b == "end of trees") break;
        PROBITY_RETURN_IF_ERROR(block.Add(c.line()));
      }
      tree_index_ = index;
      PROBITY_ASSIGN_OR_RETURN(RawTree tree, ReadTree(block, tree_line));
      trees.push_back(std::move(tree));
    }
    if (!ended) {
      return ErrorAt(source_, c.last_number(),
                     "the model ends without \"end of trees\" (truncated?)")
          .Expecting("a line \"end of trees\" after the last tree");
    }
    ReadTrailer();
    return Build(trees);
  }

 private:
  static bool Blank(std::string_view t) {
    return t.find_first_not_of(" \t") == std::string_view::npos;
  }

  Status ReadHeader(const Section& header) {
    const int64_t first = first_line_;
    if (const Entry* v = header.Find("version")) version_ = std::string(v->value);
    PROBITY_ASSIGN_OR_RETURN(Entry nc, header.Require("num_class", first));
    PROBITY_ASSIGN_OR_RETURN(num_class_, header.Integer(nc, "num_class", 1, kMaxClasses));
    tree_per_iteration_ = num_class_;
    if (const Entry* e = header.Find("num_tree_per_iteration")) {
      PROBITY_ASSIGN_OR_RETURN(tree_per_iteration_,
                               header.Integer(*e, "num_tree_per_iteration", 1, kMaxClasses));
    }
    PROBITY_ASSIGN_OR_RETURN(Entry mf, header.Require("max_feature_idx", first));
    PROBITY_ASSIGN_OR_RETURN(int64_t max_feature,
                             header.Integer(mf, "max_feature_idx", -1, kMaxFeatures - 1));
    num_features_ = max_feature + 1;
    PROBITY_ASSIGN_OR_RETURN(Entry names, header.Require("feature_names", first));
    std::vector<std::string_view> name_tokens = Tokens(names.value, ' ');
    if (static_cast<int64_t>(name_tokens.size()) != num_features_) {
      return ErrorAt(source_, names.line,
                     "\"feature_names\" lists " + std::to_string(name_tokens.size()) + " names")
          .Expecting(std::to_string(num_features_) + " (max_feature_idx + 1)");
    }
    feature_names_.assign(name_tokens.begin(), name_tokens.end());
    feature_infos_.assign(static_cast<size_t>(num_features_), "none");
    if (const Entry* infos = header.Find("feature_infos")) {
      std::vector<std::string_view> info_tokens = Tokens(infos->value, ' ');
      if (static_cast<int64_t>(info_tokens.size()) != num_features_) {
        return ErrorAt(source_, infos->line,
                       "\"feature_infos\" has " + std::to_string(info_tokens.size()) + " entries")
            .Expecting(std::to_string(num_features_) + " (max_feature_idx + 1)");
      }
      feature_infos_.assign(info_tokens.begin(), info_tokens.end());
      infos_line_ = infos->line;
    }
    average_output_ = header.Has("average_output");
    PROBITY_ASSIGN_OR_RETURN(objective_, ParseObjective(header.Find("objective"),
                                                        static_cast<int>(num_class_), source_));
    if (objective_.task == ModelTask::kClassification &&
        objective_.output.link == OutputLink::kLogistic && num_class_ != 1) {
      return ErrorAt(source_, nc.line,
                     "a binary objective with num_class=" + std::to_string(num_class_))
          .Expecting("num_class=1");
    }
    if (tree_per_iteration_ != num_class_ && tree_per_iteration_ != 1) {
      return ErrorAt(source_, nc.line,
                     "num_tree_per_iteration=" + std::to_string(tree_per_iteration_) +
                         " with num_class=" + std::to_string(num_class_))
          .Expecting("num_tree_per_iteration equal to num_class");
    }
    if (objective_.output.classes > 1 && objective_.output.classes != 2 &&
        tree_per_iteration_ != num_class_) {
      return ErrorAt(source_, nc.line, "a multiclass model with one tree per iteration")
          .Expecting("num_tree_per_iteration=" + std::to_string(num_class_));
    }
    return OkStatus();
  }

  Result<RawTree> ReadTree(const Section& block, int64_t tree_line) {
    RawTree tree;
    tree.line = tree_line;
    PROBITY_ASSIGN_OR_RETURN(Entry nl, block.Require("num_leaves", tree_line));
    PROBITY_ASSIGN_OR_RETURN(int64_t num_leaves,
                             block.Integer(nl, "num_leaves", 1, int64_t{1} << 30));
    tree.num_leaves = static_cast<int32_t>(num_leaves);
    PROBITY_ASSIGN_OR_RETURN(Entry nc, block.Require("num_cat", tree_line));
    PROBITY_ASSIGN_OR_RETURN(int64_t num_cat, block.Integer(nc, "num_cat", 0, int64_t{1} << 30));
    if (const Entry* linear = block.Find("is_linear"); linear && linear->value != "0") {
      return UnimplementedError(source_ + ":" + std::to_string(linear->line) +
                                ": linear trees (is_linear=1, trained with linear_tree) are not "
                                "supported")
          .Expecting("a model trained without linear_tree");
    }
    const auto leaves = static_cast<size_t>(num_leaves);
    PROBITY_ASSIGN_OR_RETURN(tree.leaf_value, block.Array<double>("leaf_value", leaves, tree_line));
    if (num_leaves == 1) return tree;
    const size_t internal = leaves - 1;
    PROBITY_ASSIGN_OR_RETURN(tree.split_feature,
                             block.Array<int32_t>("split_feature", internal, tree_line));
    PROBITY_ASSIGN_OR_RETURN(tree.threshold, block.Array<double>("threshold", internal, tree_line));
    PROBITY_ASSIGN_OR_RETURN(tree.left_child,
                             block.Array<int32_t>("left_child", internal, tree_line));
    PROBITY_ASSIGN_OR_RETURN(tree.right_child,
                             block.Array<int32_t>("right_child", internal, tree_line));
    PROBITY_ASSIGN_OR_RETURN(tree.decision_type,
                             block.OptionalArray<int32_t>("decision_type", internal, 0));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    PROBITY_ASSIGN_OR_RETURN(tree.leaf_count,
                             block.OptionalArray<double>("leaf_count", leaves, nan));
    PROBITY_ASSIGN_OR_RETURN(tree.internal_count,
                             block.OptionalArray<double>("internal_count", internal, nan));
    if (num_cat > 0) {
      PROBITY_ASSIGN_OR_RETURN(
          tree.cat_boundaries,
          block.Array<int32_t>("cat_boundaries", static_cast<size_t>(num_cat) + 1, tree_line));
      PROBITY_ASSIGN_OR_RETURN(Entry ct, block.Require("cat_threshold", tree_line));
      const int64_t words = tree.cat_boundaries.back();
      bool ordered = tree.cat_boundaries.front() == 0;
      for (size_t k = 1; k < tree.cat_boundaries.size(); ++k) {
        ordered = ordered && tree.cat_boundaries[k] >= tree.cat_boundaries[k - 1];
      }
      if (!ordered) {
        return ErrorAt(source_, block.Find("cat_boundaries")->line,
                       "\"cat_boundaries\" is not a non-decreasing list starting at 0");
      }
      if (words != static_cast<int64_t>(Tokens(ct.value, ' ').size())) {
        return ErrorAt(source_, ct.line,
                       "\"cat_threshold\" has " + std::to_string(Tokens(ct.value, ' ').size()) +
                           " words")
            .Expecting(std::to_string(words) + " (the last cat_boundaries value)");
      }
      PROBITY_ASSIGN_OR_RETURN(
          tree.cat_threshold,
          block.Array<uint32_t>("cat_threshold", static_cast<size_t>(words), tree_line));
    }
    // Per-node checks that name the line of the offending key.
    for (size_t n = 0; n < internal; ++n) {
      const int32_t f = tree.split_feature[n];
      if (f < 0 || f >= num_features_) {
        return ErrorAt(source_, block.Find("split_feature")->line,
                       "Tree=" + std::to_string(tree_index_) + ": split_feature " +
                           std::to_string(n + 1) + " is " + std::to_string(f))
            .Expecting("a feature index in [0, " + std::to_string(num_features_) + ")");
      }
      const int32_t d = tree.decision_type[n];
      if (d < 0 || d > 15 || ((d >> 2) & 3) == 3) {
        return ErrorAt(source_, block.Find("decision_type")->line,
                       "Tree=" + std::to_string(tree_index_) + ": decision_type " +
                           std::to_string(n + 1) + " is " + std::to_string(d))
            .Expecting("bit 0 categorical, bit 1 default left, bits 2-3 missing type 0-2");
      }
      if (d & kCategoricalMask) {
        const double t = tree.threshold[n];
        if (!(t >= 0 && t < static_cast<double>(num_cat)) || t != std::floor(t)) {
          return ErrorAt(source_, block.Find("threshold")->line,
                         "Tree=" + std::to_string(tree_index_) + ": categorical split " +
                             std::to_string(n + 1) + " has threshold " + Shorten(std::to_string(t)))
              .Expecting("an index into cat_boundaries in [0, " + std::to_string(num_cat) + ")");
        }
      }
      for (const char* key : {"left_child", "right_child"}) {
        const int32_t c = key[0] == 'l' ? tree.left_child[n] : tree.right_child[n];
        if (c >= static_cast<int32_t>(internal) || c < -static_cast<int32_t>(leaves)) {
          return ErrorAt(source_, block.Find(key)->line,
                         "Tree=" + std::to_string(tree_index_) + ": " + key + " " +
                             std::to_string(n + 1) + " is " + std::to_string(c) + ", out of range")
              .Expecting("an internal node in [0, " + std::to_string(internal) +
                         ") or a leaf in [-" + std::to_string(leaves) + ", -1]");
        }
      }
    }
    return tree;
  }

  // feature_importances, parameters and pandas_categorical after "end of trees".
  void ReadTrailer() {
    bool in_parameters = false;
    for (; !cursor_.done(); cursor_.Advance()) {
      std::string_view t = cursor_.line().text;
      const int64_t number = cursor_.line().number;
      if (t == "parameters:") {
        in_parameters = true;
      } else if (t == "end of parameters") {
        in_parameters = false;
      } else if (in_parameters && t.starts_with("[") && t.ends_with("]")) {
        const size_t colon = t.find(": ");
        const std::string_view key = colon == std::string_view::npos ? "" : t.substr(1, colon - 1);
        if (key == "boosting" || key == "categorical_feature") {
          parameters_[std::string(t.substr(1, colon - 1))] = {
              t.substr(colon + 2, t.size() - colon - 3), number};
        }
      } else if (t.starts_with("pandas_categorical:")) {
        pandas_ = {t.substr(19), number};
      }
    }
  }

  // Which features are categorical, and their categories.
  Status DescribeInputs(const std::vector<RawTree>& trees, ModelInfo* info) {
    std::vector<bool> categorical(static_cast<size_t>(num_features_), false);
    for (size_t j = 0; j < categorical.size(); ++j) {
      const std::string& s = feature_infos_[j];
      categorical[j] = s != "none" && !s.starts_with("[");
    }
    if (auto p = parameters_.find("categorical_feature"); p != parameters_.end()) {
      for (std::string_view token : Tokens(p->second.value, ',')) {
        int64_t j = -1;
        if (ParseNumber(token, &j) && j >= 0 && j < num_features_) {
          categorical[static_cast<size_t>(j)] = true;
        }
      }
    }
    // Largest code each categorical feature uses: feature_infos lists the codes seen in
    // training, the split bitsets the codes the model tests.
    std::vector<int64_t> max_code(categorical.size(), -1);
    for (size_t j = 0; j < categorical.size(); ++j) {
      if (!categorical[j] || feature_infos_[j] == "none") continue;
      for (std::string_view token : Tokens(feature_infos_[j], ':')) {
        int64_t code = 0;
        if (!ParseNumber(token, &code)) {
          return ErrorAt(source_, infos_line_,
                         "feature_infos of categorical feature \"" + feature_names_[j] +
                             "\" holds \"" + Shorten(token) + "\"")
              .Expecting("integer category codes separated by ':'");
        }
        max_code[j] = std::max(max_code[j], code);
      }
    }
    for (const RawTree& tree : trees) {
      for (size_t n = 0; n < tree.split_feature.size(); ++n) {
        if (!(tree.decision_type[n] & kCategoricalMask)) continue;
        const auto f = static_cast<size_t>(tree.split_feature[n]);
        if (!categorical[f]) {
          return ErrorAt(source_, tree.line,
                         "a categorical split on feature \"" + feature_names_[f] +
                             "\", which feature_infos declares numerical");
        }
        const auto cat = static_cast<size_t>(tree.threshold[n]);
        for (int32_t w = tree.cat_boundaries[cat]; w < tree.cat_boundaries[cat + 1]; ++w) {
          const uint32_t word = tree.cat_threshold[static_cast<size_t>(w)];
          if (word == 0) continue;
          const int64_t top = 32 * int64_t{w - tree.cat_boundaries[cat]} + 31 -
                              static_cast<int64_t>(__builtin_clz(word));
          max_code[f] = std::max(max_code[f], top);
        }
      }
    }
    // pandas_categorical: the category values of each categorical feature in code order.
    std::vector<std::vector<std::string>> pandas;
    std::vector<bool> pandas_bool;
    if (pandas_.line > 0) {
      PROBITY_RETURN_IF_ERROR(ReadPandas(&pandas, &pandas_bool));
    }
    const auto categorical_count = std::count(categorical.begin(), categorical.end(), true);
    if (!pandas.empty() && static_cast<int64_t>(pandas.size()) != categorical_count) {
      return UnimplementedError(source_ + ":" + std::to_string(pandas_.line) +
                                ": pandas_categorical lists " + std::to_string(pandas.size()) +
                                " category sets but the model has " +
                                std::to_string(categorical_count) +
                                " categorical features; Probity cannot tell which set belongs "
                                "to which feature");
    }
    encode_as_.assign(categorical.size(), LightGBMModel::kNumber);
    bool_false_code_.assign(categorical.size(), 0);
    size_t next_pandas = 0;
    for (size_t j = 0; j < categorical.size(); ++j) {
      ModelInput input{.name = feature_names_[j], .format_type = "numerical"};
      if (categorical[j]) {
        input.kind = InputKind::kCategorical;
        input.format_type = "categorical";
        if (!pandas.empty()) {
          const size_t k = next_pandas++;
          if (max_code[j] >= static_cast<int64_t>(pandas[k].size())) {
            return ErrorAt(source_, pandas_.line,
                           "feature \"" + feature_names_[j] + "\" uses category code " +
                               std::to_string(max_code[j]) + " but pandas_categorical lists " +
                               std::to_string(pandas[k].size()) + " categories for it");
          }
          input.categories = std::move(pandas[k]);
          encode_as_[j] = pandas_bool[k] ? LightGBMModel::kBoolCode : LightGBMModel::kCode;
          if (pandas_bool[k]) bool_false_code_[j] = input.categories[0] == "false" ? 0 : 1;
        } else if (max_code[j] >= (1 << 20)) {
          return ErrorAt(source_, infos_line_,
                         "categorical feature \"" + feature_names_[j] + "\" uses code " +
                             std::to_string(max_code[j]))
              .Expecting("category codes below 2^20");
        } else {
          // Integer-coded data: the category named "c" has code c.
          for (int64_t c = 0; c <= max_code[j]; ++c) input.categories.push_back(std::to_string(c));
        }
      }
      info->inputs.push_back(std::move(input));
    }
    return OkStatus();
  }

  Status ReadPandas(std::vector<std::vector<std::string>>* sets, std::vector<bool>* is_bool) {
    nlohmann::json parsed;
    try {
      parsed = nlohmann::json::parse(pandas_.value);
    } catch (const nlohmann::json::exception& e) {
      return ErrorAt(source_, pandas_.line,
                     std::string("pandas_categorical is not JSON: ") + e.what());
    }
    if (parsed.is_null()) return OkStatus();
    auto bad = [&](std::string what) {
      return ErrorAt(source_, pandas_.line, "pandas_categorical " + what)
          .Expecting("a JSON list of lists of category values");
    };
    if (!parsed.is_array()) return bad("is not a list");
    for (const nlohmann::json& set : parsed) {
      if (!set.is_array()) return bad("holds a non-list entry");
      std::vector<std::string> values;
      bool all_bool = !set.empty();
      for (const nlohmann::json& v : set) {
        all_bool = all_bool && v.is_boolean();
        if (v.is_string()) {
          values.push_back(v.get<std::string>());
        } else if (v.is_boolean()) {
          values.push_back(v.get<bool>() ? "true" : "false");
        } else if (v.is_number_integer()) {
          values.push_back(v.dump());
        } else if (v.is_number_float()) {
          char buffer[64];
          auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.get<double>());
          values.emplace_back(buffer, end);
        } else {
          return bad("holds a value that is neither a string, a number nor a boolean");
        }
      }
      sets->push_back(std::move(values));
      is_bool->push_back(all_bool);
    }
    return OkStatus();
  }

  // The TreeView of one LightGBM tree: internal nodes keep their index, leaf k becomes node
  // (num_leaves - 1) + k. `extra` receives the zero-is-missing flags.
  TreeView ToView(const RawTree& raw, size_t index, std::vector<uint8_t>* extra) const {
    TreeView view;
    view.output = static_cast<int>(index % static_cast<size_t>(tree_per_iteration_));
    const auto internal = static_cast<int32_t>(raw.num_leaves - 1);
    view.nodes.resize(static_cast<size_t>(2 * raw.num_leaves - 1));
    extra->assign(view.nodes.size(), 0);
    auto child = [&](int32_t c) { return c >= 0 ? c : internal + ~c; };
    for (int32_t n = 0; n < internal; ++n) {
      TreeNode& node = view.nodes[static_cast<size_t>(n)];
      const auto k = static_cast<size_t>(n);
      const int32_t d = raw.decision_type[k];
      node.feature = raw.split_feature[k];
      node.left = child(raw.left_child[k]);
      node.right = child(raw.right_child[k]);
      node.cover = raw.internal_count[k];
      if (d & kCategoricalMask) {
        node.kind = SplitKind::kCategorical;
        node.categories_go_left = true;
        node.default_left = false;  // NaN (and an unseen category) goes right
        const auto cat = static_cast<size_t>(raw.threshold[k]);
        const int32_t begin = raw.cat_boundaries[cat];
        for (int32_t w = begin; w < raw.cat_boundaries[cat + 1]; ++w) {
          const uint32_t word = raw.cat_threshold[static_cast<size_t>(w)];
          for (int b = 0; b < 32; ++b) {
            if ((word >> b) & 1U) node.categories.push_back(32 * (w - begin) + b);
          }
        }
      } else {
        node.kind = SplitKind::kLessEqual;
        node.threshold = raw.threshold[k];
        const int missing = (d >> 2) & 3;
        // Missing type None reads NaN as 0, so NaN goes where 0 goes.
        node.default_left =
            missing == kMissingNone ? 0.0 <= node.threshold : (d & kDefaultLeftMask) != 0;
        if (missing == kMissingZero) {
          (*extra)[k] = internal::kZeroIsMissing;
          node.zero_is_missing = true;
        }
      }
    }
    for (int32_t l = 0; l < raw.num_leaves; ++l) {
      TreeNode& node = view.nodes[static_cast<size_t>(internal + l)];
      node.leaf = {raw.leaf_value[static_cast<size_t>(l)]};
      node.cover = raw.num_leaves == 1 ? std::numeric_limits<double>::quiet_NaN()
                                       : raw.leaf_count[static_cast<size_t>(l)];
    }
    return view;
  }

  Result<std::unique_ptr<Model>> Build(const std::vector<RawTree>& trees) {
    if (trees.size() % static_cast<size_t>(tree_per_iteration_) != 0) {
      return ErrorAt(source_, trees.back().line,
                     "the model has " + std::to_string(trees.size()) + " trees")
          .Expecting("a multiple of num_tree_per_iteration=" + std::to_string(tree_per_iteration_));
    }
    ModelInfo info;
    info.format = "lightgbm";
    info.format_version = version_;
    PROBITY_RETURN_IF_ERROR(DescribeInputs(trees, &info));
    if (auto b = parameters_.find("boosting"); b != parameters_.end()) {
      info.algorithm = std::string(b->second.value);
    } else {
      info.algorithm = average_output_ ? "rf" : "gbdt";
    }
    info.task = objective_.task;
    info.objective = objective_.name;
    info.link = std::string(internal::OutputLinkName(objective_.output.link));
    if (objective_.task == ModelTask::kClassification) {
      for (int c = 0; c < objective_.output.classes; ++c) info.classes.push_back(std::to_string(c));
    } else {
      info.num_targets = static_cast<int>(tree_per_iteration_);
    }
    const size_t iterations = trees.size() / static_cast<size_t>(tree_per_iteration_);
    size_t used_iterations = iterations;
    if (options_.iteration_limit > 0) {
      used_iterations = std::min(iterations, static_cast<size_t>(options_.iteration_limit));
    }
    const size_t used_trees = used_iterations * static_cast<size_t>(tree_per_iteration_);

    TreeEnsembleView view;
    view.num_outputs = static_cast<int>(tree_per_iteration_);
    view.base_margin.assign(static_cast<size_t>(view.num_outputs), 0.0);
    view.average = average_output_;
    view.link = info.link;
    view.cover_kind = "count";
    FlatForest forest(static_cast<int>(num_features_), view.num_outputs);
    forest.SetAverage(average_output_);
    std::vector<uint8_t> extra;
    for (size_t t = 0; t < used_trees; ++t) {
      TreeView tree = ToView(trees[t], t, &extra);
      Status added = forest.AddTree(tree, extra);
      if (!added.ok()) {
        return ErrorAt(source_, trees[t].line, "Tree=" + std::to_string(t) + ": " + added.message())
            .Expecting(added.expected());
      }
      view.trees.push_back(std::move(tree));
    }
    info.structure = {{"trees", static_cast<int64_t>(used_trees)},
                      {"iterations", static_cast<int64_t>(used_iterations)},
                      {"max_depth", forest.max_depth()},
                      {"leaves", forest.num_leaves()}};
    return std::unique_ptr<Model>(
        new LightGBMModel(std::move(info), std::move(view), std::move(forest), objective_.output,
                          std::move(encode_as_), std::move(bool_false_code_)));
  }

  const std::string& source_;
  const ModelLoadOptions& options_;
  LineCursor cursor_;
  int64_t first_line_ = 1;
  std::string version_;
  int64_t num_class_ = 1;
  int64_t tree_per_iteration_ = 1;
  int64_t num_features_ = 0;
  std::vector<std::string> feature_names_;
  std::vector<std::string> feature_infos_;
  int64_t infos_line_ = 0;
  bool average_output_ = false;
  Objective objective_;
  int64_t tree_index_ = 0;
  std::map<std::string, Entry, std::less<>> parameters_;
  Entry pandas_;
  std::vector<uint8_t> encode_as_;
  std::vector<int32_t> bool_false_code_;
};

}  // namespace

Result<std::unique_ptr<Model>> LoadLightGBMModel(std::string_view text, const std::string& source,
                                                 const ModelLoadOptions& options) {
  return Loader(text, source, options).Load();
}

}  // namespace probity::models
