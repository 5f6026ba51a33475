#include "explain/reasons.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <variant>

#include "audit/core/json_output.h"
#include "audit/core/status.h"
#include "audit/ingest/csv_writer.h"
// FindInvalidUtf8: the table's texts end up in JSON, which must be UTF-8.
#include "audit/ingest/internal/text_values.h"

namespace probity::explain {
namespace {

using Names = std::set<std::string, std::less<>>;

constexpr size_t kMaxTableBytes = size_t{1} << 20;
constexpr std::string_view kExpectedTable =
    "a reason-code table as described in docs/formats/explain.md";

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string JoinQuoted(const std::vector<std::string>& names, size_t limit = 20) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) {
    out += (i ? ", " : "") + Quoted(names[i]);
  }
  if (names.size() > limit) out += ", … (" + std::to_string(names.size()) + " in all)";
  return out;
}

// ---------------------------------------------------------------------------------------
// The table's consistency, shared by the parser (which reports where in the file) and
// SelectReasons (which may be given a table built in code).

// Where a conflict is, as indices into the table, so the parser can give its line.
struct TablePlace {
  enum class Part { kNone, kCode, kFeature, kProtected, kGroup, kGroupInput } part = Part::kNone;
  size_t index = 0;  // code, protected entry or group
  size_t item = 0;   // feature of the code, input of the group
};

struct TableConflict {
  std::string message;
  std::string expected;
  TablePlace place;
};

// The table with group names expanded: a name stands for itself and, when it is a group,
// for each of the group's inputs.
struct TableIndex {
  std::map<std::string, std::vector<std::string>, std::less<>> group_inputs;
  std::map<std::string, size_t, std::less<>> code_of;  // expanded feature → code index
  Names protected_names;                               // expanded
  Names group_input_names;

  std::vector<std::string> Expand(const std::string& name) const {
    std::vector<std::string> out = {name};
    if (auto it = group_inputs.find(name); it != group_inputs.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
    return out;
  }
};

std::variant<TableIndex, TableConflict> IndexTable(const ReasonCodeTable& table) {
  using Part = TablePlace::Part;
  TableIndex index;
  std::map<std::string, size_t, std::less<>> group_of_input;
  for (size_t g = 0; g < table.groups.size(); ++g) {
    const FeatureGroup& group = table.groups[g];
    if (group.name.empty()) {
      return TableConflict{"a feature group has no name", "a name", {Part::kGroup, g, 0}};
    }
    if (group.inputs.empty()) {
      return TableConflict{"feature group " + Quoted(group.name) + " has no inputs",
                           "one or more model inputs",
                           {Part::kGroup, g, 0}};
    }
    if (index.group_inputs.contains(group.name)) {
      return TableConflict{"feature group " + Quoted(group.name) + " is declared twice",
                           "each group name once",
                           {Part::kGroup, g, 0}};
    }
    for (size_t i = 0; i < group.inputs.size(); ++i) {
      const std::string& input = group.inputs[i];
      if (auto [it, added] = group_of_input.emplace(input, g); !added) {
        return TableConflict{"input " + Quoted(input) + " of feature group " + Quoted(group.name) +
                                 " is already in group " + Quoted(table.groups[it->second].name),
                             "each input in at most one group",
                             {Part::kGroupInput, g, i}};
      }
    }
    index.group_inputs[group.name] = group.inputs;
  }
  for (size_t g = 0; g < table.groups.size(); ++g) {
    if (auto it = group_of_input.find(table.groups[g].name); it != group_of_input.end()) {
      return TableConflict{"feature group " + Quoted(table.groups[g].name) +
                               " has the name of an input of group " +
                               Quoted(table.groups[it->second].name),
                           "group names distinct from input names",
                           {Part::kGroup, g, 0}};
    }
  }
  for (const auto& [input, g] : group_of_input) index.group_input_names.insert(input);

  std::map<std::string, size_t, std::less<>> code_index;
  for (size_t c = 0; c < table.codes.size(); ++c) {
    const ReasonCode& code = table.codes[c];
    if (code.code.empty() || code.text.empty() || code.features.empty()) {
      return TableConflict{"a reason code has no " + std::string(code.code.empty()   ? "code"
                                                                 : code.text.empty() ? "text"
                                                                                     : "features"),
                           "code, text and one or more features",
                           {Part::kCode, c, 0}};
    }
    if (auto [it, added] = code_index.emplace(code.code, c); !added) {
      return TableConflict{"reason code " + Quoted(code.code) + " is declared twice",
                           "each code once",
                           {Part::kCode, c, 0}};
    }
    for (size_t f = 0; f < code.features.size(); ++f) {
      for (const std::string& name : index.Expand(code.features[f])) {
        auto [it, added] = index.code_of.emplace(name, c);
        if (added || it->second == c) continue;
        std::string via =
            name == code.features[f] ? "" : " (an input of group " + Quoted(code.features[f]) + ")";
        return TableConflict{"feature " + Quoted(name) + via + " has two reason codes: " +
                                 Quoted(table.codes[it->second].code) + " and " + Quoted(code.code),
                             "each feature, group or group input under one code",
                             {Part::kFeature, c, f}};
      }
    }
  }
  for (size_t p = 0; p < table.protected_features.size(); ++p) {
    if (table.protected_features[p].empty()) {
      return TableConflict{
          "a protected feature has an empty name", "a feature name", {Part::kProtected, p, 0}};
    }
    for (const std::string& name : index.Expand(table.protected_features[p])) {
      if (auto it = index.code_of.find(name); it != index.code_of.end()) {
        return TableConflict{"protected feature " + Quoted(name) + " has reason code " +
                                 Quoted(table.codes[it->second].code),
                             "protected features without a code (they are never reasons)",
                             {Part::kProtected, p, 0}};
      }
      index.protected_names.insert(name);
    }
  }
  return index;
}

// ---------------------------------------------------------------------------------------
// The YAML reader.

class TableReader {
 public:
  explicit TableReader(const std::string& source) : source_(source) {}

  Result<ReasonCodeTable> Read(const YAML::Node& root) {
    if (root.IsNull()) return Error(root, "the reason-code table is empty", kExpectedTable);
    if (!root.IsMap()) {
      return Error(root, "the reason-code table is not a mapping",
                   "a mapping with keys reason_codes, protected and optionally groups, "
                   "version, description");
    }
    ReasonCodeTable table;
    Names seen;
    for (auto it = root.begin(); it != root.end(); ++it) {
      // Copies: `it->` is a temporary that dies with the statement (found by the fuzzer).
      const YAML::Node key_node = it->first;
      const YAML::Node value = it->second;
      PROBITY_ASSIGN_OR_RETURN(
          std::string key,
          Key(key_node, seen, {"version", "description", "reason_codes", "protected", "groups"},
              "the table"));
      if (key == "version") {
        PROBITY_ASSIGN_OR_RETURN(std::string version, Text(value, "version", &key_node));
        if (version != "1") return Error(value, "version " + Quoted(version), "1");
      } else if (key == "description") {
        PROBITY_RETURN_IF_ERROR(Text(value, "description", &key_node).status());
      } else if (key == "reason_codes") {
        PROBITY_RETURN_IF_ERROR(ReadCodes(value, table));
      } else if (key == "protected") {
        protected_node_ = value;
        PROBITY_ASSIGN_OR_RETURN(table.protected_features,
                                 NameList(value, key_node, "protected", /*allow_empty=*/true));
      } else {
        PROBITY_RETURN_IF_ERROR(ReadGroups(value, table));
      }
    }
    if (!seen.contains("reason_codes")) {
      return Error(root, "the table has no \"reason_codes\"", "a list of {code, text, features}");
    }
    if (!seen.contains("protected")) {
      return Error(root, "the table has no \"protected\"",
                   "the list of protected features (\"protected: []\" when none)");
    }
    auto indexed = IndexTable(table);
    if (const TableConflict* conflict = std::get_if<TableConflict>(&indexed)) {
      return Error(NodeOf(conflict->place), conflict->message, conflict->expected);
    }
    return table;
  }

 private:
  Result<std::string> Key(const YAML::Node& key, Names& seen,
                          std::initializer_list<std::string_view> allowed,
                          const std::string& where) {
    std::string names;
    for (std::string_view name : allowed) names += (names.empty() ? "" : ", ") + std::string(name);
    if (!key.IsScalar()) {
      return Error(key, "a key of " + where + " is not a name", "one of " + names);
    }
    const std::string& name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Error(key, "unknown key " + Quoted(Excerpt(name)) + " in " + where, "one of " + names);
    }
    if (!seen.insert(name).second) {
      return Error(key, "duplicate key " + Quoted(name) + " in " + where, "each key once");
    }
    return name;
  }

  // A non-empty single value. An empty value has no position of its own (yaml-cpp gives
  // the next token's), so it is reported at its key when there is one.
  Result<std::string> Text(const YAML::Node& node, const std::string& field,
                           const YAML::Node* key = nullptr) {
    if (node.IsNull()) {
      return Error(key != nullptr ? *key : node, Quoted(field) + " is empty", "a non-empty text");
    }
    if (!node.IsScalar()) return Error(node, Quoted(field) + " is not a single value", "a text");
    const std::string& text = node.Scalar();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      return Error(node, Quoted(field) + " is empty", "a non-empty text");
    }
    if (ingest::internal::FindInvalidUtf8(text) >= 0) {
      return Error(node, Quoted(field) + " is not valid UTF-8",
                   "UTF-8 text (and no escaped surrogates \\uD800-\\uDFFF)");
    }
    PROBITY_RETURN_IF_ERROR(Charge(node, text.size()));
    return text;
  }

  // A list of distinct names; non-empty unless allow_empty (then an empty value is too).
  Result<std::vector<std::string>> NameList(const YAML::Node& node, const YAML::Node& key,
                                            const std::string& field, bool allow_empty) {
    if (node.IsNull()) {
      if (allow_empty) return std::vector<std::string>{};
      return Error(key, Quoted(field) + " is empty", "one or more feature names");
    }
    if (!node.IsSequence()) {
      return Error(node, Quoted(field) + " is not a list",
                   allow_empty ? "a list of feature names" : "a non-empty list of feature names");
    }
    if (node.size() == 0 && !allow_empty) {
      return Error(node, Quoted(field) + " is an empty list", "one or more feature names");
    }
    std::vector<std::string> names;
    Names seen;
    for (const YAML::Node& item : node) {
      const std::string item_field = field + "[" + std::to_string(names.size()) + "]";
      PROBITY_ASSIGN_OR_RETURN(std::string name, Text(item, item_field));
      if (!seen.insert(name).second) {
        return Error(item, Quoted(name) + " is listed twice in " + Quoted(field), "each name once");
      }
      names.push_back(std::move(name));
    }
    return names;
  }

  Status ReadCodes(const YAML::Node& node, ReasonCodeTable& table) {
    if (!node.IsSequence() || node.size() == 0) {
      return Error(node, "\"reason_codes\" is not a non-empty list",
                   "a list of {code, text, features}");
    }
    for (const YAML::Node& item : node) {
      const std::string where = "reason_codes[" + std::to_string(table.codes.size()) + "]";
      if (!item.IsMap()) {
        return Error(item, Quoted(where) + " is not a mapping", "{code, text, features}");
      }
      ReasonCode code;
      ItemNodes nodes;
      Names seen;
      for (auto it = item.begin(); it != item.end(); ++it) {
        const YAML::Node key_node = it->first;
        const YAML::Node value = it->second;
        PROBITY_ASSIGN_OR_RETURN(std::string key,
                                 Key(key_node, seen, {"code", "text", "features"}, where));
        const std::string field = where + "." + key;
        if (key == "code") {
          nodes.name = value;
          PROBITY_ASSIGN_OR_RETURN(code.code, Text(value, field, &key_node));
        } else if (key == "text") {
          PROBITY_ASSIGN_OR_RETURN(code.text, Text(value, field, &key_node));
        } else {
          nodes.list = value;
          PROBITY_ASSIGN_OR_RETURN(code.features, NameList(value, key_node, field, false));
        }
      }
      for (std::string_view key : {"code", "text", "features"}) {
        if (!seen.contains(key)) {
          return Error(item, Quoted(where) + " has no " + Quoted(key), "code, text and features");
        }
      }
      table.codes.push_back(std::move(code));
      code_nodes_.push_back(std::move(nodes));
    }
    return OkStatus();
  }

  Status ReadGroups(const YAML::Node& node, ReasonCodeTable& table) {
    if (node.IsNull()) return OkStatus();
    if (!node.IsSequence()) {
      return Error(node, "\"groups\" is not a list", "a list of {name, inputs}");
    }
    for (const YAML::Node& item : node) {
      const std::string where = "groups[" + std::to_string(table.groups.size()) + "]";
      if (!item.IsMap()) return Error(item, Quoted(where) + " is not a mapping", "{name, inputs}");
      FeatureGroup group;
      ItemNodes nodes;
      Names seen;
      for (auto it = item.begin(); it != item.end(); ++it) {
        const YAML::Node key_node = it->first;
        const YAML::Node value = it->second;
        PROBITY_ASSIGN_OR_RETURN(std::string key, Key(key_node, seen, {"name", "inputs"}, where));
        if (key == "name") {
          nodes.name = value;
          PROBITY_ASSIGN_OR_RETURN(group.name, Text(value, where + ".name", &key_node));
        } else {
          nodes.list = value;
          PROBITY_ASSIGN_OR_RETURN(group.inputs,
                                   NameList(value, key_node, where + ".inputs", false));
        }
      }
      for (std::string_view key : {"name", "inputs"}) {
        if (!seen.contains(key)) {
          return Error(item, Quoted(where) + " has no " + Quoted(key), "name and inputs");
        }
      }
      table.groups.push_back(std::move(group));
      group_nodes_.push_back(std::move(nodes));
    }
    return OkStatus();
  }

  // Bounds what the file can make us store: an alias repeats a node every time it is used.
  Status Charge(const YAML::Node& node, size_t bytes) {
    const size_t cost = bytes + 16;
    if (cost > budget_) {
      return Error(node, "the table holds more than 1 MiB of text",
                   "a smaller table (aliases count every time they are used)");
    }
    budget_ -= cost;
    return OkStatus();
  }

  YAML::Node NodeOf(const TablePlace& place) const {
    using Part = TablePlace::Part;
    switch (place.part) {
      case Part::kCode: return code_nodes_[place.index].name;
      case Part::kFeature: return code_nodes_[place.index].list[place.item];
      case Part::kProtected: return protected_node_[place.index];
      case Part::kGroup: return group_nodes_[place.index].name;
      case Part::kGroupInput: return group_nodes_[place.index].list[place.item];
      case Part::kNone: break;
    }
    return protected_node_;
  }

  static std::string Excerpt(const std::string& s) {
    return s.size() <= 60 ? s : s.substr(0, 60) + "…";
  }

  Status Error(const YAML::Node& node, std::string what, std::string_view expected) const {
    const YAML::Mark mark = node.Mark();
    return InvalidArgumentError(std::move(what))
        .At({source_, mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0})
        .Expecting(std::string(expected));
  }

  // Where a code or a group was read, for errors found once the whole table is known:
  // its code (or name) and its features (or inputs).
  struct ItemNodes {
    YAML::Node name, list;
  };

  const std::string& source_;
  size_t budget_ = kMaxTableBytes;
  std::vector<ItemNodes> code_nodes_;
  std::vector<ItemNodes> group_nodes_;
  YAML::Node protected_node_;
};

// ---------------------------------------------------------------------------------------
// Selection.

struct CodeContribution {
  size_t code = 0;  // index into the table
  double value = 0;
};

// Codes with a positive contribution, largest first, ties by code.
std::vector<CodeContribution> RankCodes(const Attributions& a, size_t output, int64_t row,
                                        double sign, const std::vector<int64_t>& code_of_player,
                                        const std::vector<size_t>& codes,
                                        const ReasonCodeTable& table) {
  std::vector<double> sum(table.codes.size(), 0.0);
  for (size_t p = 0; p < a.players.size(); ++p) {
    if (code_of_player[p] >= 0) {
      sum[static_cast<size_t>(code_of_player[p])] += sign * a.value(row, output, p);
    }
  }
  std::vector<CodeContribution> ranked;
  for (size_t c : codes) {
    if (sum[c] > 0) ranked.push_back({c, sum[c]});
  }
  std::sort(ranked.begin(), ranked.end(),
            [&](const CodeContribution& x, const CodeContribution& y) {
              if (x.value != y.value) return x.value > y.value;
              return table.codes[x.code].code < table.codes[y.code].code;
            });
  return ranked;
}

Status CheckShape(const Attributions& a, const std::string& what) {
  const size_t expected = static_cast<size_t>(a.rows) * a.outputs.size() * a.players.size();
  if (a.rows < 0 || a.values.size() != expected) {
    return InvalidArgumentError(what + " holds " + std::to_string(a.values.size()) +
                                " values for " + std::to_string(a.rows) + " rows, " +
                                std::to_string(a.outputs.size()) + " outputs and " +
                                std::to_string(a.players.size()) + " players")
        .Expecting("rows × outputs × players values");
  }
  return OkStatus();
}

Status CheckFinite(const Attributions& a, size_t output, int64_t row) {
  for (size_t p = 0; p < a.players.size(); ++p) {
    if (!std::isfinite(a.value(row, output, p))) {
      return InvalidArgumentError("the attribution of player " + Quoted(a.players[p]) + " in row " +
                                  std::to_string(row) + " is not finite")
          .Expecting("finite attributions");
    }
  }
  return OkStatus();
}

}  // namespace

Result<ReasonCodeTable> ParseReasonCodeTable(std::string_view yaml, const std::string& source) {
  if (yaml.size() > kMaxTableBytes) {
    return InvalidArgumentError("the reason-code table is larger than 1 MiB")
        .At({source})
        .Expecting(std::string(kExpectedTable));
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("not valid YAML: " + e.msg)
        .At({source, e.mark.line + 1, e.mark.column + 1})
        .Expecting(std::string(kExpectedTable));
  }
  try {
    return TableReader(source).Read(root);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("cannot read the reason-code table: " + e.msg)
        .At({source, e.mark.line + 1, e.mark.column + 1})
        .Expecting(std::string(kExpectedTable));
  }
}

Result<ReasonReport> SelectReasons(const Attributions& attributions, size_t output,
                                   std::span<const double> scores,
                                   std::span<const Attributions> reruns,
                                   const ReasonCodeTable& table, const ReasonOptions& options) {
  const Attributions& a = attributions;
  PROBITY_RETURN_IF_ERROR(CheckShape(a, "the attributions"));
  if (output >= a.outputs.size()) {
    return InvalidArgumentError("output " + std::to_string(output) + " of an explanation with " +
                                std::to_string(a.outputs.size()) + " outputs")
        .Expecting("an explained output");
  }
  if (scores.size() != static_cast<size_t>(a.rows)) {
    return InvalidArgumentError(std::to_string(scores.size()) + " scores for " +
                                std::to_string(a.rows) + " explained rows")
        .Expecting("one score per explained row");
  }
  for (size_t r = 0; r < reruns.size(); ++r) {
    const std::string what = "re-run " + std::to_string(r + 1);
    PROBITY_RETURN_IF_ERROR(CheckShape(reruns[r], what));
    if (reruns[r].rows != a.rows || reruns[r].players != a.players ||
        reruns[r].outputs.size() != a.outputs.size()) {
      return InvalidArgumentError(what + " explains other rows, players or outputs")
          .Expecting("re-runs of the same explanation with other seeds");
    }
  }
  if (options.reference != "population" && options.reference != "threshold") {
    return InvalidArgumentError("reference " + Quoted(options.reference))
        .Expecting("\"population\" or \"threshold\"");
  }
  if (!std::isfinite(options.threshold)) {
    return InvalidArgumentError("the threshold is not a finite number").Expecting("a number");
  }
  if (!(options.tie_margin >= 0 && options.tie_margin < 1)) {
    return InvalidArgumentError("tie margin " + std::to_string(options.tie_margin))
        .Expecting("a relative margin in [0, 1)");
  }

  auto indexed = IndexTable(table);
  if (const TableConflict* conflict = std::get_if<TableConflict>(&indexed)) {
    return InvalidArgumentError("reason-code table: " + conflict->message)
        .Expecting(conflict->expected);
  }
  const TableIndex& index = std::get<TableIndex>(indexed);
  Names protected_names = index.protected_names;
  for (const std::string& name : options.protected_features) {
    for (std::string& expanded : index.Expand(name)) protected_names.insert(std::move(expanded));
  }

  // Each player's code: through its own name or any input it covers (a group's inputs).
  ReasonReport report;
  std::vector<int64_t> code_of_player(a.players.size(), -1);
  std::vector<std::string> uncovered;
  Names known;  // every name the players stand for
  for (size_t p = 0; p < a.players.size(); ++p) {
    const std::vector<std::string> covered = index.Expand(a.players[p]);
    known.insert(covered.begin(), covered.end());
    if (std::any_of(covered.begin(), covered.end(),
                    [&](const std::string& n) { return protected_names.contains(n); })) {
      report.excluded.push_back(a.players[p]);
      continue;
    }
    for (const std::string& name : covered) {
      auto it = index.code_of.find(name);
      if (it == index.code_of.end()) continue;
      const auto c = static_cast<int64_t>(it->second);
      if (code_of_player[p] >= 0 && code_of_player[p] != c) {
        return InvalidArgumentError(
                   "player " + Quoted(a.players[p]) + " covers features of two reason codes, " +
                   Quoted(table.codes[static_cast<size_t>(code_of_player[p])].code) + " and " +
                   Quoted(table.codes[it->second].code))
            .Expecting("every input of a player under one code");
      }
      code_of_player[p] = c;
    }
    if (code_of_player[p] < 0) uncovered.push_back(a.players[p]);
  }
  if (!uncovered.empty()) {
    return InvalidArgumentError("no reason code for " + JoinQuoted(uncovered))
        .Expecting(
            "a reason code for every player that is not protected (or list it as "
            "protected)");
  }
  // Typo guard: every feature the table gives a code must be something the players stand
  // for (a player, an input of a grouped player, or a group with such an input).
  for (const ReasonCode& code : table.codes) {
    for (const std::string& feature : code.features) {
      const std::vector<std::string> names = index.Expand(feature);
      if (std::none_of(names.begin(), names.end(),
                       [&](const std::string& n) { return known.contains(n); })) {
        return InvalidArgumentError("reason code " + Quoted(code.code) + " names " +
                                    Quoted(feature) + ", which is not a player of the " +
                                    "explanation nor an input of one")
            .Expecting("model input or feature-group names; players are " + JoinQuoted(a.players));
      }
    }
  }
  std::vector<size_t> codes;  // the codes that can appear, in table order
  for (size_t c = 0; c < table.codes.size(); ++c) {
    if (std::find(code_of_player.begin(), code_of_player.end(), static_cast<int64_t>(c)) !=
        code_of_player.end()) {
      codes.push_back(c);
    }
  }
  if (options.top_k < 1 || static_cast<size_t>(options.top_k) > codes.size()) {
    return InvalidArgumentError("top K is " + std::to_string(options.top_k) + " but " +
                                std::to_string(codes.size()) +
                                " reason codes can appear for the explanation's players")
        .Expecting("K between 1 and " + std::to_string(codes.size()));
  }

  report.method = a.method;
  report.space = std::string(OutputSpaceName(a.space));
  report.reference = options.reference;
  report.top_k = options.top_k;
  report.threshold = options.threshold;
  report.unfavourable_above = options.unfavourable_above;
  report.tie_margin = options.tie_margin;
  report.rows_scored = a.rows;
  report.stability_runs = static_cast<int>(reruns.size());
  const double sign = options.unfavourable_above ? 1.0 : -1.0;
  const auto k = static_cast<size_t>(options.top_k);
  for (int64_t row = 0; row < a.rows; ++row) {
    const double score = scores[static_cast<size_t>(row)];
    if (std::isnan(score)) {
      return InvalidArgumentError("the score of row " + std::to_string(row) + " is not a number")
          .Expecting("a score for every explained row");
    }
    const bool unfavourable =
        options.unfavourable_above ? score >= options.threshold : score < options.threshold;
    if (!unfavourable) continue;
    PROBITY_RETURN_IF_ERROR(CheckFinite(a, output, row));
    for (const Attributions& run : reruns) PROBITY_RETURN_IF_ERROR(CheckFinite(run, output, row));
    std::vector<CodeContribution> ranked =
        RankCodes(a, output, row, sign, code_of_player, codes, table);
    std::vector<std::vector<CodeContribution>> rerun_ranked;
    for (const Attributions& run : reruns) {
      rerun_ranked.push_back(RankCodes(run, output, row, sign, code_of_player, codes, table));
    }
    RowReasons out;
    out.row = row;
    out.score = score;
    for (size_t r = 0; r < ranked.size() && r < k; ++r) {
      const CodeContribution& c = ranked[r];
      const ReasonCode& code = table.codes[c.code];
      Reason reason;
      reason.rank = static_cast<int>(r + 1);
      reason.code = code.code;
      reason.text = code.text;
      for (size_t p = 0; p < a.players.size(); ++p) {
        if (code_of_player[p] == static_cast<int64_t>(c.code))
          reason.players.push_back(a.players[p]);
      }
      reason.contribution = c.value;
      if (!reruns.empty()) {
        size_t agree = 0;
        for (const std::vector<CodeContribution>& other : rerun_ranked) {
          const size_t n = std::min(k, other.size());
          agree += std::any_of(other.begin(), other.begin() + static_cast<std::ptrdiff_t>(n),
                               [&](const CodeContribution& o) { return o.code == c.code; });
        }
        reason.agreement = static_cast<double>(agree) / static_cast<double>(reruns.size());
      }
      reason.fragile =
          ranked.size() > k && c.value - ranked[k].value <= options.tie_margin * std::abs(c.value);
      reason.stable = reason.agreement == 1 && !reason.fragile;
      out.stable = out.stable && reason.stable;
      out.reasons.push_back(std::move(reason));
    }
    if (!out.stable) ++report.unstable_rows;
    report.rows.push_back(std::move(out));
  }
  return report;
}

nlohmann::ordered_json ReasonsToJson(const ReasonReport& report) {
  nlohmann::ordered_json doc = MachineDocument("probity.explain.reasons/1");
  doc["method"] = report.method;
  doc["space"] = report.space;
  doc["reference"] = report.reference;
  doc["top_k"] = report.top_k;
  doc["threshold"] = JsonNumber(report.threshold);
  doc["unfavourable_above"] = report.unfavourable_above;
  doc["tie_margin"] = JsonNumber(report.tie_margin);
  doc["rows_scored"] = report.rows_scored;
  doc["rows_unfavourable"] = static_cast<int64_t>(report.rows.size());
  doc["stability_runs"] = report.stability_runs;
  doc["unstable_rows"] = report.unstable_rows;
  doc["excluded"] = report.excluded;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const RowReasons& row : report.rows) {
    nlohmann::ordered_json r;
    r["row"] = row.row;
    r["score"] = JsonNumber(row.score);
    r["stable"] = row.stable;
    nlohmann::ordered_json reasons = nlohmann::ordered_json::array();
    for (const Reason& reason : row.reasons) {
      nlohmann::ordered_json j;
      j["rank"] = reason.rank;
      j["code"] = reason.code;
      j["text"] = reason.text;
      j["players"] = reason.players;
      j["contribution"] = JsonNumber(reason.contribution);
      j["agreement"] = JsonNumber(reason.agreement);
      j["stable"] = reason.stable;
      j["fragile"] = reason.fragile;
      reasons.push_back(std::move(j));
    }
    r["reasons"] = std::move(reasons);
    rows.push_back(std::move(r));
  }
  doc["rows"] = std::move(rows);
  return doc;
}

Status WriteReasonsCsv(const ReasonReport& report, OutputFile& out) {
  static const std::vector<std::string> kHeader = {
      "row", "score", "rank", "code", "text", "features", "contribution", "agreement", "stable"};
  std::string text;
  ingest::AppendCsvHeader(kHeader, &text);
  for (const RowReasons& row : report.rows) {
    const auto line = [&](const Reason* reason) {
      text += std::to_string(row.row);
      text += ',';
      ingest::AppendCsvNumber(row.score, &text);
      text += ',';
      if (reason != nullptr) {
        text += std::to_string(reason->rank);
        text += ',';
        ingest::AppendCsvField(reason->code, &text);
        text += ',';
        ingest::AppendCsvField(reason->text, &text);
        text += ',';
        std::string players;
        for (const std::string& p : reason->players) players += (players.empty() ? "" : ";") + p;
        ingest::AppendCsvField(players, &text);
        text += ',';
        ingest::AppendCsvNumber(reason->contribution, &text);
        text += ',';
        ingest::AppendCsvNumber(reason->agreement, &text);
        text += ',';
        text += reason->stable ? "true" : "false";
      } else {
        text += ",,,,,,";
        text += row.stable ? "true" : "false";
      }
      text += '\n';
    };
    if (row.reasons.empty()) line(nullptr);
    for (const Reason& reason : row.reasons) line(&reason);
    if (text.size() >= (size_t{1} << 20)) {
      PROBITY_RETURN_IF_ERROR(out.Append(text));
      text.clear();
    }
  }
  return out.Append(text);
}

}  // namespace probity::explain
