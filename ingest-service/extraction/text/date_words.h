// Vocabulary of dates (month and weekday names, temporal cue words, number
// words) shared by temporal.h and article_header.h; loaded once from
// data/date_words.tsv and data/number_words.tsv.
#ifndef RELMON_INGEST_EXTRACTION_TEXT_DATE_WORDS_H_
#define RELMON_INGEST_EXTRACTION_TEXT_DATE_WORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace relmon::extraction {

class DateWordTables {
 public:
  // Everything the tables say about one word, from a single lookup: the
  // time scanners ask several questions of every token, and one hash
  // lookup per token instead of one per question is most of their cost.
  struct WordInfo {
    int month = 0;                 // Month()
    bool month_lowercase = false;  // MonthAllowsLowercase()
    int weekday = 0;               // Weekday()
    int cardinal = -1;             // Cardinal()
    int period_days = 0;           // PeriodDays()
    bool has_day_offset = false;   // DayOffset()
    int day_offset = 0;
    bool any_cue = false;  // IsAnyCue()
    uint64_t cues = 0;     // bits of CueBit() of the cue classes it belongs to
  };

  // The info of `lower` (a default WordInfo, answering "no" to everything,
  // when the tables do not list it).
  const WordInfo& Lookup(absl::string_view lower) const {
    if (!MaySign(lower)) return kNoInfo;
    auto it = info_.find(lower);
    return it == info_.end() ? kNoInfo : it->second;
  }
  // Bits of the cue classes the time scanner tests, resolved once at Load().
  struct ScannerCues {
    uint64_t since = 0, part_early = 0, part_late = 0, part_mid = 0, year_cue = 0, month_cue = 0,
             future_cue = 0, day_part = 0, within = 0, rel_past = 0, rel_this = 0, rel_next = 0,
             vague_future = 0, vague_past = 0, date_joiner = 0;
  };
  const ScannerCues& scanner_cues() const { return scanner_cues_; }
  // True when Lookup() found `info` in the tables (false for the default).
  static bool Listed(const WordInfo& info) { return &info != &kNoInfo; }
  // The bit of cue class `kind` in WordInfo::cues; 0 when no word has it
  // (so testing it answers false, as Is() does).
  uint64_t CueBit(absl::string_view kind) const {
    auto it = cue_bits_.find(kind);
    return it == cue_bits_.end() ? 0 : it->second;
  }

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

  // Lookup(): the maps above merged per word, built once at Load().
  static const WordInfo kNoInfo;
  bool MaySign(absl::string_view w) const {
    const uint32_t sig = Signature(w);
    return (first_bytes_[sig >> 6] >> (sig & 63)) & 1;
  }
  // First two bytes of a word (the second 0 for one-byte words).
  static uint32_t Signature(absl::string_view w) {
    if (w.empty()) return 0;
    return (static_cast<uint32_t>(static_cast<unsigned char>(w[0])) << 8) |
           (w.size() > 1 ? static_cast<unsigned char>(w[1]) : 0u);
  }
  absl::flat_hash_map<std::string, WordInfo> info_;
  absl::flat_hash_map<std::string, uint64_t> cue_bits_;
  ScannerCues scanner_cues_;
  // Bit set over Signature() of the words of info_: most words of a text
  // are in no table, and a clear bit spares them the hash lookup.
  std::vector<uint64_t> first_bytes_ = std::vector<uint64_t>((1u << 16) / 64, 0);
};

}  // namespace relmon::extraction

#endif  // RELMON_INGEST_EXTRACTION_TEXT_DATE_WORDS_H_
