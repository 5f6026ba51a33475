#include "policy/scanners/global_lists.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "audit/core/check.h"

namespace probity::embedded {
std::string_view allowed_globals_json();
std::string_view picklescan_globals_json();
std::string_view modelscan_unsafe_globals_json();
}  // namespace probity::embedded

namespace probity::policy {
namespace {

struct ListEntry {
  std::string module;
  bool submodules = false;
  bool all_names = false;
  bool classes = false;  // every name starting with an upper-case letter
  std::vector<std::string> names;
  Severity severity = Severity::kInfo;
  std::string reason;

  bool Matches(std::string_view m, std::string_view name) const {
    bool module_ok = m == module || (submodules && m.size() > module.size() &&
                                     m.starts_with(module) && m[module.size()] == '.');
    if (!module_ok) return false;
    if (all_names) return true;
    if (classes) return !name.empty() && name.front() >= 'A' && name.front() <= 'Z';
    for (const std::string& n : names) {
      if (name == n || (name.size() > n.size() && name.starts_with(n) && name[n.size()] == '.')) {
        return true;
      }
    }
    return false;
  }
};

// Reads a names field: an array of names, "*" (all, including submodules) or one name.
void ReadNames(const nlohmann::json& names, ListEntry* entry) {
  if (names.is_array()) {
    for (const auto& n : names) entry->names.push_back(n.get<std::string>());
  } else if (names == "*") {
    entry->all_names = true;
    entry->submodules = true;
  } else if (names == "Classes") {
    entry->classes = true;
  } else {
    entry->names.push_back(names.get<std::string>());
  }
}

struct Lists {
  std::vector<ListEntry> allowed;
  std::vector<ListEntry> denied;  // modelscan's (with its severities) first, then picklescan's
};

Lists LoadLists() {
  Lists lists;
  try {
    auto allowed = nlohmann::json::parse(embedded::allowed_globals_json());
    for (const auto& item : allowed.at("allowed_globals")) {
      ListEntry entry;
      entry.module = item.at("module").get<std::string>();
      ReadNames(item.at("names"), &entry);
      entry.submodules = entry.submodules || item.value("submodules", false);
      entry.reason = item.at("reason").get<std::string>();
      lists.allowed.push_back(std::move(entry));
    }
    auto modelscan = nlohmann::json::parse(embedded::modelscan_unsafe_globals_json());
    for (const auto& [level, modules] : modelscan.at("unsafe_globals").items()) {
      Severity severity = level == "CRITICAL" ? Severity::kCritical
                          : level == "HIGH"   ? Severity::kHigh
                          : level == "MEDIUM" ? Severity::kMedium
                                              : Severity::kLow;
      for (const auto& [module, names] : modules.items()) {
        ListEntry entry{.module = module, .severity = severity};
        ReadNames(names, &entry);
        entry.reason = "modelscan deny-list (" + level + ")";
        lists.denied.push_back(std::move(entry));
      }
    }
    auto picklescan = nlohmann::json::parse(embedded::picklescan_globals_json());
    for (const auto& [module, names] : picklescan.at("unsafe_globals").items()) {
      ListEntry entry{.module = module, .severity = Severity::kHigh};
      ReadNames(names, &entry);
      entry.reason = "picklescan deny-list";
      lists.denied.push_back(std::move(entry));
    }
  } catch (const nlohmann::json::exception&) {
    // The lists are compiled in: a malformed one is a build defect, not user input.
    PROBITY_CHECK(false && "malformed embedded pickle global list");
  }
  return lists;
}

const Lists& GlobalLists() {
  static const Lists* lists = new Lists(LoadLists());
  return *lists;
}

}  // namespace

GlobalVerdict ClassifyGlobal(std::string_view module, std::string_view name) {
  const Lists& lists = GlobalLists();
  for (const ListEntry& entry : lists.allowed) {
    if (entry.Matches(module, name)) {
      return GlobalVerdict{GlobalVerdict::Kind::kAllowed, Severity::kInfo, entry.reason};
    }
  }
  // The most severe deny entry wins (modelscan's come first and are at least as severe).
  for (const ListEntry& entry : lists.denied) {
    if (entry.Matches(module, name)) {
      return GlobalVerdict{GlobalVerdict::Kind::kDenied, entry.severity, entry.reason};
    }
  }
  return GlobalVerdict{GlobalVerdict::Kind::kUnknown, Severity::kMedium,
                       "on neither the allow-list nor a deny-list"};
}

}  // namespace probity::policy
