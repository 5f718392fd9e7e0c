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
  // The merged per-word view, from the final maps (later rows win as above).
  for (const auto& [word, kinds] : tables.cues_) {
    for (const std::string& kind : kinds) {
      if (tables.cue_bits_.contains(kind)) continue;
      if (tables.cue_bits_.size() >= 64) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": more than 64 cue classes (WordInfo::cues is 64 bits)"));
      }
      const uint64_t bit = uint64_t{1} << tables.cue_bits_.size();
      tables.cue_bits_[kind] = bit;
    }
  }
  for (const auto& [word, kinds] : tables.cues_) {
    WordInfo& info = tables.info_[word];
    info.any_cue = true;
    for (const std::string& kind : kinds) info.cues |= tables.cue_bits_[kind];
  }
  for (const auto& [word, value] : tables.months_) tables.info_[word].month = value;
  for (const auto& word : tables.lowercase_months_) tables.info_[word].month_lowercase = true;
  for (const auto& [word, value] : tables.weekdays_) tables.info_[word].weekday = value;
  for (const auto& [word, value] : tables.cardinals_) tables.info_[word].cardinal = value;
  for (const auto& [word, value] : tables.periods_) tables.info_[word].period_days = value;
  for (const auto& [word, value] : tables.day_offsets_) {
    tables.info_[word].has_day_offset = true;
    tables.info_[word].day_offset = value;
  }
  ScannerCues& c = tables.scanner_cues_;
  c.since = tables.CueBit("since");
  c.part_early = tables.CueBit("part_early");
  c.part_late = tables.CueBit("part_late");
  c.part_mid = tables.CueBit("part_mid");
  c.year_cue = tables.CueBit("year_cue");
  c.month_cue = tables.CueBit("month_cue");
  c.future_cue = tables.CueBit("future_cue");
  c.day_part = tables.CueBit("day_part");
  c.within = tables.CueBit("within");
  c.rel_past = tables.CueBit("rel_past");
  c.rel_this = tables.CueBit("rel_this");
  c.rel_next = tables.CueBit("rel_next");
  c.vague_future = tables.CueBit("vague_future");
  c.vague_past = tables.CueBit("vague_past");
  c.date_joiner = tables.CueBit("date_joiner");
  for (const auto& [word, info] : tables.info_) {
    const uint32_t sig = Signature(word);
    tables.first_bytes_[sig >> 6] |= uint64_t{1} << (sig & 63);
  }
  return tables;
}

const DateWordTables::WordInfo DateWordTables::kNoInfo;

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
