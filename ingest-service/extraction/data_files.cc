// Data file reading and digesting for the extraction stages.
#include "ingest-service/extraction/data_files.h"

#include <algorithm>
#include <cstdint>
#include <dirent.h>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace relmon::extraction {

const std::string& DataRow::at(size_t i) const {
  static const std::string* const kEmpty = new std::string();
  return i < fields.size() ? fields[i] : *kEmpty;
}

absl::StatusOr<std::vector<DataRow>> ReadDataFile(const std::string& dir, const std::string& file,
                                                  size_t min_fields) {
  const std::string path = absl::StrCat(dir, "/", file);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open data file ", path));
  std::vector<DataRow> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (stripped.empty() || stripped[0] == '#') continue;
    DataRow row;
    row.line = number;
    for (absl::string_view field : absl::StrSplit(line, '\t')) {
      row.fields.emplace_back(absl::StripAsciiWhitespace(field));
    }
    if (row.fields[0].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": first field is empty"));
    }
    if (row.fields.size() < min_fields) row.fields.resize(min_fields);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string DigestDataDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* entry = readdir(d)) {
      std::string name = entry->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tsv") == 0) names.push_back(name);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  uint64_t hash = 1469598103934665603ULL;
  auto mix = [&hash](absl::string_view bytes) {
    for (unsigned char c : bytes) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  for (const std::string& name : names) {
    std::ifstream in(absl::StrCat(dir, "/", name), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    mix(name);
    mix(absl::string_view("\0", 1));
    mix(content.str());
    mix(absl::string_view("\0", 1));
  }
  return absl::StrFormat("%016x", hash);
}

std::vector<std::string> SplitAlternatives(const std::string& field) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(field, '|')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

std::string StableDigest(std::initializer_list<absl::string_view> parts) {
  uint64_t hash = 1469598103934665603ULL;
  bool first = true;
  for (absl::string_view part : parts) {
    if (!first) hash *= 1099511628211ULL;  // a NUL byte between parts
    first = false;
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  }
  return absl::StrFormat("%016x", hash);
}
}  // namespace relmon::extraction
