// Reader of the data/*.tsv files: tab-separated rows, '#' comment lines and
// blank lines skipped, fields trimmed. Internal to the text library.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_TSV_H_
#define RELMON_INGEST_EXTRACTION_TEXT_TSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace relmon::extraction::internal {

struct TsvRow {
  int line = 0;                     // 1-based line number, for messages
  std::vector<std::string> fields;  // at least one, trimmed
};

// Reads `path`. NotFound when it is missing; each row has >= min_fields
// fields or the call fails with InvalidArgument naming the file and line.
absl::StatusOr<std::vector<TsvRow>> ReadTsv(const std::string& path, size_t min_fields);

// `dir` + "/" + `file`.
std::string JoinPath(const std::string& dir, const std::string& file);

}  // namespace relmon::extraction::internal

#endif  // RELMON_INGEST_EXTRACTION_TEXT_TSV_H_
