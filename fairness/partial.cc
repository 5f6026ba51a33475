#include "fairness/partial.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <set>
#include <utility>

#include "audit/core/json_output.h"
#include "audit/core/status.h"

namespace probity::fairness {
namespace {

using Json = nlohmann::ordered_json;

// Counts are exact in a double and twice them still fit an int64 (a merge adds two).
constexpr int64_t kMaxCount = int64_t{1} << 53;
// Weights and sums: finite, and far enough from overflow that merges stay finite.
constexpr double kMaxMagnitude = 1e300;
constexpr int64_t kMaxReadBytes = int64_t{1} << 30;

// ---- Writing ----------------------------------------------------------------------------

Json ConfusionToJson(const Confusion& c, bool counts) {
  auto number = [counts](double v) { return counts ? Json(static_cast<int64_t>(v)) : Json(v); };
  return Json{
      {"tp", number(c.tp)}, {"fp", number(c.fp)}, {"tn", number(c.tn)}, {"fn", number(c.fn)}};
}

Json SketchToJson(const ScoreSketch& sketch) {
  Json entries = Json::array();
  for (const ScoreSketch::Entry& e : sketch.entries()) {
    entries.push_back(Json::array({e.value, e.weight, e.rows}));
  }
  return Json{{"precision_bits", sketch.precision_bits()}, {"entries", std::move(entries)}};
}

Json CellToJson(const CellKey& key, const CellStats& cell) {
  Json out = Json::object();
  out["key"] = key;
  out["weighted"] = ConfusionToJson(cell.weighted, false);
  out["rows"] = ConfusionToJson(cell.rows, true);
  out["class_matrix"] = cell.class_matrix;
  out["scores"] = Json::array({SketchToJson(cell.scores[0]), SketchToJson(cell.scores[1])});
  const RegressionSums& r = cell.regression;
  out["regression"] = Json{{"weight", r.weight},
                           {"rows", r.rows},
                           {"prediction", r.prediction},
                           {"label", r.label},
                           {"absolute_error", r.absolute_error},
                           {"squared_error", r.squared_error}};
  return out;
}

// ---- Reading ----------------------------------------------------------------------------

// A JSON Pointer (RFC 6901) to a member or element.
std::string Child(const std::string& path, std::string_view key) {
  return path + "/" + EscapeJsonPointerToken(key);
}
std::string Child(const std::string& path, size_t index) {
  return path + "/" + std::to_string(index);
}

std::string TypeOf(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "a list";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    default: return "not a value";
  }
}

// The value for a message: scalars as written (cut short), containers by type only (dump()
// would recurse into deep nesting).
std::string Shorten(const Json& v) {
  if (v.is_structured()) return TypeOf(v);
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  return text.size() <= 40 ? text : text.substr(0, 40) + "…";
}

// Reads one partial document strictly. Every error is kInvalidArgument and names the source
// and the JSON Pointer of the offending field.
class PartialReader {
 public:
  explicit PartialReader(std::string_view source) : source_(source) {}

  Result<FairnessStatistics> Read(const Json& doc) {
    PROBITY_RETURN_IF_ERROR(Keys(
        doc, "", {"schema", "probity_version", "layout", "levels", "strata", "row_counts", "cells"},
        {"schema", "layout", "levels", "strata", "row_counts", "cells"}));
    PROBITY_ASSIGN_OR_RETURN(std::string schema, String(doc["schema"], "/schema"));
    if (schema != kPartialSchema) {
      return Error("/schema", "is " + Shorten(doc["schema"]),
                   "\"" + std::string(kPartialSchema) + "\"");
    }
    if (doc.contains("probity_version")) {
      PROBITY_RETURN_IF_ERROR(String(doc["probity_version"], "/probity_version").status());
    }
    PROBITY_ASSIGN_OR_RETURN(StatisticsLayout layout, ReadLayout(doc["layout"], "/layout"));
    FairnessStatistics stats(layout);
    PROBITY_RETURN_IF_ERROR(ReadLevels(doc["levels"], stats));
    PROBITY_RETURN_IF_ERROR(ReadStrata(doc["strata"], stats));
    PROBITY_RETURN_IF_ERROR(ReadRowCounts(doc["row_counts"], "/row_counts", stats));
    PROBITY_RETURN_IF_ERROR(ReadCells(doc["cells"], stats));
    return stats;
  }

 private:
  Status Error(const std::string& path, std::string message, std::string expected) const {
    return InvalidArgumentError((path.empty() ? "/" : path) + ": " + std::move(message))
        .At({std::string(source_), 0, 0})
        .Expecting(std::move(expected));
  }

  // `object` is an object holding only `allowed` keys and every `required` one.
  Status Keys(const Json& object, const std::string& path,
              std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> required) const {
    if (!object.is_object()) return Error(path, "is " + TypeOf(object), "an object");
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
        std::string list;
        for (std::string_view k : allowed) list += (list.empty() ? "" : ", ") + std::string(k);
        return Error(Child(path, it.key()), "unknown key", "one of " + list);
      }
    }
    for (std::string_view key : required) {
      if (!object.contains(key)) {
        return Error(Child(path, key), "is missing", "a key \"" + std::string(key) + "\"");
      }
    }
    return OkStatus();
  }

  Result<std::string> String(const Json& v, const std::string& path) const {
    if (!v.is_string()) return Error(path, "is " + TypeOf(v), "a string");
    return v.get<std::string>();
  }

  Result<bool> Bool(const Json& v, const std::string& path) const {
    if (!v.is_boolean()) return Error(path, "is " + TypeOf(v), "true or false");
    return v.get<bool>();
  }

  Status List(const Json& v, const std::string& path, std::string_view of) const {
    if (!v.is_array()) return Error(path, "is " + TypeOf(v), "a list of " + std::string(of));
    return OkStatus();
  }

  Result<std::vector<std::string>> Strings(const Json& v, const std::string& path) const {
    PROBITY_RETURN_IF_ERROR(List(v, path, "strings"));
    std::vector<std::string> out;
    out.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      PROBITY_ASSIGN_OR_RETURN(std::string s, String(v[i], Child(path, i)));
      out.push_back(std::move(s));
    }
    return out;
  }

  // A finite number (JSON has no NaN or infinity, but a huge exponent overflows to one).
  Result<double> Number(const Json& v, const std::string& path, bool non_negative) const {
    const char* expected = non_negative ? "a non-negative number of at most 1e300"
                                        : "a finite number of magnitude at most 1e300";
    if (!v.is_number()) return Error(path, "is " + TypeOf(v), expected);
    const double d = v.get<double>();
    if (!(std::abs(d) <= kMaxMagnitude) || (non_negative && d < 0)) {
      return Error(path, "is " + Shorten(v), expected);
    }
    return d;
  }

  // A score: any finite number.
  Result<double> Score(const Json& v, const std::string& path) const {
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      return Error(path, "is " + Shorten(v), "a finite number");
    }
    return v.get<double>();
  }

  // A row count: a JSON integer in [minimum, 2^53].
  Result<int64_t> Count(const Json& v, const std::string& path, int64_t minimum = 0) const {
    const std::string expected = (minimum == 0 ? "a non-negative integer" : "a positive integer") +
                                 std::string(" of at most 2^53");
    if (!v.is_number_integer()) return Error(path, "is " + Shorten(v), expected);
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(kMaxCount) || static_cast<int64_t>(u) < minimum) {
        return Error(path, "is " + Shorten(v), expected);
      }
      return static_cast<int64_t>(u);
    }
    const int64_t i = v.get<int64_t>();
    if (i < minimum || i > kMaxCount) return Error(path, "is " + Shorten(v), expected);
    return i;
  }

  // An index in [0, size).
  Result<int32_t> Index(const Json& v, const std::string& path, size_t size,
                        std::string_view what) const {
    const std::string expected =
        size == 0 ? "no index: " + std::string(what) + " has no entries"
                  : "an integer in [0, " + std::to_string(size) + ") (" + std::string(what) + ")";
    if (!v.is_number_unsigned() || v.get<uint64_t>() >= size) {
      return Error(path, "is " + Shorten(v), expected);
    }
    return static_cast<int32_t>(v.get<uint64_t>());
  }

  Result<StatisticsLayout> ReadLayout(const Json& v, const std::string& path) const {
    PROBITY_RETURN_IF_ERROR(
        Keys(v, path,
             {"task", "label", "favourable", "classes", "prediction_source", "has_predictions",
              "has_scores", "facets", "group_variable", "weight"},
             {"task", "label", "favourable", "classes", "prediction_source", "has_predictions",
              "has_scores", "facets", "group_variable", "weight"}));
    StatisticsLayout layout;
    PROBITY_ASSIGN_OR_RETURN(std::string task, String(v["task"], Child(path, "task")));
    if (task == TaskName(Task::kBinary)) {
      layout.task = Task::kBinary;
    } else if (task == TaskName(Task::kMulticlass)) {
      layout.task = Task::kMulticlass;
    } else if (task == TaskName(Task::kRegression)) {
      layout.task = Task::kRegression;
    } else {
      return Error(Child(path, "task"), "is " + Shorten(v["task"]),
                   "\"binary\", \"multiclass\" or \"regression\"");
    }
    PROBITY_ASSIGN_OR_RETURN(layout.label, String(v["label"], Child(path, "label")));
    PROBITY_ASSIGN_OR_RETURN(layout.favourable, String(v["favourable"], Child(path, "favourable")));
    PROBITY_ASSIGN_OR_RETURN(layout.classes, Strings(v["classes"], Child(path, "classes")));
    PROBITY_ASSIGN_OR_RETURN(layout.prediction_source,
                             String(v["prediction_source"], Child(path, "prediction_source")));
    PROBITY_ASSIGN_OR_RETURN(layout.has_predictions,
                             Bool(v["has_predictions"], Child(path, "has_predictions")));
    PROBITY_ASSIGN_OR_RETURN(layout.has_scores, Bool(v["has_scores"], Child(path, "has_scores")));
    PROBITY_ASSIGN_OR_RETURN(layout.facets, Strings(v["facets"], Child(path, "facets")));
    PROBITY_ASSIGN_OR_RETURN(layout.group_variable,
                             String(v["group_variable"], Child(path, "group_variable")));
    PROBITY_ASSIGN_OR_RETURN(layout.weight, String(v["weight"], Child(path, "weight")));
    return layout;
  }

  Status ReadLevels(const Json& v, FairnessStatistics& stats) const {
    const size_t facets = stats.layout().facets.size();
    PROBITY_RETURN_IF_ERROR(List(v, "/levels", "lists of level names"));
    if (v.size() != facets) {
      return Error("/levels", "has " + std::to_string(v.size()) + " lists",
                   "one list of level names per facet (" + std::to_string(facets) + ")");
    }
    for (size_t f = 0; f < facets; ++f) {
      const std::string path = Child("/levels", f);
      PROBITY_ASSIGN_OR_RETURN(std::vector<std::string> names, Strings(v[f], path));
      for (size_t i = 0; i < names.size(); ++i) {
        if (stats.InternLevel(f, names[i]) != static_cast<int32_t>(i)) {
          return Error(Child(path, i), "repeats the level \"" + names[i] + "\"",
                       "distinct level names");
        }
      }
    }
    return OkStatus();
  }

  Status ReadStrata(const Json& v, FairnessStatistics& stats) const {
    PROBITY_ASSIGN_OR_RETURN(std::vector<std::string> names, Strings(v, "/strata"));
    if (stats.layout().group_variable.empty() && !names.empty()) {
      return Error("/strata", "has " + std::to_string(names.size()) + " strata",
                   "an empty list: the layout has no group variable");
    }
    for (size_t i = 0; i < names.size(); ++i) {
      if (stats.InternStratum(names[i]) != static_cast<int32_t>(i)) {
        return Error(Child("/strata", i), "repeats the stratum \"" + names[i] + "\"",
                     "distinct strata");
      }
    }
    return OkStatus();
  }

  Status ReadRowCounts(const Json& v, const std::string& path, FairnessStatistics& stats) const {
    PROBITY_RETURN_IF_ERROR(
        Keys(v, path, {"read", "used", "label_missing", "prediction_missing", "score_invalid"},
             {"read", "used", "label_missing", "prediction_missing", "score_invalid"}));
    RowCounts& counts = stats.mutable_row_counts();
    PROBITY_ASSIGN_OR_RETURN(counts.read, Count(v["read"], Child(path, "read")));
    PROBITY_ASSIGN_OR_RETURN(counts.used, Count(v["used"], Child(path, "used")));
    PROBITY_ASSIGN_OR_RETURN(counts.label_missing,
                             Count(v["label_missing"], Child(path, "label_missing")));
    PROBITY_ASSIGN_OR_RETURN(counts.prediction_missing,
                             Count(v["prediction_missing"], Child(path, "prediction_missing")));
    PROBITY_ASSIGN_OR_RETURN(counts.score_invalid,
                             Count(v["score_invalid"], Child(path, "score_invalid")));
    return OkStatus();
  }

  Status ReadCells(const Json& v, FairnessStatistics& stats) const {
    PROBITY_RETURN_IF_ERROR(List(v, "/cells", "cells"));
    if (v.size() > FairnessStatistics::kMaxCells) {
      return Error("/cells", "has " + std::to_string(v.size()) + " cells",
                   "at most " + std::to_string(FairnessStatistics::kMaxCells));
    }
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string path = Child("/cells", i);
      const Json& cell = v[i];
      PROBITY_RETURN_IF_ERROR(
          Keys(cell, path, {"key", "weighted", "rows", "class_matrix", "scores", "regression"},
               {"key", "weighted", "rows", "class_matrix", "scores", "regression"}));
      PROBITY_ASSIGN_OR_RETURN(CellKey key, ReadKey(cell["key"], Child(path, "key"), stats));
      if (stats.cells().contains(key)) {
        return Error(Child(path, "key"), "repeats the key of an earlier cell", "distinct keys");
      }
      CellStats parsed;
      PROBITY_ASSIGN_OR_RETURN(parsed.weighted,
                               ReadConfusion(cell["weighted"], Child(path, "weighted"), false));
      PROBITY_ASSIGN_OR_RETURN(parsed.rows, ReadConfusion(cell["rows"], Child(path, "rows"), true));
      PROBITY_ASSIGN_OR_RETURN(
          parsed.class_matrix,
          ReadClassMatrix(cell["class_matrix"], Child(path, "class_matrix"), stats.layout()));
      const std::string scores = Child(path, "scores");
      PROBITY_RETURN_IF_ERROR(List(cell["scores"], scores, "two score sketches"));
      if (cell["scores"].size() != 2) {
        return Error(scores, "has " + std::to_string(cell["scores"].size()) + " sketches",
                     "two: [label unfavourable, label favourable]");
      }
      for (size_t s = 0; s < 2; ++s) {
        PROBITY_ASSIGN_OR_RETURN(parsed.scores[s], ReadSketch(cell["scores"][s], Child(scores, s)));
      }
      PROBITY_ASSIGN_OR_RETURN(parsed.regression,
                               ReadRegression(cell["regression"], Child(path, "regression")));
      stats.Cell(key) = std::move(parsed);
    }
    return OkStatus();
  }

  Result<CellKey> ReadKey(const Json& v, const std::string& path,
                          const FairnessStatistics& stats) const {
    const size_t facets = stats.layout().facets.size();
    PROBITY_RETURN_IF_ERROR(List(v, path, "indices"));
    if (v.size() != facets + 1) {
      return Error(path, "has " + std::to_string(v.size()) + " indices",
                   std::to_string(facets + 1) + ": a level index per facet, then the stratum");
    }
    CellKey key(facets + 1);
    for (size_t f = 0; f < facets; ++f) {
      PROBITY_ASSIGN_OR_RETURN(key[f], Index(v[f], Child(path, f), stats.levels()[f].size(),
                                             "the levels of \"" + stats.layout().facets[f] + "\""));
    }
    const size_t strata = stats.layout().group_variable.empty() ? 1 : stats.strata().size();
    PROBITY_ASSIGN_OR_RETURN(
        key[facets], Index(v[facets], Child(path, facets), strata,
                           stats.layout().group_variable.empty() ? "0: there is no group variable"
                                                                 : "the strata"));
    return key;
  }

  Result<Confusion> ReadConfusion(const Json& v, const std::string& path, bool counts) const {
    PROBITY_RETURN_IF_ERROR(Keys(v, path, {"tp", "fp", "tn", "fn"}, {"tp", "fp", "tn", "fn"}));
    Confusion c;
    for (auto [name, field] : {std::pair{"tp", &c.tp}, std::pair{"fp", &c.fp},
                               std::pair{"tn", &c.tn}, std::pair{"fn", &c.fn}}) {
      const std::string at = Child(path, name);
      if (counts) {
        PROBITY_ASSIGN_OR_RETURN(int64_t n, Count(v[name], at));
        *field = static_cast<double>(n);
      } else {
        PROBITY_ASSIGN_OR_RETURN(*field, Number(v[name], at, true));
      }
    }
    return c;
  }

  Result<std::vector<double>> ReadClassMatrix(const Json& v, const std::string& path,
                                              const StatisticsLayout& layout) const {
    PROBITY_RETURN_IF_ERROR(List(v, path, "weighted counts"));
    const size_t k = layout.classes.size();
    const size_t full = layout.task != Task::kMulticlass ? 0 : layout.has_predictions ? k * k : k;
    if (v.size() != 0 && v.size() != full) {
      return Error(path, "has " + std::to_string(v.size()) + " counts",
                   layout.task != Task::kMulticlass
                       ? std::string("an empty list (the task is not multiclass)")
                       : "0 or " + std::to_string(full) + " counts (" + std::to_string(k) +
                             " classes" + (layout.has_predictions ? " squared)" : ")"));
    }
    std::vector<double> out(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      PROBITY_ASSIGN_OR_RETURN(out[i], Number(v[i], Child(path, i), true));
    }
    return out;
  }

  Result<ScoreSketch> ReadSketch(const Json& v, const std::string& path) const {
    PROBITY_RETURN_IF_ERROR(
        Keys(v, path, {"precision_bits", "entries"}, {"precision_bits", "entries"}));
    const std::string bits_path = Child(path, "precision_bits");
    const Json& b = v["precision_bits"];
    if (!b.is_number_unsigned() || b.get<uint64_t>() < 1 ||
        b.get<uint64_t>() > ScoreSketch::kFullPrecisionBits) {
      return Error(bits_path, "is " + Shorten(b), "an integer in [1, 53]");
    }
    const int bits = static_cast<int>(b.get<uint64_t>());
    const std::string entries_path = Child(path, "entries");
    const Json& list = v["entries"];
    PROBITY_RETURN_IF_ERROR(List(list, entries_path, "[value, weight, rows] entries"));
    if (list.size() > ScoreSketch::kDefaultMaxEntries) {
      return Error(entries_path, "has " + std::to_string(list.size()) + " entries",
                   "at most " + std::to_string(ScoreSketch::kDefaultMaxEntries));
    }
    std::vector<ScoreSketch::Entry> entries(list.size());
    int64_t total_rows = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = Child(entries_path, i);
      const Json& e = list[i];
      if (!e.is_array() || e.size() != 3) {
        return Error(at,
                     "is " + (e.is_array() ? "a list of " + std::to_string(e.size()) : TypeOf(e)),
                     "a list [value, weight, rows]");
      }
      ScoreSketch::Entry& entry = entries[i];
      PROBITY_ASSIGN_OR_RETURN(entry.value, Score(e[0], Child(at, 0)));
      PROBITY_ASSIGN_OR_RETURN(entry.weight, Number(e[1], Child(at, 1), true));
      PROBITY_ASSIGN_OR_RETURN(entry.rows, Count(e[2], Child(at, 2), 1));
      if (ScoreSketch::RoundToBits(entry.value, bits) != entry.value) {
        return Error(Child(at, 0), "is " + Shorten(e[0]) + ", not a multiple of its precision",
                     "a value rounded to " + std::to_string(bits) + " significant bits");
      }
      if (i > 0 && !(entries[i - 1].value < entry.value)) {
        return Error(at,
                     entries[i - 1].value == entry.value ? "repeats the previous value"
                                                         : "is below the previous value",
                     "entries sorted by value, each value once");
      }
      total_rows += entry.rows;
      if (total_rows > kMaxCount) {
        return Error(at, "brings the sketch's rows above 2^53", "at most 2^53 rows per sketch");
      }
    }
    return ScoreSketch::FromEntries(std::move(entries), bits);
  }

  Result<RegressionSums> ReadRegression(const Json& v, const std::string& path) const {
    PROBITY_RETURN_IF_ERROR(
        Keys(v, path, {"weight", "rows", "prediction", "label", "absolute_error", "squared_error"},
             {"weight", "rows", "prediction", "label", "absolute_error", "squared_error"}));
    RegressionSums r;
    PROBITY_ASSIGN_OR_RETURN(r.weight, Number(v["weight"], Child(path, "weight"), true));
    PROBITY_ASSIGN_OR_RETURN(r.rows, Count(v["rows"], Child(path, "rows")));
    PROBITY_ASSIGN_OR_RETURN(r.prediction,
                             Number(v["prediction"], Child(path, "prediction"), false));
    PROBITY_ASSIGN_OR_RETURN(r.label, Number(v["label"], Child(path, "label"), false));
    PROBITY_ASSIGN_OR_RETURN(r.absolute_error,
                             Number(v["absolute_error"], Child(path, "absolute_error"), true));
    PROBITY_ASSIGN_OR_RETURN(r.squared_error,
                             Number(v["squared_error"], Child(path, "squared_error"), true));
    return r;
  }

  std::string_view source_;
};

// A parse error with the line and column of the offending byte.
Status ParseError(std::string_view text, std::string_view source, const Json::parse_error& e) {
  return JsonSyntaxError(text, std::string(source), e)
      .Expecting("a partial-statistics file (" + std::string(kPartialSchema) + ")");
}

}  // namespace

Json PartialToJson(const FairnessStatistics& statistics) {
  const StatisticsLayout& layout = statistics.layout();
  Json doc = MachineDocument(kPartialSchema);
  doc["layout"] = Json{{"task", std::string(TaskName(layout.task))},
                       {"label", layout.label},
                       {"favourable", layout.favourable},
                       {"classes", layout.classes},
                       {"prediction_source", layout.prediction_source},
                       {"has_predictions", layout.has_predictions},
                       {"has_scores", layout.has_scores},
                       {"facets", layout.facets},
                       {"group_variable", layout.group_variable},
                       {"weight", layout.weight}};
  doc["levels"] = statistics.levels();
  doc["strata"] = statistics.strata();
  const RowCounts& counts = statistics.row_counts();
  doc["row_counts"] = Json{{"read", counts.read},
                           {"used", counts.used},
                           {"label_missing", counts.label_missing},
                           {"prediction_missing", counts.prediction_missing},
                           {"score_invalid", counts.score_invalid}};
  Json cells = Json::array();
  for (const auto& [key, cell] : statistics.cells()) cells.push_back(CellToJson(key, cell));
  doc["cells"] = std::move(cells);
  return doc;
}

Result<FairnessStatistics> PartialFromJson(std::string_view text, std::string_view source) {
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return ParseError(text, source, e);
  } catch (const Json::out_of_range& e) {  // a number that overflows a double
    return InvalidArgumentError(std::string("not valid JSON: ") + e.what())
        .At({std::string(source), 0, 0})
        .Expecting("finite numbers (a partial never holds an infinity or NaN)");
  } catch (const Json::exception& e) {
    return InvalidArgumentError(std::string("not valid JSON: ") + e.what())
        .At({std::string(source), 0, 0});
  }
  try {
    return PartialReader(source).Read(doc);
  } catch (const Json::exception& e) {
    return InternalError(std::string(source) + ": unexpected JSON access: " + e.what());
  }
}

Status WritePartial(FileSystem& fs, const std::string& path, const FairnessStatistics& statistics) {
  // Compact: a sketch entry takes ~35 bytes instead of ~100 indented. Names that are not
  // UTF-8 (from the data's bytes) are written with U+FFFD, as DumpJson does.
  return fs.WriteFileAtomically(
      path, PartialToJson(statistics).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

Result<FairnessStatistics> ReadPartial(FileSystem& fs, const std::string& path) {
  PROBITY_ASSIGN_OR_RETURN(std::string text, fs.ReadSmallFile(path, kMaxReadBytes));
  return PartialFromJson(text, path);
}

}  // namespace probity::fairness
