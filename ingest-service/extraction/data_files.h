// Reading of the extraction's data/*.tsv files (rows of tab-separated
// fields, '#' comments) and the digest of all data files that goes into the
// extractor version.
#ifndef RELMON_INGEST_EXTRACTION_DATA_FILES_H_
#define RELMON_INGEST_EXTRACTION_DATA_FILES_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace relmon::extraction {

struct DataRow {
  int line = 0;
  std::vector<std::string> fields;  // trimmed; missing trailing fields are ""
  const std::string& at(size_t i) const;
};

// Reads `<dir>/<file>`; every row gets at least `min_fields` fields (missing
// ones are empty) and rows with an empty first field are rejected.
absl::StatusOr<std::vector<DataRow>> ReadDataFile(const std::string& dir, const std::string& file,
                                                  size_t min_fields);

// Hex digest (FNV-1a 64, stable across machines) of the names and contents of
// every *.tsv file in `dir`, in name order: a changed gazetteer or cue file
// changes the extractor version.
std::string DigestDataDir(const std::string& dir);

// Splits "a|b|c" into trimmed non-empty parts.
std::vector<std::string> SplitAlternatives(const std::string& field);

// 16 hex digits of FNV-1a 64 over `parts` joined with NUL bytes: stable ids
// for events, figures and agreements.
std::string StableDigest(std::initializer_list<absl::string_view> parts);

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_DATA_FILES_H_
