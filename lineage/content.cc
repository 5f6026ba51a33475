#include "lineage/content.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "lineage/canonical_json.h"

namespace probity::lineage {
namespace fs = std::filesystem;

namespace {

bool Ignored(const fs::path& name) {
  const auto& ignored = DefaultIgnoredNames();
  return std::find(ignored.begin(), ignored.end(), name.string()) != ignored.end();
}

struct Entry {
  std::string path;
  std::string digest;  // empty for links
  int64_t size = 0;
  std::string link;
};

Result<std::vector<Entry>> ListEntries(const std::string& root) {
  std::vector<Entry> entries;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) return IoError("cannot list the directory: " + ec.message()).At({root});
  for (; it != end; it.increment(ec)) {
    if (ec) return IoError("cannot list the directory: " + ec.message()).At({root});
    const fs::directory_entry& e = *it;
    if (Ignored(e.path().filename())) {
      if (e.is_directory(ec) && !e.is_symlink(ec)) it.disable_recursion_pending();
      continue;
    }
    const std::string relative = e.path().lexically_relative(root).generic_string();
    if (e.is_symlink(ec)) {
      entries.push_back({relative, "", 0, fs::read_symlink(e.path(), ec).generic_string()});
    } else if (e.is_regular_file(ec)) {
      PROBITY_ASSIGN_OR_RETURN(Artifact a,
                               DescribeFile(LocalFileSystem(), e.path().string(), ArtifactKind::kOther));
      entries.push_back({relative, a.digest.ToString(), a.size_bytes, ""});
    } else if (!e.is_directory(ec)) {
      return UnimplementedError("cannot hash a special file (device, socket or pipe)")
          .At({e.path().string()})
          .Expecting("regular files, directories and symbolic links");
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
  return entries;
}

Status CopyFileTo(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (fs::exists(to, ec)) return OkStatus();
  fs::create_directories(fs::path(to).parent_path(), ec);
  if (ec) return IoError("cannot create the objects directory: " + ec.message()).At({to});
  const std::string temporary = to + ".tmp";
  fs::copy_file(from, temporary, fs::copy_options::overwrite_existing, ec);
  if (ec) return IoError("cannot copy into the objects directory: " + ec.message()).At({from});
  fs::permissions(temporary, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                  ec);
  fs::rename(temporary, to, ec);
  if (ec) return IoError("cannot store the object: " + ec.message()).At({to});
  return OkStatus();
}

// Copies a file into objects/ and checks the copy still hashes to `digest` (the file may
// have changed since it was hashed).
Status CopyChecked(const std::string& objects_dir, const std::string& path, const Digest& digest) {
  const std::string target = ObjectPath(objects_dir, digest);
  PROBITY_RETURN_IF_ERROR(CopyFileTo(path, target));
  PROBITY_ASSIGN_OR_RETURN(Artifact copied, DescribeFile(LocalFileSystem(), target, ArtifactKind::kOther));
  if (copied.digest != digest) {
    std::error_code ignored;
    fs::remove(target, ignored);
    return IntegrityViolationError("the file changed while it was being recorded").At({path});
  }
  return OkStatus();
}

}  // namespace

const std::vector<std::string>& DefaultIgnoredNames() {
  static const std::vector<std::string> names = {".git", ".probity"};
  return names;
}

Result<std::string> DirectoryManifest(const std::string& path) {
  PROBITY_ASSIGN_OR_RETURN(std::vector<Entry> entries, ListEntries(path));
  nlohmann::json list = nlohmann::json::array();
  for (const Entry& e : entries) {
    if (e.digest.empty()) {
      list.push_back({{"path", e.path}, {"link", e.link}});
    } else {
      list.push_back({{"path", e.path}, {"digest", e.digest}, {"size", e.size}});
    }
  }
  nlohmann::json manifest = {{"manifest", "probity.directory/1"},
                             {"links", "recorded, not followed"},
                             {"ignore", DefaultIgnoredNames()},
                             {"entries", std::move(list)}};
  return CanonicalJson(manifest);
}

Result<Artifact> DescribePath(const std::string& path, ArtifactKind kind) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    PROBITY_ASSIGN_OR_RETURN(std::string manifest, DirectoryManifest(path));
    return Artifact{Sha256Of(manifest), static_cast<int64_t>(manifest.size()),
                    std::string(kDirectoryMediaType), kind, path};
  }
  return DescribeFile(LocalFileSystem(), path, kind);
}

Result<Digest> DigestOfPath(const std::string& path) {
  PROBITY_ASSIGN_OR_RETURN(Artifact a, DescribePath(path, ArtifactKind::kOther));
  return a.digest;
}

std::string ObjectPath(const std::string& objects_dir, const Digest& digest) {
  const std::string hex = digest.Hex();
  return objects_dir + "/sha256/" + hex.substr(0, 2) + "/" + hex.substr(2);
}

Status StoreObject(const std::string& objects_dir, const std::string& path, const Digest& digest) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    PROBITY_ASSIGN_OR_RETURN(std::string manifest, DirectoryManifest(path));
    if (Sha256Of(manifest) != digest) {
      return IntegrityViolationError("the directory changed while it was being recorded")
          .At({path});
    }
    PROBITY_ASSIGN_OR_RETURN(std::vector<Entry> entries, ListEntries(path));
    for (const Entry& e : entries) {
      if (e.digest.empty()) continue;
      PROBITY_ASSIGN_OR_RETURN(Digest d, Digest::Parse(e.digest));
      PROBITY_RETURN_IF_ERROR(CopyChecked(objects_dir, path + "/" + e.path, d));
    }
    const std::string target = ObjectPath(objects_dir, digest);
    if (fs::exists(target, ec)) return OkStatus();
    fs::create_directories(fs::path(target).parent_path(), ec);
    std::ofstream out(target + ".tmp", std::ios::binary);
    out << manifest;
    out.close();
    if (!out) return IoError("cannot store the directory manifest").At({target});
    fs::rename(target + ".tmp", target, ec);
    return ec ? IoError("cannot store the directory manifest: " + ec.message()).At({target})
              : OkStatus();
  }
  return CopyChecked(objects_dir, path, digest);
}

}  // namespace probity::lineage
