#include "ingest-service/extraction/text/date_words.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ingest-service/extraction/text/scan.h"
#include "ingest-service/extraction/text/tsv.h"

namespace relmon::extraction {

absl::StatusOr<DateWordTables> DateWordTables::Load(const std::string& resources_dir) {
  const std::string path = internal::JoinPath(resources_dir, "date_words.tsv");
  auto rows = internal::ReadTsv(path, 2);
  if (!rows.ok()) return rows.status();
  DateWordTables tables;
  for (const auto& row : *rows) {
    const std::string& kind = row.fields[0];
    const std::string word = internal::ToLowerUtf8(row.fields[1]);
    int value = 0;
    if (row.fields.size() >= 3 && !absl::SimpleAtoi(row.fields[2], &value)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", row.line, ": bad value"));
    }
    if (kind == "month" || kind == "month_lc") {
      if (value < 1 || value > 12) {
        return absl::InvalidArgumentError(absl::StrCat(path, ":", row.line, ": month 1..12"));
      }
      tables.months_[word] = value;
      if (kind == "month_lc") tables.lowercase_months_.insert(word);
    } else if (kind == "weekday") {
      if (value < 1 || value > 7) {
        return absl::InvalidArgumentError(absl::StrCat(path, ":", row.line, ": weekday 1..7"));
      }
      tables.weekdays_[word] = value;
    } else if (kind == "period") {
      tables.periods_[word] = value;
    } else {
      tables.cues_[word].push_back(kind);
      if (kind == "day_offset") tables.day_offsets_[word] = value;
    }
  }
  const std::string numbers = internal::JoinPath(resources_dir, "number_words.tsv");
  auto number_rows = internal::ReadTsv(numbers, 2);
  if (!number_rows.ok()) return number_rows.status();
  for (const auto& row : *number_rows) {
    if (row.fields[0] != "cardinal" || row.fields.size() < 3) continue;
    int value = 0;
    if (!absl::SimpleAtoi(row.fields[2], &value)) {
      return absl::InvalidArgumentError(absl::StrCat(numbers, ":", row.line, ": bad value"));
    }
    tables.cardinals_[internal::ToLowerUtf8(row.fields[1])] = value;
  }
  if (tables.months_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no month names"));
  }
  return tables;
}

int DateWordTables::Month(absl::string_view lower) const {
  auto it = months_.find(lower);
  return it == months_.end() ? 0 : it->second;
}

int DateWordTables::Weekday(absl::string_view lower) const {
  auto it = weekdays_.find(lower);
  return it == weekdays_.end() ? 0 : it->second;
}

int DateWordTables::Cardinal(absl::string_view lower) const {
  auto it = cardinals_.find(lower);
  return it == cardinals_.end() ? -1 : it->second;
}

bool DateWordTables::Is(absl::string_view kind, absl::string_view lower) const {
  auto it = cues_.find(lower);
  if (it == cues_.end()) return false;
  for (const std::string& k : it->second) {
    if (k == kind) return true;
  }
  return false;
}

int DateWordTables::PeriodDays(absl::string_view lower) const {
  auto it = periods_.find(lower);
  return it == periods_.end() ? 0 : it->second;
}

bool DateWordTables::DayOffset(absl::string_view lower, int* offset) const {
  auto it = day_offsets_.find(lower);
  if (it == day_offsets_.end()) return false;
  *offset = it->second;
  return true;
}

}  // namespace relmon::extraction
