#include "ingest-service/checkpoint.h"

#include <filesystem>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace relmon::ingest {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ResolveCheckpointPath(absl::string_view backup_root,
                                                  absl::string_view requested) {
  if (backup_root.empty()) {
    return absl::FailedPreconditionError(
        "no --backup_dir is configured on this ingest service: checkpoints are off");
  }
  if (requested.empty()) return absl::InvalidArgumentError("directory: required");
  std::error_code ec;
  fs::create_directories(fs::path(std::string(backup_root)), ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create --backup_dir ", backup_root, ": ", ec.message()));
  }
  const fs::path root = fs::weakly_canonical(fs::absolute(fs::path(std::string(backup_root))), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("bad --backup_dir: ", ec.message()));
  const fs::path req{std::string(requested)};
  const fs::path joined = req.is_absolute() ? req : root / req;
  // weakly_canonical resolves ".." and symbolic links of the existing part.
  const fs::path target = fs::weakly_canonical(joined, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("directory: ", ec.message()));
  auto rel = target.lexically_relative(root);
  if (rel.empty() || rel == "." || *rel.begin() == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("directory: \"", requested, "\" is not inside the backup root ",
                     root.string()));
  }
  if (fs::exists(target, ec)) {
    return absl::AlreadyExistsError(absl::StrCat("directory: ", target.string(), " exists"));
  }
  fs::create_directories(target.parent_path(), ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", target.parent_path().string(), ": ", ec.message()));
  }
  return target.string();
}

}  // namespace relmon::ingest
