// Vocabulary of dates (month and weekday names, temporal cue words, number
// words) shared by temporal.h and article_header.h; loaded once from
// data/date_words.tsv and data/number_words.tsv.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_DATE_WORDS_H_
#define RELMON_INGEST_EXTRACTION_TEXT_DATE_WORDS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace relmon::extraction {

class DateWordTables {
 public:
  // Reads `<resources_dir>/date_words.tsv` and the cardinal number words of
  // `<resources_dir>/number_words.tsv`.
  static absl::StatusOr<DateWordTables> Load(const std::string& resources_dir);

  // All lookups take a lower-case word without a trailing dot.
  // Month number 1..12 of "january", "jan", "sept", "ноября" ...; 0 if none.
  int Month(absl::string_view lower) const;
  // True for month names written in lower case in their language
  // ("ноября", "mayo"); English names need a capital ("march" is a verb).
  bool MonthAllowsLowercase(absl::string_view lower) const {
    return lowercase_months_.contains(lower);
  }
  // ISO weekday 1 (Monday) .. 7 (Sunday) of "monday", "mon" ...; 0 if none.
  int Weekday(absl::string_view lower) const;
  // Value of a cardinal number word ("two" -> 2, "a" is not one); -1 if none.
  int Cardinal(absl::string_view lower) const;
  // True when `lower` belongs to the cue class `kind` of date_words.tsv
  // (e.g. "year_cue", "month_cue", "future_cue", "published_cue",
  // "update_cue", "byline_cue", "period_modifier").
  bool Is(absl::string_view kind, absl::string_view lower) const;
  // True when `lower` belongs to any cue class (a cheap pre-check).
  bool IsAnyCue(absl::string_view lower) const { return cues_.contains(lower); }
  // Length in days of a period unit ("day" 1, "week" 7, "month" 30,
  // "year" 365, "decade" 3650; plurals included); 0 if none.
  int PeriodDays(absl::string_view lower) const;
  // Offset in days of a deictic day word ("yesterday" -1, "today" 0,
  // "tomorrow" +1); false when `lower` is none.
  bool DayOffset(absl::string_view lower, int* offset) const;

 private:
  absl::flat_hash_map<std::string, int> months_;
  absl::flat_hash_map<std::string, int> weekdays_;
  absl::flat_hash_set<std::string> lowercase_months_;
  absl::flat_hash_map<std::string, int> cardinals_;
  absl::flat_hash_map<std::string, int> periods_;
  absl::flat_hash_map<std::string, int> day_offsets_;
  // word -> the cue kinds it belongs to (few per word).
  absl::flat_hash_map<std::string, std::vector<std::string>> cues_;
};

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_DATE_WORDS_H_
