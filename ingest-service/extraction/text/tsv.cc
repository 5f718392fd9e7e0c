#include "ingest-service/extraction/text/tsv.h"

#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace relmon::extraction::internal {

std::string JoinPath(const std::string& dir, const std::string& file) {
  if (dir.empty()) return file;
  if (dir.back() == '/') return dir + file;
  return absl::StrCat(dir, "/", file);
}

absl::StatusOr<std::vector<TsvRow>> ReadTsv(const std::string& path, size_t min_fields) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open data file ", path));
  std::vector<TsvRow> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (stripped.empty() || stripped[0] == '#') continue;
    TsvRow row;
    row.line = number;
    for (absl::string_view field : absl::StrSplit(line, '\t')) {
      row.fields.emplace_back(absl::StripAsciiWhitespace(field));
    }
    while (!row.fields.empty() && row.fields.back().empty()) row.fields.pop_back();
    if (row.fields.size() < min_fields) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": expected at least ",
                                                     min_fields, " tab-separated fields"));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace relmon::extraction::internal
