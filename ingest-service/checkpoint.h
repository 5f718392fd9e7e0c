// Checkpoint paths: where a requested backup directory lands under the
// configured --backup_dir root, refusing any path that would escape it.
#ifndef RELMON_INGEST_CHECKPOINT_H_
#define RELMON_INGEST_CHECKPOINT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace relmon::ingest {

// The absolute path of `requested` (relative to `backup_root`, or absolute
// but inside it). INVALID_ARGUMENT when it is empty or leaves the root (".."
// components, another absolute path); FAILED_PRECONDITION when no root is
// configured; ALREADY_EXISTS when the path exists. Symbolic links inside the
// root are resolved before the containment check.
absl::StatusOr<std::string> ResolveCheckpointPath(absl::string_view backup_root,
                                                  absl::string_view requested);

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_CHECKPOINT_H_
