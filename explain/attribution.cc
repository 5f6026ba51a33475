#include "explain/attribution.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "audit/core/status.h"

namespace probity::explain {

std::string_view OutputSpaceName(OutputSpace space) {
  switch (space) {
    case OutputSpace::kMargin: return "margin";
    case OutputSpace::kProbability: return "probability";
    case OutputSpace::kValue: return "value";
  }
  return "margin";
}

Result<OutputSpace> ParseOutputSpace(std::string_view name, std::string_view field) {
  for (OutputSpace s : {OutputSpace::kMargin, OutputSpace::kProbability, OutputSpace::kValue}) {
    if (name == OutputSpaceName(s)) return s;
  }
  return InvalidArgumentError(std::string(field) + ": unknown output space \"" +
                              std::string(name) + "\"")
      .Expecting("margin, probability or value");
}

std::vector<int32_t> Players::InputsOf(size_t p) const {
  std::vector<int32_t> out;
  for (size_t j = 0; j < player_of_input.size(); ++j) {
    if (player_of_input[j] == static_cast<int32_t>(p)) out.push_back(static_cast<int32_t>(j));
  }
  return out;
}

Players InputPlayers(const ModelInfo& info) {
  Players players;
  for (size_t j = 0; j < info.inputs.size(); ++j) {
    players.names.push_back(info.inputs[j].name);
    players.player_of_input.push_back(static_cast<int32_t>(j));
  }
  return players;
}

Result<Players> GroupPlayers(const ModelInfo& info, const std::vector<FeatureGroup>& groups) {
  std::map<std::string, size_t, std::less<>> input_index;
  for (size_t j = 0; j < info.inputs.size(); ++j) input_index[info.inputs[j].name] = j;
  std::vector<int32_t> group_of_input(info.inputs.size(), -1);
  for (size_t g = 0; g < groups.size(); ++g) {
    const FeatureGroup& group = groups[g];
    const std::string where = "feature group \"" + group.name + "\"";
    if (group.name.empty()) return InvalidArgumentError("a feature group has no name");
    if (group.inputs.empty()) {
      return InvalidArgumentError(where + " has no inputs").Expecting("one or more model inputs");
    }
    for (const std::string& name : group.inputs) {
      auto it = input_index.find(name);
      if (it == input_index.end()) {
        return InvalidArgumentError(where + " names \"" + name + "\", which the model does not read")
            .Expecting("model input names");
      }
      if (group_of_input[it->second] >= 0) {
        return InvalidArgumentError(where + ": input \"" + name + "\" is already in group \"" +
                                    groups[static_cast<size_t>(group_of_input[it->second])].name +
                                    "\"")
            .Expecting("each input in at most one group");
      }
      group_of_input[it->second] = static_cast<int32_t>(g);
    }
  }
  Players players;
  players.player_of_input.assign(info.inputs.size(), -1);
  std::vector<int32_t> player_of_group(groups.size(), -1);
  for (size_t j = 0; j < info.inputs.size(); ++j) {
    const int32_t g = group_of_input[j];
    if (g < 0) {
      players.player_of_input[j] = static_cast<int32_t>(players.names.size());
      players.names.push_back(info.inputs[j].name);
    } else {
      if (player_of_group[static_cast<size_t>(g)] < 0) {
        player_of_group[static_cast<size_t>(g)] = static_cast<int32_t>(players.names.size());
        players.names.push_back(groups[static_cast<size_t>(g)].name);
      }
      players.player_of_input[j] = player_of_group[static_cast<size_t>(g)];
    }
  }
  std::map<std::string, int, std::less<>> seen;
  for (const std::string& name : players.names) {
    if (++seen[name] > 1) {
      return InvalidArgumentError("feature group \"" + name +
                                  "\" has the name of another player")
          .Expecting("group names distinct from the model's other input names");
    }
  }
  return players;
}

std::vector<std::string> ExplainedOutputNames(const ModelInfo& info, int num_outputs) {
  std::vector<std::string> names;
  const auto n = static_cast<size_t>(std::max(num_outputs, 1));
  if (info.task == ModelTask::kClassification && !info.classes.empty()) {
    if (n == 1) return {info.classes.back()};
    if (n == info.classes.size()) return info.classes;
  }
  if (info.task == ModelTask::kRegression && n == 1) {
    return {info.target.empty() ? "value" : info.target};
  }
  for (size_t k = 0; k < n; ++k) names.push_back("output_" + std::to_string(k));
  return names;
}

void SetAdditivityError(Attributions& a) {
  const size_t outputs = a.outputs.size();
  const size_t players = a.players.size();
  double worst = 0;
  for (size_t i = 0; i < static_cast<size_t>(a.rows) * outputs; ++i) {
    if (i >= a.base.size() || i >= a.prediction.size()) break;
    double sum = a.base[i];
    for (size_t p = 0; p < players; ++p) sum += a.values[i * players + p];
    const double error = std::fabs(sum - a.prediction[i]);
    if (std::isnan(error)) continue;  // a row the model could not score
    worst = std::max(worst, error);
  }
  a.max_additivity_error = worst;
}

}  // namespace probity::explain
